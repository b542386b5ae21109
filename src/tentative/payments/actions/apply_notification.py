"""Apply what a provider says happened to one of our payments, once verified.

Notifications arrive late, twice and out of order, and a redirect may report the same
payment at the same moment: the payment row is locked, the notification is applied at most
once (`ProviderEvent`, unique per provider and id, read under that lock), and a payment
only moves forward (`core.payments.advances`). A capture settles the booking (`settle`) and
marks the payment request it came through as paid, in the same transaction.

Callers: `receive_notification` (a signed notification, verified first), the return page
of a hosted payment (the processor's answer, under an event id of its own) and whoever
captures or voids an authorisation (`Provider.capture`/`void` return the notification).
Its own transaction; inside another action, wrap the call in `next_action_joins()`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from tentative.audit import trail as audit
from tentative.bookings.access import access_booking
from tentative.core.money import Money
from tentative.core.payments import PaymentState, advances
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.payments.actions._confirm import settle
from tentative.payments.errors import BadNotification, UnknownPayment
from tentative.payments.models import Payment, PaymentRequest, ProviderEvent
from tentative.payments.providers import Notification
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this very notification was applied before
    STALE = "stale"  # it says nothing newer than what we know


def apply_notification(
    provider_code: str, note: Notification, *, now: datetime | None = None
) -> Outcome:
    now = now_or(now)
    actor = Actor.system(f"provider:{provider_code}")
    with action_transaction():
        payment = (
            Payment.objects.select_for_update(no_key=True)
            .filter(reference=note.payment_reference, provider=provider_code)
            .first()
        )
        if payment is None:
            raise UnknownPayment()
        if ProviderEvent.objects.filter(provider=provider_code, event_id=note.event_id).exists():
            return Outcome.DUPLICATE
        ProviderEvent.objects.create(
            provider=provider_code,
            event_id=note.event_id,
            payment=payment,
            kind=note.state.value,
            received_at=now,
        )
        current = PaymentState(payment.state)
        if not advances(current, note.state):
            return Outcome.STALE
        if note.state == PaymentState.CAPTURED:
            captured = note.captured if note.captured > 0 else payment.amount
            if captured > payment.amount:
                raise BadNotification()
            payment.captured = captured
        if note.state == PaymentState.AUTHORISED and note.authorised_until is not None:
            payment.authorised_until = note.authorised_until
        payment.state, payment.updated_at = note.state.value, now
        payment.save(update_fields=["state", "captured", "authorised_until", "updated_at"])
        booking = payment.booking
        # What a webhook receiver needs to book the money without asking us back.
        data = {
            "payment": payment.reference,
            "from": current.value,
            "to": note.state.value,
            "amount": str(Money(payment.amount, payment.currency).amount),
            "captured": str(Money(payment.captured, payment.currency).amount),
            "currency": payment.currency,
            "provider": payment.provider,
            "method": payment.method,
        }
        audit.record(booking, actor=actor, action=f"payment.{note.state.value}", at=now, data=data)
        outbox.emit(
            booking, topics.PAYMENT_BY_STATE[note.state.value], actor=actor, at=now, data=data
        )
        if note.state == PaymentState.CAPTURED:
            if payment.request_id is not None:
                PaymentRequest.objects.filter(
                    id=payment.request_id, state=PaymentRequest.State.OPEN
                ).update(state=PaymentRequest.State.PAID, paid_at=now)
            settle(access_booking(actor, booking.id, lock=True), payment, now=now)
    return Outcome.APPLIED
