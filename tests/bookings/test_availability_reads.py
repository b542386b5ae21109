"""The reads behind free slots (`bookings/availability.py`): the hours statement written
by hand equals the ORM's query it replaced, on random hours, exceptions, archived staff
members and services; free slots of staff members sharing hours or not."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import CharField, DateField, IntegerField, Q, Value
from django.utils import timezone

from tentative.bookings import actions, selectors
from tentative.bookings.availability import hours_of, hours_rows
from tentative.catalog.models import HoursException, WorkingHours
from tentative.core.states import State
from tests.appointments.factories import day_off, extra_hours, working_hours
from tests.factories import service, staff, staff_member

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def orm_rows(resource_ids, first_day, last_day, *, service_id=None):  # type: ignore[no-untyped-def]
    """The ORM query `hours_rows` replaced (until 2026-11-30)."""
    where = Q()
    if service_id is not None:
        where &= Q(resource__services=service_id, resource__archived_at=None)
    if resource_ids is not None:
        where &= Q(resource_id__in=list(resource_ids))
    weekly = (
        WorkingHours.objects.filter(where)
        .order_by()
        .values_list(
            "resource_id",
            Value("weekly", output_field=CharField()),
            "weekday",
            Value(None, output_field=DateField()),
            Value(None, output_field=DateField()),
            "starts",
            "ends",
        )
    )
    exceptions = (
        HoursException.objects.filter(where)
        .filter(first_day__lte=last_day, last_day__gte=first_day)
        .order_by()
        .values_list(
            "resource_id",
            "kind",
            Value(-1, output_field=IntegerField()),
            "first_day",
            "last_day",
            "starts",
            "ends",
        )
    )
    return list(weekly.union(exceptions, all=True))


def test_the_hours_statement_equals_the_orm_query(org):
    rng = random.Random(13)
    people = [staff_member(org, f"S{i}") for i in range(8)]
    for person in people:
        for weekday in rng.sample(range(7), rng.randint(0, 5)):
            a = rng.randint(0, 40) * 15
            b = rng.randint(a // 15 + 1, 96) * 15
            WorkingHours.objects.create(
                resource=person,
                weekday=weekday,
                starts=time(a // 60, a % 60),
                ends=time(0) if b == 1440 else time(b // 60, b % 60),
            )
        for _ in range(rng.randint(0, 3)):
            first = date(2031, 3, 1) + timedelta(days=rng.randint(0, 60))
            last = first + timedelta(days=rng.randint(0, 10))
            if rng.random() < 0.5:
                day_off(person, first, last)
            else:
                extra_hours(person, first, time(7, 30), time(8, 45))
    people[2].archived_at = timezone.now()
    people[2].save()
    one = service(org, *people[:5])
    other = service(org, *people[3:])
    for first, last in [
        (date(2031, 3, 1), date(2031, 3, 31)),
        (date(2031, 4, 20), date(2031, 4, 21)),
    ]:
        for ids in [None, [people[0].id], [p.id for p in people[1:6]], []]:
            for service_id in [None, one.id, other.id]:
                if ids is None and service_id is None:
                    continue
                expected = sorted(orm_rows(ids, first, last, service_id=service_id), key=repr)
                found = sorted(hours_rows(ids, first, last, service_id=service_id), key=repr)
                assert found == expected, (ids, service_id, first)
    assert len(hours_of(None, date(2031, 3, 1), date(2031, 3, 31), service_id=one.id)) >= 1


def test_staff_members_sharing_hours_or_not_get_their_own_slots(org):
    """Working instants are computed once per distinct week: a day off or other hours of
    one staff member must not leak to another."""
    alice, bob, carol = (
        working_hours(staff_member(org, name)) for name in ("Alice", "Bob", "Carol")
    )
    monday = datetime(2031, 3, 3, tzinfo=PARIS)
    day_off(bob, monday.date())
    WorkingHours.objects.filter(resource=carol, weekday=0, starts=time(9)).update(starts=time(10))
    offer = service(org, alice, bob, carol, slot_step=timedelta(minutes=30))
    actions.create_booking(
        actor=staff(org),
        organisation_id=org.id,
        mode=State.CONFIRMED,
        lines=[actions.SlotRequest(offer.id, alice.id, monday.replace(hour=9))],
        now=monday - timedelta(days=2),
    )
    slots = selectors.free_slots(
        offer, start=monday, end=monday + timedelta(days=1), now=monday - timedelta(days=2)
    )
    walls: dict[int, list[str]] = {}
    for slot in slots:
        walls.setdefault(slot.resource_id, []).append(
            slot.starts_at.astimezone(PARIS).strftime("%H:%M")
        )
    assert bob.id not in walls  # his day off
    assert walls[alice.id][:2] == ["10:00", "10:30"]  # 09:00 booked for an hour
    assert walls[carol.id][:2] == ["10:00", "10:30"]  # she starts at 10
    assert "09:30" not in walls[alice.id] and "09:00" not in walls[carol.id]
    assert walls[alice.id][-1] == walls[carol.id][-1] == "17:00"
