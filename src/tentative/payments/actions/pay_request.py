"""Whoever holds a payment link pays it: each visit of the pay page opens a fresh payment
with the simulated card for what the link asks (never more than is still due)."""

from __future__ import annotations

from datetime import datetime

from tentative.bookings.access import access_booking
from tentative.payments.access import request_by_token
from tentative.payments.actions import _requests
from tentative.payments.actions.start_payment import open_payment
from tentative.payments.errors import NothingDue
from tentative.payments.models import Payment
from tentative.payments.selectors import balance
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def pay_request(token: str, *, now: datetime | None = None) -> Payment:
    """Refused, with nothing written, when the link is expired, paid or withdrawn, or the
    booking was cancelled or declined, or nothing is due any more."""
    now = now_or(now)
    actor = Actor.system("payment link")
    with action_transaction():
        booking = access_booking(actor, request_by_token(token).booking_id, lock=True)
        request = request_by_token(token, lock=True)
        _requests.check_payable(request, booking, now)
        outstanding = balance(booking).outstanding.amount
        if outstanding <= 0:
            raise NothingDue()
        amount = min(request.amount, outstanding)
        return open_payment(booking, amount, actor=actor, request=request, now=now)
