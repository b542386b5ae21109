"""Withdraw a payment link: it can no longer be paid (a payment page already opened through
it may still complete, as a real processor's session would; the money then counts)."""

from __future__ import annotations

from datetime import datetime

from tentative.audit import trail as audit
from tentative.bookings.access import access_booking
from tentative.payments.access import access_payment_request, check_may_take
from tentative.payments.errors import RequestCancelled, RequestPaid
from tentative.payments.models import PaymentRequest
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def cancel_payment_request(
    request_id: int, *, actor: Actor, now: datetime | None = None
) -> PaymentRequest:
    """An expired link may be withdrawn too (it then reads "withdrawn")."""
    now = now_or(now)
    check_may_take(actor)
    with action_transaction():
        booking_id = access_payment_request(actor, request_id).booking_id
        booking = access_booking(actor, booking_id, lock=True)
        request = access_payment_request(actor, request_id, lock=True)
        if request.state == PaymentRequest.State.PAID:
            raise RequestPaid()
        if request.state == PaymentRequest.State.CANCELLED:
            raise RequestCancelled()
        request.state = PaymentRequest.State.CANCELLED
        request.save(update_fields=["state"])
        data = {"request": request.id}
        audit.record(booking, actor=actor, action="payment.request_cancelled", at=now, data=data)
    return request
