"""One module per verb: the only code that changes a capacity reserve.

Every action checks rights (owners and managers), locks the reserve, re-checks on fresh
rows, moves places in pool-id order, and writes its audit entry in the same transaction.
Booking from a reserve is `bookings.actions.create_booking` with `LineRequest.reserve_id`.
"""

from tentative.inventory.actions._catalogue import MAX_CAPACITY
from tentative.inventory.actions._common import MAX_PLACES
from tentative.inventory.actions.add_dates import add_dates
from tentative.inventory.actions.archive_reserve import archive_reserve
from tentative.inventory.actions.configure_reserve import configure_reserve
from tentative.inventory.actions.create_reserve import create_reserve
from tentative.inventory.actions.release_due import ReleaseOutcome, release_due_reserves
from tentative.inventory.actions.release_places import release_places
from tentative.inventory.actions.rename_reserve import rename_reserve
from tentative.inventory.actions.restrict_reserve import restrict_reserve
from tentative.inventory.actions.schedule_release import schedule_release
from tentative.inventory.actions.set_allocation import set_allocation
from tentative.inventory.actions.set_capacity import set_capacity
from tentative.inventory.actions.set_quota import set_quota
from tentative.inventory.actions.sync_place_dates import (
    PlaceDates,
    sync_all_place_dates,
    sync_place_dates,
)
from tentative.inventory.reserves import Resized

__all__ = [
    "MAX_CAPACITY",
    "MAX_PLACES",
    "PlaceDates",
    "ReleaseOutcome",
    "Resized",
    "add_dates",
    "archive_reserve",
    "configure_reserve",
    "create_reserve",
    "release_due_reserves",
    "release_places",
    "rename_reserve",
    "restrict_reserve",
    "schedule_release",
    "set_allocation",
    "set_capacity",
    "set_quota",
    "sync_all_place_dates",
    "sync_place_dates",
]
