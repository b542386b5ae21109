"""A visitor books an appointment on a service's public page (issue 13 item 3, seed 003).

One action, one transaction: the customer is found by email in the organisation (else
created, never changed from a public form), then the booking is created by `create_booking`
as the visitor's own:

- a *request* when the service needs approval for that start (`Service.needs_approval`:
  always, or only below N hours' notice): staff decide, nothing is paid online (seed 003);
- else an *option* to pay at once (the page sends the visitor to the payment), or, when
  there is nothing to pay, a confirmed booking (the system confirms it, as a free checkout).

The start is checked by the engine as for any customer's booking (`offers.SlotRules`: the
staff member's hours, the notice, the horizon, the slot grid, the clocks: a typed
`UnbookableTime` before anything is written); the time claim (the database's rule) refuses
a slot taken meanwhile. The answers to the
service's questions are kept on the booking with their labels; the per-customer cap of
open requests and reservations applies as at the checkout.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from tentative.bookings.actions._deadline import pay_now_fields
from tentative.bookings.actions._step import move
from tentative.bookings.actions.checkout import (
    PAY_WINDOW,
    Contact,
    _check_open,
    _clean_contact,
    _customer,
)
from tentative.bookings.actions.create import create_booking
from tentative.bookings.models import Booking
from tentative.bookings.offers import SlotRequest
from tentative.catalog.models import Service
from tentative.core import states
from tentative.core.states import Action, State
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.errors import InvalidInput, NotFound
from tentative.shared.transactions import action_transaction, next_action_joins

NOT_OFFERED = _("This staff member does not offer this service: choose another one.")


def request_appointment(
    *,
    actor: Actor,
    organisation_id: int,
    service_id: int,
    resource_id: int,
    starts_at: datetime,
    contact: Contact,
    answers: dict[str, dict[str, Any]] | None = None,
    now: datetime | None = None,
) -> Booking:
    now = now_or(now)
    check_organisation(actor, organisation_id)
    contact = _clean_contact(contact)
    service = (
        Service.objects.select_related("organisation")
        .filter(organisation_id=organisation_id, id=service_id, kind=Service.Kind.APPOINTMENT)
        .first()
    )
    if service is None:
        raise NotFound()
    if not service.resources.filter(id=resource_id, archived_at=None).exists():
        raise InvalidInput(NOT_OFFERED, field="resource")
    mode = State.REQUEST if service.needs_approval(starts_at, now) else State.OPTION
    with action_transaction():
        customer = _customer(organisation_id, contact)
        visitor = Actor.customer(customer, via="public")
        with next_action_joins():
            booking = create_booking(
                actor=visitor,
                organisation_id=organisation_id,
                mode=mode,
                lines=[SlotRequest(service.id, resource_id, starts_at, 1)],
                language=contact.language or None,
                now=now,
            )
        _check_open(booking, contact.email, now=now)
        booking.answers = dict(answers or {})
        booking.checkout_mode = "request" if mode == State.REQUEST else "buy"
        fields = ["answers", "checkout_mode"]
        if mode == State.OPTION:
            # Booked now, paid now: the slot is kept for the payment only.
            paid_now = pay_now_fields(min(now + PAY_WINDOW, starts_at), language=booking.language)
            for name, value in paid_now.items():
                setattr(booking, name, value)
            fields += list(paid_now)
        booking.save(update_fields=fields)
        if mode == State.OPTION and booking.total <= 0:
            # Nothing to pay: firm at once (the system confirms it, as a free checkout).
            step = states.transition(State.OPTION, Action.CONFIRM)
            booking = move(booking, step, actor=Actor.system("public booking"), now=now)
    return booking
