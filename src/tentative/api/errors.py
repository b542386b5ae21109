"""Every error leaves the API as JSON with a machine code and a message in the user's language."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tentative.shared.errors import DomainError

INVALID = _("The input is not valid.")
UNAUTHENTICATED = _("A valid API token is required.")
NOT_FOUND = _("Not found.")
# Ninja raises HttpError(400) when the body is not JSON; other HttpErrors keep their text.
HTTP_ERRORS = {
    400: ("malformed", _("The request body must be a JSON object.")),
    429: ("throttled", _("Too many requests; please slow down.")),
}


def refusal(exc: DomainError) -> dict[str, Any]:
    """The body of a domain refusal (also what an Idempotency-Key stores for it)."""
    body: dict[str, Any] = {"code": exc.code, "message": str(exc.text)}
    fields = getattr(exc, "fields", None)
    if isinstance(fields, dict):  # a form-like refusal (catalogue terms): the field's messages
        body["fields"] = {name: [str(m) for m in texts] for name, texts in fields.items()}
    return body


def install(api: NinjaAPI) -> None:
    def respond(
        request: HttpRequest, status: int, code: str, message: Any, **extra: Any
    ) -> HttpResponse:
        return api.create_response(
            request, {"code": code, "message": str(message), **extra}, status=status
        )

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, refusal(exc), status=exc.status)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors
        ]
        return respond(request, 422, "invalid", INVALID, errors=errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, "unauthenticated", UNAUTHENTICATED)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code, message = HTTP_ERRORS.get(exc.status_code, ("http_error", str(exc)))
        return respond(request, exc.status_code, code, message)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, "not_found", NOT_FOUND)
