"""The second half of the worker's pass: offer the places that freed up to the next
entries in line, first in first out.

Whatever freed the places (an option expired or released, a cancellation, a refused
request that held places, a capacity increase, a declined or lapsed offer), the pass sees
the same thing: waiting entries on a date whose pools have free places. It reads those
dates with one query (the date's general pool must have room), then for each date and
ticket type serves the queue in order: the first entry that fits gets an offer (an entry
that wants more than is free is skipped unless it accepts part), then the next, until
nothing is free or nobody fits. Each offer is its own transaction through `offer_entry`,
which locks the entry and lets the engine's take decide: two workers running the pass at
once can never give one place twice (the pool's conditional UPDATE), and never offer one
entry twice (the entry's lock and state).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import Exists, F, OuterRef

from tentative.bookings.errors import SoldOut
from tentative.catalog.models import EventDate
from tentative.inventory.models import CapacityPool
from tentative.shared.errors import CapacityBusy, DomainError
from tentative.waitlist import selectors
from tentative.waitlist.actions.offer import offer_entry
from tentative.waitlist.errors import NotEnoughPlaces, NotWaiting
from tentative.waitlist.gate import OFFER_ACTOR
from tentative.waitlist.models import WaitlistEntry

log = logging.getLogger(__name__)

# The entries of one queue looked at per pass: enough to find one that fits.
LOOK_AHEAD = 100


def offer_freed_places(*, now: datetime, limit: int = 50) -> int:
    """Returns how many offers it made."""
    room = CapacityPool.objects.filter(
        event_date_id=OuterRef("event_date_id"),
        ticket_type=None,
        reserve=None,
        capacity__gt=F("taken") + F("set_aside"),
    )
    queues = (
        WaitlistEntry.objects.filter(
            state=WaitlistEntry.State.WAITING, event_date__starts_at__gt=now
        )
        .filter(Exists(room))
        .values_list("event_date_id", "ticket_type_id", "organisation_id")
        .distinct()
        .order_by()[:limit]
    )
    return sum(_serve(date_id, type_id, org_id, now=now) for date_id, type_id, org_id in queues)


def _serve(date_id: int, type_id: int | None, organisation_id: int, *, now: datetime) -> int:
    date = EventDate.objects.get(id=date_id)
    ticket_type = selectors.ticket_type_for(date, type_id)
    if ticket_type is None:
        return 0
    offered = 0
    passed: set[int] = set()
    while True:
        try:
            free = selectors.free_places(organisation_id, date_id, ticket_type.id, now=now)
        except DomainError:
            return offered  # no longer on sale
        if free <= 0:
            return offered
        entry = next(
            (
                e
                for e in selectors.queue(date_id, type_id).exclude(id__in=passed)[:LOOK_AHEAD]
                if e.quantity <= free or e.accepts_partial
            ),
            None,
        )
        if entry is None:
            return offered
        passed.add(entry.id)
        try:
            offer_entry(entry.id, actor=OFFER_ACTOR, now=now)
        except NotWaiting:
            continue  # another worker offered it, or the visitor left
        except (SoldOut, NotEnoughPlaces, CapacityBusy):
            return offered  # the places went meanwhile: the next pass looks again
        except DomainError as refused:
            log.warning("waiting list entry %s not offered: %s", entry.id, refused.code)
            continue
        offered += 1
