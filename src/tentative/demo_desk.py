"""Demo data of the organiser's desk (issue 11, the rest): a booking moved from one ticket
type to another at the desk, so its history, the dashboard and the bookings list show the
sentence with both types and the new total; the public pages offer French and English."""

from __future__ import annotations

from datetime import datetime

from tentative.accounts import actions as accounts
from tentative.accounts.models import Customer, Organisation
from tentative.bookings import actions
from tentative.bookings.actions import Destination, LineRequest
from tentative.catalog.models import EventDate, TicketType
from tentative.core.states import State
from tentative.shared.actor import Actor


def desk_demo(
    org: Organisation,
    staff: Actor,
    date: EventDate,
    full: TicketType,
    reduced: TicketType,
    customer: Customer,
    now: datetime,
) -> None:
    student = actions.create_booking(
        actor=staff,
        organisation_id=org.id,
        mode=State.CONFIRMED,
        customer_id=customer.id,
        lines=[LineRequest(date.id, full.id, 2)],
        now=now,
    )
    actions.move_booking(
        student.id,
        actor=staff,
        to=Destination(ticket_type_id=reduced.id),
        reason="Carte étudiante présentée au guichet",
        notify=False,
        now=now,
    )
    accounts.update_settings(org.id, actor=staff, values={"languages": ["fr", "en", "es"]}, now=now)
