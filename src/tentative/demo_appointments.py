"""Demo data of the appointments engine (issue 13): three staff members with weekly hours
in Europe/Paris and a day off, two services (one approved by hand, where several clients
may request the same slot; one booked at once), and appointments in every state over the
next two weeks. Built through the actions, like real bookings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from tentative.accounts.models import Customer, Organisation
from tentative.bookings import actions
from tentative.catalog.actions.add_hours_exception import add_hours_exception
from tentative.catalog.actions.create_service import create_service
from tentative.catalog.actions.set_working_hours import set_working_hours
from tentative.catalog.models import Resource
from tentative.core.states import State
from tentative.shared.actor import Actor

WEEK = [(d, time(9), time(12)) for d in range(5)] + [(d, time(14), time(18)) for d in range(5)]


def create_appointments_demo(
    org: Organisation, staff: Actor, customers: list[Customer], now: datetime
) -> None:
    names = ("Inès Laurent", "Hugo Petit", "Nadia Benali")
    people = [
        Resource.objects.create(organisation=org, kind=Resource.Kind.STAFF, name=name)
        for name in names
    ]
    for person in people:
        set_working_hours(person.id, actor=staff, ranges=WEEK, now=now)
    # Nadia also works Saturday mornings.
    set_working_hours(
        people[2].id, actor=staff, ranges=[*WEEK, (5, time(9, 30), time(12, 30))], now=now
    )
    days = _weekdays(now.astimezone(org.zone).date(), 10)
    add_hours_exception(
        people[1].id, actor=staff, kind="closed", first_day=days[2], note="Formation", now=now
    )
    consult = create_service(
        actor=staff,
        price=Decimal("60.00"),
        resource_ids=[p.id for p in people],
        settings={
            "name": "Consultation costumes",
            "description": "Un essayage sur mesure avec une costumière.",
            "duration": timedelta(minutes=45),
            "buffer_after": timedelta(minutes=15),
            "slot_step": timedelta(minutes=30),
            "min_notice": timedelta(hours=12),
            "horizon_days": 60,
            "requires_approval": True,
            "requests_hold_capacity": False,  # several clients may request the same slot
            "approval_note": "Nous confirmons chaque demande sous 48 heures.",
            "decision_days": 2,
        },
        now=now,
    )
    makeup = create_service(
        actor=staff,
        price=Decimal("35.00"),
        resource_ids=[people[0].id, people[2].id],
        settings={
            "name": "Atelier maquillage de scène",
            "duration": timedelta(minutes=30),
            "min_notice": timedelta(hours=2),
            "horizon_days": 30,
        },
        now=now,
    )

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=org.zone)

    def book(service_id, person, starts, who, mode=State.REQUEST):  # type: ignore[no-untyped-def]
        return actions.create_booking(
            actor=staff,
            organisation_id=org.id,
            mode=mode,
            customer_id=who.id,
            lines=[actions.SlotRequest(service_id, person.id, starts)],
            now=now,
        )

    ines, hugo, nadia = people
    # Pending requests, two of them for the same slot (several may request).
    book(consult.id, ines, at(days[1], 10), customers[0])
    book(consult.id, ines, at(days[1], 10), customers[1])
    book(consult.id, nadia, at(days[4], 15), customers[2])
    # Approved (confirmed), and the request for the same time declined with it.
    won = book(consult.id, hugo, at(days[3], 9, 30), customers[1])
    book(consult.id, hugo, at(days[3], 9, 30), customers[2])
    actions.approve_booking(won.id, actor=staff, now=now)
    # Declined by hand, with a message.
    declined = book(consult.id, nadia, at(days[5], 11), customers[0])
    actions.decline_booking(
        declined.id, actor=staff, reason="La costumière est en tournée ce jour-là.", now=now
    )
    # Rescheduled: approved, then moved with a private note and a message.
    moved = book(consult.id, ines, at(days[6], 14), customers[2])
    actions.approve_booking(moved.id, actor=staff, now=now)
    actions.move_booking(
        moved.id,
        actor=staff,
        to=actions.Destination(starts_at=at(days[6], 16), resource_id=nadia.id),
        reason="Inès en répétition (note interne)",
        message="Nadia vous recevra à 16 h.",
        now=now,
    )
    # Booked at once (no approval), and one cancelled.
    for i, (person, day, hour) in enumerate(
        [(ines, days[0], 11), (nadia, days[2], 9), (ines, days[7], 15), (nadia, days[8], 10)]
    ):
        book(makeup.id, person, at(day, hour), customers[i % len(customers)], State.CONFIRMED)
    cancelled = book(makeup.id, nadia, at(days[9], 14), customers[1], State.CONFIRMED)
    actions.cancel_booking(cancelled.id, actor=staff, reason="Empêchement", now=now)


def _weekdays(today: date, count: int) -> list[date]:
    """The next `count` working days after today (Monday to Friday)."""
    out, day = [], today
    while len(out) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            out.append(day)
    return out
