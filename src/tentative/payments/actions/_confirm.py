"""Paid in full, an option becomes firm in the same transaction as the payment."""

from __future__ import annotations

from datetime import datetime

from tentative.bookings.actions import confirm_booking
from tentative.bookings.models import Booking
from tentative.core.money import PaymentStatus
from tentative.core.states import State
from tentative.payments.selectors import balance
from tentative.shared.actor import Actor
from tentative.shared.transactions import next_action_joins


def confirm_if_paid(booking: Booking, *, now: datetime) -> None:
    """`booking` is locked by the caller. A request is left to staff (it must be approved
    first); a lapsed or ended booking is left to the late-payment rules."""
    if booking.state != State.OPTION:
        return
    if balance(booking).status not in (PaymentStatus.PAID, PaymentStatus.OVERPAID):
        return
    with next_action_joins():
        confirm_booking(booking.id, actor=Actor.system("payment"), reason="paid", now=now)
