"""A full date with people waiting, for the waiting list's tests."""

from __future__ import annotations

from datetime import datetime

from tentative.accounts.models import Organisation
from tentative.bookings.models import Booking
from tentative.catalog.models import EventDate, TicketType
from tentative.shared.actor import Actor, ActorKind
from tentative.waitlist.actions import join_waitlist
from tentative.waitlist.models import WaitlistEntry
from tests.factories import book, on_sale, staff


def visitor(org: Organisation, email: str = "") -> Actor:
    return Actor(kind=ActorKind.CUSTOMER, organisation_id=org.id, label=email, via="public")


def full_date(
    org: Organisation, *, capacity: int = 4, now: datetime | None = None, **ticket: object
) -> tuple[EventDate, TicketType, list[Booking]]:
    """A date whose places are all held by staff options of one place each."""
    date, ticket_type = on_sale(org, capacity=capacity, **ticket)
    owner = staff(org)
    held = [book(owner, date, ticket_type, quantity=1, now=now) for _ in range(capacity)]
    return date, ticket_type, held


def join(
    org: Organisation,
    date: EventDate,
    name: str,
    *,
    quantity: int = 1,
    partial: bool = False,
    ticket_type: TicketType | None = None,
    language: str = "en",
    now: datetime | None = None,
) -> WaitlistEntry:
    email = f"{name.lower()}@example.org"
    return join_waitlist(
        actor=visitor(org, email),
        organisation_id=org.id,
        event_date_id=date.id,
        ticket_type_id=ticket_type.id if ticket_type else None,
        name=name,
        email=email,
        quantity=quantity,
        accepts_partial=partial,
        language=language,
        now=now,
    )
