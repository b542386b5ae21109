"""Bookings past their enforced limit, and expiring them inside the caller's transaction.

DESIGN §2.2 #6: such a booking never blocks another, even before the sweep: `take` (places
and time alike) expires the lapsed holders in its way and tries again. The sweep, the
`expire_lapsed` action and that inline reclaim share `reclaim_lapsed`.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from tentative.audit import trail as audit
from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking
from tentative.core.deadlines import AtLimit
from tentative.core.states import Action, State
from tentative.inventory import capacity
from tentative.inventory.models import CapacityPool, Hold
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.shared.actor import Actor

EXPIRABLE = [State.QUOTE.value, State.REQUEST.value, State.OPTION.value]


def lapsed_bookings(now: datetime, prefix: str = "") -> Q:
    """Tentative bookings past their enforced limit whose action there is 'release'
    (`prefix` reaches them from another model, e.g. "line__booking__")."""
    return Q(
        **{
            f"{prefix}state__in": EXPIRABLE,
            f"{prefix}at_limit": AtLimit.RELEASE.value,
            f"{prefix}deadline_enforced__lte": now,
        }
    )


def lapsed_holders_of_date(now: datetime, pool_id: int) -> QuerySet[Booking]:
    """Lapsed bookings holding any pool of that pool's date, not only that pool: expiring a
    booking drawn from a reserve may give its place to general sale (a reserve that sends
    cancelled places there, archived, or past its release)."""
    date_of_pool = CapacityPool.objects.filter(id=pool_id).values("event_date_id")
    # A correlated EXISTS, not `id IN (holders of the date)`: PostgreSQL then starts from the
    # few lapsed bookings (a partial index) instead of every hold of a busy date.
    holds_there = Hold.objects.filter(
        line__booking_id=OuterRef("id"), pool__event_date_id__in=date_of_pool
    )
    return Booking.objects.filter(lapsed_bookings(now), Exists(holds_there), holds_capacity=True)


def reclaim_lapsed(
    *,
    now: datetime,
    pool_id: int | None = None,
    booking_ids: list[int] | None = None,
    limit: int | None = None,
    wait: bool = False,
) -> list[int]:
    """Expire what has lapsed — everywhere, on one pool's date, or among `booking_ids` (the
    holders of a claim in the way) — inside the caller's transaction; returns the ids.

    The sweep skips rows another transaction has locked (that one is deciding on them right
    now). The inline reclaim in `take` waits for them instead (`wait=True`), which is safe
    only because it holds no pool lock then; after the wait, a row that the other
    transaction expired or confirmed no longer matches and is left alone.
    """
    actor = Actor.system("deadline")
    if pool_id is not None:
        candidates = lapsed_holders_of_date(now, pool_id)
    else:
        candidates = Booking.objects.filter(lapsed_bookings(now))
        if booking_ids is not None:
            candidates = candidates.filter(id__in=booking_ids)
    candidates = candidates.select_for_update(skip_locked=not wait, no_key=True).order_by("id")
    expired = list(candidates[:limit] if limit else candidates)
    if not expired:
        return []
    ids = [b.id for b in expired]
    holding = [b.id for b in expired if b.holds_capacity]
    for start in range(0, len(ids), capacity.IDS_PER_STATEMENT):
        Booking.objects.filter(id__in=ids[start : start + capacity.IDS_PER_STATEMENT]).update(
            state=State.EXPIRED.value, holds_capacity=False, updated_at=now
        )
    if holding:
        capacity.give_back_bookings(holding)
    sources = {b.id: b.state for b in expired}
    for booking in expired:
        booking.state, booking.holds_capacity = State.EXPIRED.value, False
    AuditEntry.objects.bulk_create(
        (
            audit.entry(
                b, actor=actor, action=Action.EXPIRE.value, at=now, from_state=sources[b.id]
            )
            for b in expired
        ),
        batch_size=500,
    )
    outbox.emit_many(
        outbox.event_for(
            b, topics.BOOKING_EXPIRED, actor=actor, at=now, data={"from_state": sources[b.id]}
        )
        for b in expired
    )
    return ids
