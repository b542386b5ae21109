"""What the bookings give the worker: archiving session photos older than 60 days."""

from datetime import datetime, timedelta

from tentative.bookings.actions import archive_old_photos
from tentative.worker.registry import periodic


@periodic("photos", every=timedelta(hours=6))
def archive_photos(now: datetime) -> int:
    return archive_old_photos(now=now)
