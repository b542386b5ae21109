"""Email a payment request's link to the customer (again), through the outbox."""

from __future__ import annotations

from datetime import datetime

from tentative.audit import trail as audit
from tentative.bookings.access import access_booking
from tentative.payments.access import access_payment_request, check_may_take
from tentative.payments.actions import _requests
from tentative.payments.models import PaymentRequest
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def send_payment_request(
    request_id: int, *, actor: Actor, now: datetime | None = None
) -> PaymentRequest:
    """A paid, withdrawn or expired link is refused: sending it would only disappoint."""
    now = now_or(now)
    check_may_take(actor)
    with action_transaction():
        # The booking first, then the request: the order every payment action locks in.
        booking_id = access_payment_request(actor, request_id).booking_id
        booking = access_booking(actor, booking_id, lock=True)
        request = access_payment_request(actor, request_id, lock=True)
        _requests.check_payable(request, booking, now)
        _requests.send(request, booking, actor=actor, now=now)
        data = {"request": request.id, "sent_count": request.sent_count}
        audit.record(booking, actor=actor, action="payment.request_sent", at=now, data=data)
    return request
