"""Approve a request (seed 000, seed 003): it becomes an option awaiting payment, or firm.

Approving re-checks capacity when the request did not hold places, and can be refused.
"""

from __future__ import annotations

from datetime import datetime

from tentative.bookings.actions._step import lock_and_check, move_with_new_deadline, now_or
from tentative.bookings.models import Booking
from tentative.core.states import Action, State
from tentative.shared.actor import Actor
from tentative.shared.transactions import action_transaction


def approve_booking(
    booking_id: int,
    *,
    actor: Actor,
    target: State = State.CONFIRMED,
    reason: str = "",
    now: datetime | None = None,
) -> Booking:
    now = now_or(now)
    with action_transaction():
        booking, step = lock_and_check(
            booking_id, actor=actor, action=Action.APPROVE, target=target, reason=reason, now=now
        )
        return move_with_new_deadline(booking, step, actor=actor, now=now, reason=reason)
