"""Apply a provider's signed notification to one of our payments.

Notifications arrive late, twice and out of order, and a redirect may report the same
payment at the same moment: the payment row is locked, the notification is applied at most
once (`ProviderEvent`, unique per provider and id, read under that lock), and a payment
only moves forward (`core.payments.advances`). A bad signature, a stale timestamp or an
unknown payment is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from tentative.audit import trail as audit
from tentative.bookings.access import access_booking
from tentative.core.payments import PaymentState, advances
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.payments.actions._confirm import settle
from tentative.payments.errors import BadNotification, UnknownPayment
from tentative.payments.models import Payment, ProviderEvent
from tentative.payments.providers import PROVIDERS, BadSignature
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this very notification was applied before
    STALE = "stale"  # it says nothing newer than what we know


def receive_notification(
    provider_code: str, body: bytes, headers: Mapping[str, str], *, now: datetime | None = None
) -> Outcome:
    now = now_or(now)
    provider = PROVIDERS.get(provider_code)
    if provider is None:
        raise UnknownPayment()
    try:
        note = provider.verify(body, headers, now=now)
    except BadSignature:
        raise BadNotification() from None
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
        payment.state, payment.updated_at = note.state.value, now
        payment.save(update_fields=["state", "captured", "updated_at"])
        booking = payment.booking
        data = {"payment": payment.reference, "from": current.value, "to": note.state.value}
        audit.record(booking, actor=actor, action=f"payment.{note.state.value}", at=now, data=data)
        outbox.emit(
            booking, topics.PAYMENT_BY_STATE[note.state.value], actor=actor, at=now, data=data
        )
        if note.state == PaymentState.CAPTURED:
            settle(access_booking(actor, booking.id, lock=True), payment, now=now)
    return Outcome.APPLIED
