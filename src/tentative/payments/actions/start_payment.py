"""Open a payment with an online provider (the simulated card): the customer then pays on
the provider's hosted page, and its notifications and the return page move the payment.

A hosted session lives at most 24 hours, so each visit of a pay page opens a fresh payment;
one never used stays `created`. With `capture_later` the card is only authorised, to be
captured or voided later (`Provider.capture`/`void`, charge after approval).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tentative import compiled
from tentative.audit import trail as audit
from tentative.bookings.access import access_booking
from tentative.bookings.models import Booking
from tentative.core.payments import PaymentState
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.payments.actions._money import amount_in
from tentative.payments.models import Payment, PaymentRequest
from tentative.payments.providers import PROVIDERS, NotSupported
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def start_payment(
    booking_id: int,
    *,
    actor: Actor,
    amount: Decimal,
    capture_later: bool = False,
    provider: str = "simulated",
    now: datetime | None = None,
) -> Payment:
    """Staff, the system, or the booking's own customer (access_booking scopes each)."""
    now = now_or(now)
    with action_transaction():
        booking = access_booking(actor, booking_id, lock=True)
        money = amount_in(amount, booking.currency)
        return open_payment(
            booking,
            money.amount,
            actor=actor,
            capture_later=capture_later,
            provider=provider,
            now=now,
        )


def open_payment(
    booking: Booking,
    amount: Decimal,
    *,
    actor: Actor,
    now: datetime,
    capture_later: bool = False,
    provider: str = "simulated",
    request: PaymentRequest | None = None,
) -> Payment:
    """In the caller's action, the booking locked and the amount checked."""
    if capture_later and not PROVIDERS[provider].capabilities.capture_later:
        raise NotSupported(f"{provider} cannot capture later")
    payment = Payment(
        organisation_id=booking.organisation_id,
        booking=booking,
        provider=provider,
        method=Payment.Method.CARD,
        state=PaymentState.CREATED.value,
        amount=amount,
        currency=booking.currency,
        capture_later=capture_later,
        request=request,
        created_at=now,
        updated_at=now,
    )
    compiled.insert([payment])
    data = {
        "payment": payment.reference,
        "amount": str(amount),
        "method": payment.method,
        "capture_later": capture_later,
        **({"request": request.id} if request else {}),
    }
    audit.record(booking, actor=actor, action="payment.start", at=now, data=data)
    outbox.emit(booking, topics.PAYMENT_STARTED, actor=actor, at=now, data=data)
    return payment
