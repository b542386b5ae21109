"""Session photos (issue 14 item 7): a session booking's photos, uploading some
(multipart, field `photos`, one or more files), restoring an archived one, and a photo's
bytes. Thin shells over `add_session_photos` and `restore_session_photo`: staff of the
booking's organisation only; every POST takes an `Idempotency-Key` (for an upload, the key
covers the files' bytes)."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from tentative.api.access import staff_actor
from tentative.api.idempotency import Result, idempotent
from tentative.api.schemas import READ_ERRORS, WRITE_ERRORS, Id, Reference, refusals
from tentative.bookings import actions
from tentative.bookings import selectors as booking_selectors
from tentative.bookings.access import access_booking_by_reference
from tentative.bookings.actions.add_session_photo import MAX_FILES, PHOTO_COUNT
from tentative.bookings.errors import PhotoTooLarge
from tentative.bookings.models import SessionPhoto
from tentative.shared.errors import InvalidInput, NotFound

router = Router(tags=["photos"])
NO_FILES = _("Send the photos as multipart/form-data, in the field “photos”.")


class PhotoOut(Schema):
    id: int
    booking: str = Field(description="The booking's reference.")
    content_type: str
    size: int = Field(description="Bytes, as stored (re-encoded, without GPS or XMP data).")
    width: int
    height: int
    uploaded_at: datetime
    uploaded_by: str
    archived: bool = Field(
        description="Archived photos are kept aside (60 days after upload) and not served; "
        "restore one with POST /photos/{id}/restore."
    )


class PhotosOut(Schema):
    photos: list[PhotoOut]


def _photo_out(photo: SessionPhoto, reference: str) -> dict[str, Any]:
    return {
        "id": photo.id,
        "booking": reference,
        "content_type": photo.content_type,
        "size": photo.size,
        "width": photo.width,
        "height": photo.height,
        "uploaded_at": photo.uploaded_at,
        "uploaded_by": photo.uploaded_by,
        "archived": photo.archived_at is not None,
    }


@router.get("/bookings/{reference}/photos", response={200: PhotosOut, **READ_ERRORS})
def booking_photos(request: HttpRequest, reference: Reference) -> object:
    actor = staff_actor(request)
    booking = access_booking_by_reference(actor, reference)
    rows = booking_selectors.booking_photos(booking)
    return {"photos": [_photo_out(r.photo, booking.reference) for r in rows]}


@router.post(
    "/bookings/{reference}/photos",
    response={201: PhotosOut, **WRITE_ERRORS},
    openapi_extra={
        **refusals((), ("not_an_image",)),
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "photos": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                        "required": ["photos"],
                    }
                }
            },
            "required": True,
        },
    },
)
@idempotent
def add_photos(request: HttpRequest, reference: Reference) -> Result:
    """Add photos to a session booking: JPEG, PNG or WebP, at most 10 MB each (413
    `photo_too_large`); one file that is not an image (422 `not_an_image`) refuses them
    all and nothing is written."""
    actor = staff_actor(request)
    booking = access_booking_by_reference(actor, reference)
    files = request.FILES.getlist("photos") if request.content_type == "multipart/form-data" else []
    if not files:
        raise InvalidInput(NO_FILES)
    # The count and each size before any file is read into memory (uploads over 2.5 MB
    # wait on disk until then): the action checks them again on the bytes.
    if len(files) > MAX_FILES:
        raise InvalidInput(PHOTO_COUNT, most=MAX_FILES)
    if any(f.size > settings.PHOTO_MAX_BYTES for f in files):
        raise PhotoTooLarge(limit=max(1, settings.PHOTO_MAX_BYTES // (1024 * 1024)))
    photos = actions.add_session_photos(booking.id, actor=actor, files=[f.read() for f in files])
    answer = PhotosOut(photos=[PhotoOut(**_photo_out(p, booking.reference)) for p in photos])
    return 201, answer.model_dump(mode="json")


@router.post(
    "/photos/{photo_id}/restore",
    response={200: PhotoOut, **WRITE_ERRORS},
    openapi_extra=refusals(("photo_not_archived",)),
)
@idempotent
def restore_photo(request: HttpRequest, photo_id: Id) -> Result:
    """Bring an archived photo back (409 `photo_not_archived` if it is not archived)."""
    actor = staff_actor(request)
    photo = actions.restore_session_photo(photo_id, actor=actor)
    return 200, PhotoOut(**_photo_out(photo, photo.booking.reference)).model_dump(mode="json")


@router.get("/photos/{photo_id}/file", response={200: None, **READ_ERRORS})
def photo_file(request: HttpRequest, photo_id: Id) -> object:
    """A photo's bytes (not an archived one's: restore it first)."""
    actor = staff_actor(request)
    photo = SessionPhoto.objects.filter(
        id=photo_id, organisation_id=actor.organisation_id, archived_at=None
    ).first()
    if photo is None:
        raise NotFound()
    return FileResponse(
        default_storage.open(photo.file.name, "rb"), content_type=photo.content_type
    )


__all__ = ["router"]
