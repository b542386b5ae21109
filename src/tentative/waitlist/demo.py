"""Demo data for the waiting list (`tentative demo`): a sold-out recital with three people on
its waiting list, the first of whom holds an open offer after staff released an option.

Built through the actions, as real visitors and staff would, so the demo runs the engine:
the offer is a real option made by the worker's pass.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from tentative.accounts.models import Customer, Organisation
from tentative.bookings import actions as bookings
from tentative.bookings.offers import LineRequest
from tentative.catalog.models import Event, EventDate, TicketType
from tentative.core.deadlines import add_calendar_days
from tentative.core.states import State
from tentative.inventory.models import CapacityPool
from tentative.shared.actor import Actor, ActorKind
from tentative.waitlist.actions import join_waitlist, offer_freed_places

CAPACITY = 8
WAITING = (  # name, email, language, places, fewer would do
    ("Inès Moreau", "ines@example.org", "fr", 2, False),
    ("Jonas Weber", "jonas@example.org", "en", 1, True),
    ("Marta Ruiz", "marta@example.org", "es", 3, False),
)


def create_waitlist_demo(
    org: Organisation, staff: Actor, customers: list[Customer], now: datetime
) -> EventDate:
    event = Event.objects.create(
        organisation=org, name="Récital Chopin (complet)", description="Salle de musique"
    )
    ticket = TicketType.objects.create(
        event=event,
        name="Placement libre",
        price=Decimal("25.00"),
        deadline_days_after_booking=5,
        deadline_days_before_start=2,
    )
    evening = timezone.localtime(now, org.zone).replace(hour=19, minute=0, second=0, microsecond=0)
    starts = add_calendar_days(evening, 30, org.zone)
    date = EventDate.objects.create(
        event=event, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    CapacityPool.objects.create(organisation=org, event_date=date, capacity=CAPACITY)

    def book(mode: State, quantity: int, who: Customer):  # type: ignore[no-untyped-def]
        return bookings.create_booking(
            actor=staff,
            organisation_id=org.id,
            mode=mode,
            customer_id=who.id,
            lines=[LineRequest(date.id, ticket.id, quantity)],
            now=now,
        )

    for who in customers[:3]:
        book(State.CONFIRMED, 2, who)
    released = book(State.OPTION, 2, customers[0])  # the date is full
    for name, email, language, places, partial in WAITING:
        join_waitlist(
            actor=Actor(kind=ActorKind.CUSTOMER, organisation_id=org.id, label=email, via="public"),
            organisation_id=org.id,
            event_date_id=date.id,
            ticket_type_id=None,
            name=name,
            email=email,
            quantity=places,
            accepts_partial=partial,
            language=language,
            now=now,
        )
    # Staff release the option: the worker's pass offers its 2 places to the first in line.
    bookings.cancel_booking(released.id, actor=staff, reason="Option libérée", now=now)
    offer_freed_places(now=now)
    return date
