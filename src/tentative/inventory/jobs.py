"""What the inventory gives the worker: reserves whose scheduled release has come, and
their notices the day before; the dates of rooms that sell places, a day further ahead."""

from datetime import datetime, timedelta

from tentative.inventory.actions import ReleaseOutcome, release_due_reserves, sync_all_place_dates
from tentative.worker.registry import periodic


@periodic("reserves")
def release_reserves(now: datetime) -> ReleaseOutcome:
    return release_due_reserves(now=now)


@periodic("place_dates", every=timedelta(hours=6))
def extend_place_dates(now: datetime) -> int:
    return sync_all_place_dates(now=now)
