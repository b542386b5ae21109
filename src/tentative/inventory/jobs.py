"""What the inventory gives the worker: reserves whose scheduled release has come, and
their notices the day before."""

from datetime import datetime

from tentative.inventory.actions import ReleaseOutcome, release_due_reserves
from tentative.worker.registry import periodic


@periodic("reserves")
def release_reserves(now: datetime) -> ReleaseOutcome:
    return release_due_reserves(now=now)
