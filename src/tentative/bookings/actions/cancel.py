"""Cancel a booking, with a reason (required for a firm booking: money is at stake)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tentative.bookings.actions._step import lock_and_check, move, now_or
from tentative.bookings.models import Booking
from tentative.core.states import Action
from tentative.shared.actor import Actor
from tentative.shared.transactions import action_transaction


def cancel_booking(
    booking_id: int,
    *,
    actor: Actor,
    reason: str = "",
    now: datetime | None = None,
    event: dict[str, Any] | None = None,
) -> Booking:
    """`event`: more for the cancellation's outbox event (the money given back with it)."""
    now = now_or(now)
    with action_transaction():
        booking, step = lock_and_check(
            booking_id, actor=actor, action=Action.CANCEL, reason=reason, now=now
        )
        return move(booking, step, actor=actor, now=now, reason=reason, event=event)
