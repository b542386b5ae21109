"""Authorise the card when a request is made (charge after approval, `authorise` mode).

A payment with `capture_later` for what the request costs: the customer authorises it on
the processor's hosted page, the worker captures it once staff approve and voids it if
they refuse (`collect_after_approval`). Until then staff see "decide within …": the
earlier of the request's deadline and the end of the authorisation.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from tentative.bookings.access import access_booking
from tentative.core.approval import Charge
from tentative.core.payments import PaymentState
from tentative.core.states import State
from tentative.payments.actions.start_payment import open_payment
from tentative.payments.errors import AlreadyAuthorised, NotAuthorisable, NothingDue
from tentative.payments.models import Payment
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def authorise_request(booking_id: int, *, actor: Actor, now: datetime | None = None) -> Payment:
    """Staff, the system, or the booking's own customer (access_booking scopes each)."""
    now = now_or(now)
    with action_transaction():
        booking = access_booking(actor, booking_id, lock=True)
        terms = [
            line.ticket_type or line.service
            for line in booking.lines.select_related("ticket_type", "service")
        ]
        if booking.state != State.REQUEST or not any(
            t.approval_charge == Charge.AUTHORISE for t in terms
        ):
            raise NotAuthorisable()
        if booking.total <= 0:
            raise NothingDue()
        live = Payment.objects.filter(
            booking=booking, capture_later=True, state=PaymentState.AUTHORISED.value
        ).filter(Q(authorised_until__isnull=True) | Q(authorised_until__gt=now))
        if live.exists():
            raise AlreadyAuthorised()
        return open_payment(booking, booking.total, actor=actor, capture_later=True, now=now)
