"""Expire bookings: one by hand (staff release an option), or every lapsed one at once.

`expire_lapsed` is set-based (one UPDATE, bulk audit and outbox rows) because the sweep may
face 100,000 overdue options, and because `take` calls it inline when a pool looks full.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from tentative.audit import trail as audit
from tentative.audit.models import AuditEntry
from tentative.bookings.actions._capacity import give_back_for
from tentative.bookings.actions._step import lock_and_check, move, now_or
from tentative.bookings.models import Booking
from tentative.core.deadlines import AtLimit
from tentative.core.states import Action, State
from tentative.inventory import capacity
from tentative.inventory.models import CapacityPool, Hold
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.shared.actor import Actor
from tentative.shared.transactions import action_transaction

EXPIRABLE = [State.QUOTE.value, State.REQUEST.value, State.OPTION.value]


def expire_booking(
    booking_id: int, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> Booking:
    now = now_or(now)
    with action_transaction():
        booking, step = lock_and_check(
            booking_id, actor=actor, action=Action.EXPIRE, reason=reason, now=now
        )
        return move(booking, step, actor=actor, now=now, reason=reason)


def lapsed_bookings(now: datetime) -> Q:
    """Tentative bookings past their enforced limit whose action there is 'release'."""
    return Q(state__in=EXPIRABLE, at_limit=AtLimit.RELEASE.value, deadline_enforced__lte=now)


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


def expire_lapsed(
    *, now: datetime | None = None, pool_id: int | None = None, limit: int | None = None
) -> list[int]:
    """Expire what has lapsed (on one pool, or everywhere); returns the ids expired."""
    with action_transaction():
        return reclaim_lapsed(now=now_or(now), pool_id=pool_id, limit=limit)


def reclaim_lapsed(
    *, now: datetime, pool_id: int | None = None, limit: int | None = None, wait: bool = False
) -> list[int]:
    """The body of `expire_lapsed`, inside the caller's transaction.

    The sweep skips rows another transaction has locked (that one is deciding on them right
    now). The inline reclaim in `take` waits for them instead (`wait=True`), which is safe
    only because it holds no pool lock then; after the wait, a row that the other
    transaction expired or confirmed no longer matches and is left alone.
    """
    actor = Actor.system("deadline")
    if pool_id is None:
        candidates = Booking.objects.filter(lapsed_bookings(now))
    else:
        candidates = lapsed_holders_of_date(now, pool_id)
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
        give_back_for(holding)
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
