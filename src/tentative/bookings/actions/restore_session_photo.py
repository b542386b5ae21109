"""Restore an archived session photo (staff, on request): its bytes back in the default
storage, where staff pages read them; `archived_at` cleared. Row locked and re-checked; the
archived copy deleted only after the commit."""

from __future__ import annotations

from datetime import datetime

from django.core.files.storage import default_storage

from tentative.audit import trail as audit
from tentative.bookings.actions.add_session_photo import session_booking
from tentative.bookings.actions.archive_photos import archive_storage, copy_photo
from tentative.bookings.errors import PhotoNotArchived
from tentative.bookings.models import SessionPhoto
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction


def restore_session_photo(
    photo_id: int, *, actor: Actor, now: datetime | None = None
) -> SessionPhoto:
    """Bring an archived photo back where staff pages read it."""
    now = now_or(now)
    with action_transaction():
        photo = SessionPhoto.objects.select_for_update(no_key=True).filter(id=photo_id).first()
        if photo is None:
            raise NotFound()
        booking = session_booking(actor, photo.booking_id, lock=True)
        if photo.archived_at is None:
            raise PhotoNotArchived()
        copy_photo(photo.file.name, archive_storage(), default_storage)
        photo.archived_at = None
        photo.save(update_fields=["archived_at"])
        audit.record(
            booking,
            actor=actor,
            action="photo.restore",
            at=now,
            from_state=booking.state,
            data={"photo": photo.id},
        )
    archive_storage().delete(photo.file.name)  # after the commit
    return photo
