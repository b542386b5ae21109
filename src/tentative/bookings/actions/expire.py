"""Expire bookings: one by hand (staff release an option), or every lapsed one at once.

`expire_lapsed` is set-based (one UPDATE, bulk audit and outbox rows) because the sweep may
face 100,000 overdue options; its body (`_lapsed.reclaim_lapsed`) is also what `take` calls
inline when a pool or a slot is in the way.
"""

from __future__ import annotations

from datetime import datetime

from tentative.bookings.actions._lapsed import (
    EXPIRABLE,
    lapsed_bookings,
    lapsed_holders_of_date,
    reclaim_lapsed,
)
from tentative.bookings.actions._step import lock_and_check, move, now_or
from tentative.bookings.models import Booking
from tentative.core.states import Action
from tentative.shared.actor import Actor
from tentative.shared.transactions import action_transaction

__all__ = [
    "EXPIRABLE",
    "expire_booking",
    "expire_lapsed",
    "lapsed_bookings",
    "lapsed_holders_of_date",
]


def expire_booking(
    booking_id: int, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> Booking:
    now = now_or(now)
    with action_transaction():
        booking, step = lock_and_check(
            booking_id, actor=actor, action=Action.EXPIRE, reason=reason, now=now
        )
        return move(booking, step, actor=actor, now=now, reason=reason)


def expire_lapsed(
    *, now: datetime | None = None, pool_id: int | None = None, limit: int | None = None
) -> list[int]:
    """Expire what has lapsed (on one pool, or everywhere); returns the ids expired."""
    with action_transaction():
        return reclaim_lapsed(now=now_or(now), pool_id=pool_id, limit=limit)
