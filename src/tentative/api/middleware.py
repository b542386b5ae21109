"""The API's outer guard: refuse what no endpoint should read, and answer every error in JSON.

Oversized bodies get a 413 and bodies that are not JSON a 415, before anything reads them.
The one upload (`POST /bookings/{ref}/photos`) takes multipart/form-data, up to its photos'
limit (20 photos of `PHOTO_MAX_BYTES`, and a margin for the parts' headers); each photo is
checked again by the action (`photo_too_large`).
Errors raised outside Ninja's exception handlers (an unknown path, a wrong method, a crash)
would leave as Django's HTML pages; API clients get `{code, message}` there too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

PREFIX = "/api/"
UPLOAD = re.compile(r"^/api/v1/bookings/[A-Za-z0-9]{1,12}/photos/?$")
MAX_PHOTOS = 20  # bookings.actions.add_session_photo.MAX_FILES
WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TOO_LARGE = _("The request body is too large.")
NOT_JSON = _("The request body must be JSON (Content-Type: application/json).")
FALLBACK = {
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    500: ("server_error", _("Something went wrong on our side; please try again later.")),
}
GENERIC = ("error", _("The request could not be completed."))


def _error(status: int, code: str, message: object) -> JsonResponse:
    return JsonResponse({"code": code, "message": str(message)}, status=status)


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


class ApiBodyLimit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        # LocaleMiddleware has not run yet: without this, these answers would be in whatever
        # language the thread's previous request left active.
        with translation.override(translation.get_language_from_request(request)):
            upload = (
                request.method == "POST"
                and UPLOAD.match(request.path) is not None
                and (request.content_type or "").lower() == "multipart/form-data"
            )
            limit = (
                MAX_PHOTOS * (settings.PHOTO_MAX_BYTES + 4096)
                if upload
                else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            )
            if length < 0 or length > limit:
                return _error(413, "too_large", TOO_LARGE)
            if (
                length
                and not upload
                and request.method in WITH_BODY
                and not _is_json(request.content_type or "")
            ):
                return _error(415, "unsupported_media_type", NOT_JSON)
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response.get("Content-Type", "")):
            code, message = FALLBACK.get(response.status_code, GENERIC)
            json_response = _error(response.status_code, code, message)
            if "Allow" in response:
                json_response["Allow"] = response["Allow"]
            return json_response
        return response
