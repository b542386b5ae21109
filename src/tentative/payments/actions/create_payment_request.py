"""Staff ask the customer to pay part or all of a booking through a link (seed 004).

The amount defaults to what is still due and may not exceed it; the expiry follows the
option's deadline (`_requests.expiry`). With `send`, the link is emailed at once.

`reuse_open`: for a page that gives the customer a link to pay what is due (a waiting-list
offer's *Pay now*, clicked as often as the customer likes): an open, unexpired link of the
booking for exactly what is still due is returned as it is, so each click does not add one.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tentative.audit import trail as audit
from tentative.bookings.access import access_booking
from tentative.payments.access import check_may_take
from tentative.payments.actions import _requests
from tentative.payments.actions._money import amount_in
from tentative.payments.errors import AmountAboveBalance, NothingDue
from tentative.payments.models import PaymentRequest
from tentative.payments.selectors import balance
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def create_payment_request(
    booking_id: int,
    *,
    actor: Actor,
    amount: Decimal | None = None,
    expires_at: datetime | None = None,
    send: bool = False,
    reuse_open: bool = False,
    now: datetime | None = None,
) -> PaymentRequest:
    now = now_or(now)
    check_may_take(actor)
    with action_transaction():
        booking = access_booking(actor, booking_id, lock=True)
        _requests.check_requestable(booking)
        outstanding = balance(booking).outstanding
        if reuse_open and amount is None:
            # Read under the booking's lock: two clicks at once find one link, not none.
            open_link = (
                PaymentRequest.objects.filter(
                    booking=booking,
                    state=PaymentRequest.State.OPEN,
                    expires_at__gt=now,
                    amount=outstanding.amount,
                )
                .order_by("-created_at", "-id")
                .first()
            )
            if open_link is not None:
                return open_link
        if amount is None:
            if outstanding.amount <= 0:
                raise NothingDue()
            amount = outstanding.amount
        money = amount_in(amount, booking.currency)
        if money.amount > outstanding.amount:
            if outstanding.amount <= 0:
                raise NothingDue()
            raise AmountAboveBalance(outstanding=outstanding)
        request = PaymentRequest.objects.create(
            organisation_id=booking.organisation_id,
            booking=booking,
            amount=money.amount,
            currency=booking.currency,
            expires_at=_requests.expiry(booking, expires_at, now),
            created_by=actor.label,
            created_at=now,
        )
        data = {
            "request": request.id,
            "amount": str(money.amount),
            "expires_at": request.expires_at.isoformat(),
        }
        audit.record(booking, actor=actor, action="payment.request", at=now, data=data)
        if send:
            _requests.send(request, booking, actor=actor, now=now)
    return request
