"""Decline a request; the optional message is for the customer's email."""

from __future__ import annotations

from datetime import datetime

from tentative.bookings.actions._step import lock_and_check, move, now_or
from tentative.bookings.models import Booking
from tentative.core.states import Action
from tentative.shared.actor import Actor
from tentative.shared.transactions import action_transaction


def decline_booking(
    booking_id: int, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> Booking:
    now = now_or(now)
    with action_transaction():
        booking, step = lock_and_check(
            booking_id, actor=actor, action=Action.DECLINE, reason=reason, now=now
        )
        return move(booking, step, actor=actor, now=now, reason=reason)
