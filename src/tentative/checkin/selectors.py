"""Who is expected on a date and who came in: the attendee list and the door's list.

One row per place (a line of quantity 3 is three attendees), with the name given for that
place when known (a line's participants, in order), its ticket code and when it was
checked in. Live bookings only: confirmed ones, and options (accepted requests that are
not paid yet), which the door answers "not paid".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from tentative.bookings.models import Booking, BookingLine
from tentative.catalog.models import EventDate
from tentative.core.states import State
from tentative.notifications.tickets import code_of
from tentative.shared.actor import Actor
from tentative.shared.errors import NotFound

EXPECTED = (State.CONFIRMED.value, State.OPTION.value)


@dataclass(frozen=True)
class Attendee:
    booking: Booking
    line: BookingLine
    number: int
    name: str
    email: str
    code: str
    checked_in_at: datetime | None

    @property
    def customer(self) -> str:
        return self.booking.customer.name if self.booking.customer_id else ""


def access_date(actor: Actor, date_id: int) -> EventDate:
    """A date of the actor's organisation, or 'not found'."""
    try:
        return EventDate.objects.select_related("event").get(
            id=date_id, event__organisation_id=actor.organisation_id
        )
    except (EventDate.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def upcoming_dates(actor: Actor, since: datetime, limit: int = 100) -> QuerySet[EventDate]:
    """Dates of the organisation that end after `since` (today's doors first)."""
    return (
        EventDate.objects.filter(event__organisation_id=actor.organisation_id, ends_at__gt=since)
        .select_related("event")
        .order_by("starts_at", "id")[:limit]
    )


def attendees(date: EventDate) -> list[Attendee]:
    lines = (
        BookingLine.objects.filter(
            event_date=date,
            booking__organisation_id=date.event.organisation_id,
            booking__state__in=EXPECTED,
        )
        .select_related("booking__customer", "ticket_type")
        .prefetch_related("participants", "check_ins")
        .order_by("booking__reference", "id")
    )
    rows = []
    for line in lines:
        people = sorted(line.participants.all(), key=lambda p: p.id)
        came = {c.number: c.at for c in line.check_ins.all()}
        for number in range(1, line.quantity + 1):
            person = people[number - 1] if number <= len(people) else None
            rows.append(
                Attendee(
                    booking=line.booking,
                    line=line,
                    number=number,
                    name=person.name if person else "",
                    email=person.email if person else "",
                    code=code_of(line.booking.reference, line.id, number),
                    checked_in_at=came.get(number),
                )
            )
    rows.sort(key=lambda a: ((a.name or a.customer or "~").casefold(), a.code))
    return rows
