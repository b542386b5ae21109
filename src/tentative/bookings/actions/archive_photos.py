"""Archive old session photos (the worker, every few hours; `restore_session_photo` undoes it).

Archiving moves a photo's bytes from the default storage (the one staff pages read) to
`STORAGES["photo_archive"]`, which no page reads, and sets `archived_at`: the photo stays
listed, as archived. Restoring moves them back. Each photo is handled in its own
transaction with its row locked and re-checked, so two workers, or a worker and a
restoring staff member, never move one file twice: the copy is written before the row
changes and the source deleted only after the commit (a failure between leaves a spare
copy, never a row without its file).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import Storage, default_storage, storages

from tentative.audit import trail as audit
from tentative.bookings.models import SessionPhoto
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

BATCH = 200


def archive_storage() -> Storage:
    return storages["photo_archive"]


def copy_photo(name: str, source: Storage, target: Storage) -> None:
    if target.exists(name):
        target.delete(name)
    with source.open(name, "rb") as handle:
        saved = target.save(name, handle)
    if saved != name:  # a storage that renamed it: keep the row's name true
        raise OSError(f"storage saved {name} as {saved}")


def archive_old_photos(*, now: datetime | None = None, actor: Actor | None = None) -> int:
    """Photos uploaded more than `PHOTO_ARCHIVE_AFTER_DAYS` ago, at most `BATCH` per run."""
    now = now_or(now)
    actor = actor or Actor.system("worker")
    before = now - timedelta(days=settings.PHOTO_ARCHIVE_AFTER_DAYS)
    due = list(
        SessionPhoto.objects.filter(archived_at__isnull=True, uploaded_at__lt=before)
        .order_by("uploaded_at")
        .values_list("id", flat=True)[:BATCH]
    )
    done = 0
    for photo_id in due:
        with action_transaction():
            photo = (
                SessionPhoto.objects.select_for_update(no_key=True)
                .select_related("booking")
                .filter(id=photo_id, archived_at__isnull=True)
                .first()
            )
            if photo is None:
                continue
            copy_photo(photo.file.name, default_storage, archive_storage())
            photo.archived_at = now
            photo.save(update_fields=["archived_at"])
            audit.record(
                photo.booking,
                actor=actor,
                action="photo.archive",
                at=now,
                from_state=photo.booking.state,
                data={"photo": photo.id},
            )
        default_storage.delete(photo.file.name)  # after the commit: the row says "archive"
        done += 1
    return done
