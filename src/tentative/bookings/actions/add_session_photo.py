"""Add photos to a room session's booking (seed 004 "Photos"): staff only.

Each file is checked and re-encoded without location data (`_photo_file.clean_photo`)
before anything is written; one bad file refuses the whole upload (the error names it), so
nothing is half-added. The bytes go to Django's default storage; should the transaction
fail after they were written, they are deleted again, so no file is left without its row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from tentative.audit import trail as audit
from tentative.bookings.access import access_booking
from tentative.bookings.actions._photo_file import clean_photo
from tentative.bookings.models import Booking, SessionPhoto
from tentative.catalog.models import Service
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.clock import now_or
from tentative.shared.errors import Forbidden, InvalidInput, NotFound
from tentative.shared.transactions import action_transaction

MAX_FILES = 20
PHOTO_COUNT = _("Choose between one and %(most)s photos.")


def session_booking(actor: Actor, booking_id: int, *, lock: bool = False) -> Booking:
    """The booking, if it is a room session's and the actor is its organisation's staff."""
    if actor.kind != ActorKind.STAFF:
        raise Forbidden()
    booking = access_booking(actor, booking_id, lock=lock)
    if not booking.lines.filter(service__kind=Service.Kind.ROOM_SESSION).exists():
        raise NotFound()
    return booking


def add_session_photos(
    booking_id: int,
    *,
    actor: Actor,
    files: Sequence[bytes],
    now: datetime | None = None,
) -> list[SessionPhoto]:
    now = now_or(now)
    session_booking(actor, booking_id)  # refuse early, before decoding anything
    if not files or len(files) > MAX_FILES:
        raise InvalidInput(PHOTO_COUNT, most=MAX_FILES)
    cleaned = [clean_photo(data, max_bytes=settings.PHOTO_MAX_BYTES) for data in files]
    written: list[str] = []
    try:
        with action_transaction():
            booking = session_booking(actor, booking_id, lock=True)
            photos = []
            for photo in cleaned:
                row = SessionPhoto(
                    organisation_id=booking.organisation_id,
                    booking=booking,
                    content_type=photo.content_type,
                    size=len(photo.data),
                    width=photo.width,
                    height=photo.height,
                    uploaded_at=now,
                    uploaded_by=actor.label,
                )
                row.file.save(
                    f"{uuid.uuid4().hex}.{photo.extension}", ContentFile(photo.data), save=False
                )
                written.append(row.file.name)
                row.save()
                photos.append(row)
            audit.record(
                booking,
                actor=actor,
                action="photo.add",
                at=now,
                from_state=booking.state,
                data={"photos": [p.id for p in photos], "count": len(photos)},
            )
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return photos
