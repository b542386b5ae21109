"""Record money taken at the desk (cash, card terminal, bank transfer), or open a payment
with the simulated card processor, whose notifications then move it (receive_notification).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tentative import compiled
from tentative.audit import trail as audit
from tentative.bookings.access import access_booking
from tentative.core.payments import PaymentState
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.payments.access import check_may_take
from tentative.payments.actions._confirm import settle
from tentative.payments.actions._money import amount_in
from tentative.payments.errors import NotPayable
from tentative.payments.models import Payment
from tentative.payments.selectors import owes
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def record_payment(
    booking_id: int,
    *,
    actor: Actor,
    amount: Decimal,
    method: str = Payment.Method.CASH,
    note: str = "",
    now: datetime | None = None,
) -> Payment:
    """Offline methods are captured at once; `card` opens a simulated card payment."""
    now = now_or(now)
    check_may_take(actor)
    with action_transaction():
        booking = access_booking(actor, booking_id, lock=True)
        if not owes(booking):  # cancelled or declined: nothing to pay, money to give back
            raise NotPayable(state=booking.state)
        money = amount_in(amount, booking.currency)
        online = method == Payment.Method.CARD
        payment = Payment(
            organisation_id=booking.organisation_id,
            booking=booking,
            provider="simulated" if online else "offline",
            method=method,
            state=(PaymentState.CREATED if online else PaymentState.CAPTURED).value,
            amount=money.amount,
            captured=Decimal(0) if online else money.amount,
            currency=booking.currency,
            note=note,
            created_at=now,
            updated_at=now,
        )
        compiled.insert([payment])
        data = {"payment": payment.reference, "amount": str(money.amount), "method": method}
        audit.record(booking, actor=actor, action="payment.record", at=now, data=data)
        topic = topics.PAYMENT_STARTED if online else topics.PAYMENT_CAPTURED
        outbox.emit(booking, topic, actor=actor, at=now, data=data)
        if not online:
            settle(booking, payment, now=now)
    return payment
