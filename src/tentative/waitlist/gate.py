"""Freed places go to the waiting list first (DESIGN §1.6; pretix does the same for a quota
with a waiting list): while entries wait for a date, a booking that is not the waiting
list's own offer, and not made by staff, may only take the places beyond what the waiting
entries want. The engine's create action asks this gate (`bookings.gates`), so the rule
holds for every face: the public pages, the personal space, an embedded widget.

Staff (back office, API tokens) are not held back: they decide, and may offer places from
the list by hand. The rule reads the queue without a lock: an entry that joins at the very
moment a visitor books may lose those places to them, which is the order they came in.
"""

from __future__ import annotations

from datetime import datetime

from tentative.bookings.offers import LineRequest, Resolved
from tentative.shared.actor import Actor, ActorKind
from tentative.waitlist import selectors
from tentative.waitlist.errors import KeptForWaitingList

# Who makes the offers of the worker's pass (and is let through this gate).
OFFER_ACTOR = Actor.system("waiting list")


def keep_for_waiting_list(actor: Actor, resolved: Resolved, now: datetime) -> None:
    if actor.kind == ActorKind.STAFF or actor == OFFER_ACTOR:
        return
    tickets = [offer for offer in resolved.offers if isinstance(offer.request, LineRequest)]
    if not tickets:
        return
    dates = {offer.request.event_date_id for offer in tickets}  # type: ignore[union-attr]
    kept = selectors.kept_for_list(dates)
    if not kept:
        return
    for offer in tickets:
        request = offer.request
        assert isinstance(request, LineRequest)
        waiting = selectors.kept_for(kept, request.event_date_id, request.ticket_type_id)
        free = min(resolved.free.get(pool_id, 0) for pool_id in offer.pools)
        if waiting and free - waiting < offer.quantity:
            raise KeptForWaitingList()
