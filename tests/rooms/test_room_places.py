"""Rooms that sell places (issue 14 item 1): the setting on `update_room`, the dates made
from the weekly rules by `sync_place_dates` (idempotent, closed days, rule changes, capacity,
back to whole room), the worker's job, and booking places through the normal
`create_booking` path with its capacity pools."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation

from tentative.bookings import actions
from tentative.bookings.errors import SellsPlaces, SoldOut
from tentative.catalog import actions as catalog
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import EventDate, Service, TicketType
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory import jobs
from tentative.inventory.actions import sync_place_dates
from tentative.inventory.models import CapacityPool
from tentative.shared.actor import Actor
from tentative.worker.registry import jobs as registered
from tests.factories import CustomerFactory, MembershipFactory
from tests.rooms.factories import book, escape_room, game, in_days
from tests.rooms.factories import sell_places as set_to_sell_places

pytestmark = pytest.mark.django_db
NOW = "2026-06-01 08:00Z"  # a Monday


@pytest.fixture(autouse=True)
def english_and_frozen(settings):
    settings.ROOM_PLACES_HORIZON_DAYS = 6
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def owner(org):
    return Actor.staff(MembershipFactory(organisation=org, role=Role.OWNER))


def sell_places(room, actor, places=12, **kw):  # type: ignore[no-untyped-def]
    set_to_sell_places(room, actor, places, **kw)
    return sync_place_dates(game(room).id, actor=actor)


def dates(room):  # type: ignore[no-untyped-def]
    return list(EventDate.objects.filter(event=game(room).places_event).order_by("starts_at"))


def general_pool(date):  # type: ignore[no-untyped-def]
    return CapacityPool.objects.get(event_date=date, ticket_type=None, reserve=None)


def test_selling_places_makes_the_sessions_dates_with_their_pools(org, owner):
    room = escape_room(org, owner)
    outcome = sell_places(room, owner)
    made = dates(room)
    # Today 10:00 and 14:00 (Paris: 08:00Z is 10:00 local, so 10:00 is not in the future),
    # then two a day for the 6 days ahead.
    assert outcome.added == len(made) == 1 + 6 * 2
    assert all(general_pool(d).capacity == 12 for d in made)
    assert all(d.ends_at - d.starts_at == timedelta(minutes=60) for d in made)
    kinds = TicketType.objects.filter(event=game(room).places_event).order_by("id")
    assert [(k.name, k.price) for k in kinds] == [
        ("Adult", Decimal("30.00")),
        ("Child", Decimal("20.00")),
    ]
    assert sync_place_dates(game(room).id, actor=owner).changed is False
    assert len(dates(room)) == len(made)


def test_the_job_moves_the_horizon_on_without_duplicates(org, owner):
    room = escape_room(org, owner)
    sell_places(room, owner)
    before = len(dates(room))
    assert "place_dates" in registered
    with time_machine.travel("2026-06-02 08:00Z", tick=False):
        jobs.extend_place_dates(timezone.now())
        jobs.extend_place_dates(timezone.now())
    starts = [d.starts_at for d in dates(room)]
    assert len(starts) == len(set(starts)) == before + 2


def test_closed_days_and_changed_rules_remove_unbooked_dates_only(org, owner):
    room = escape_room(org, owner)
    sell_places(room, owner)
    day = timezone.localdate() + timedelta(days=2)
    first = next(d for d in dates(room) if timezone.localtime(d.starts_at, org.zone).date() == day)
    kind = TicketType.objects.filter(event=game(room).places_event).first()
    customer = CustomerFactory(organisation=org)
    booking = actions.create_booking(
        actor=owner,
        organisation_id=org.id,
        mode=State.OPTION,
        customer_id=customer.id,
        lines=[actions.LineRequest(event_date_id=first.id, ticket_type_id=kind.id, quantity=3)],
    )
    catalog.close_room_day(room.id, day, actor=owner)
    outcome = sync_place_dates(game(room).id, actor=owner)
    assert outcome.removed == 1  # the 14:00 nobody booked; the booked 10:00 stays
    on_day = [d for d in dates(room) if timezone.localtime(d.starts_at, org.zone).date() == day]
    assert on_day == [first]
    booking.refresh_from_db()
    assert booking.state == State.OPTION
    # Fewer places: never below what is taken; longer sessions follow.
    sell_places(room, owner, places=2, duration=timedelta(minutes=90))
    assert general_pool(first).capacity == 3
    assert sync_place_dates(game(room).id, actor=owner).changed is False  # settled
    assert all(general_pool(d).capacity == 2 for d in dates(room) if d != first)
    assert all(d.ends_at - d.starts_at == timedelta(minutes=90) for d in dates(room))


def test_booking_places_takes_the_date_pool_and_refuses_past_capacity(org, owner):
    room = escape_room(org, owner)
    sell_places(room, owner, places=5)
    date = dates(room)[1]
    adult, child = TicketType.objects.filter(event=game(room).places_event).order_by("id")
    customer = CustomerFactory(organisation=org)

    def take(kind, n):  # type: ignore[no-untyped-def]
        return actions.create_booking(
            actor=owner,
            organisation_id=org.id,
            mode=State.CONFIRMED,
            customer_id=customer.id,
            lines=[actions.LineRequest(event_date_id=date.id, ticket_type_id=kind.id, quantity=n)],
        )

    take(adult, 3)
    take(child, 2)
    assert general_pool(date).taken == 5
    with pytest.raises(SoldOut):
        take(adult, 1)
    assert general_pool(date).taken == 5


def test_whole_room_booking_is_refused_and_back_to_whole_room(org, owner):
    room = escape_room(org, owner)
    sell_places(room, owner)
    with pytest.raises(SellsPlaces):
        book(owner, room, in_days(org, 1, "10:00"), 2)
    kept = dates(room)[3]
    kind = TicketType.objects.filter(event=game(room).places_event).first()
    quote = actions.create_booking(
        actor=owner,
        organisation_id=org.id,
        mode=State.QUOTE,
        customer_id=CustomerFactory(organisation=org).id,
        lines=[actions.LineRequest(event_date_id=kept.id, ticket_type_id=kind.id, quantity=1)],
    )
    # Not while places are booked to come: the room could be booked whole on top of them.
    with pytest.raises(InvalidTerms) as refused:
        sell_places(room, owner, places=None)
    assert "1 booking(s) to come" in refused.value.fields["places"][0]
    actions.cancel_booking(quote.id, actor=owner, reason="wrong room")
    sell_places(room, owner, places=None)
    assert dates(room) == [kept]  # a date with a booking stays
    booked = book(owner, room, in_days(org, 1, "10:00"), 2)
    assert booked.state == State.OPTION


def test_a_room_booked_whole_does_not_start_selling_places_under_its_groups(org, owner):
    room = escape_room(org, owner)
    group = book(owner, room, in_days(org, 1, "10:00"), 2, mode=State.CONFIRMED)
    with pytest.raises(InvalidTerms) as refused:
        sell_places(room, owner)
    assert "places" in refused.value.fields
    assert game(room).places_per_session is None and game(room).places_event is None
    # Any live booking of a session to come holds the setting back, until none is left.
    actions.cancel_booking(group.id, actor=owner, reason="moved to the Lab")
    later = book(owner, room, in_days(org, 2, "10:00"), 2, mode=State.CONFIRMED)
    with pytest.raises(InvalidTerms):
        sell_places(room, owner)
    actions.cancel_booking(later.id, actor=owner, reason="gone")
    sell_places(room, owner)
    assert in_days(org, 1, "10:00") in [d.starts_at for d in dates(room)]


def test_sync_makes_no_date_for_a_session_a_group_holds_whole(org, owner):
    room = escape_room(org, owner)
    sell_places(room, owner)
    held = dates(room)[0]
    held_start = held.starts_at
    # A whole-room claim that got in (a booking made as the setting changed), then a date
    # removed by a schedule change and made again by the next sync: it is left out.
    g = game(room)
    Service.objects.filter(id=g.id).update(places_per_session=None)
    group = book(owner, room, held_start, 2, mode=State.CONFIRMED)
    Service.objects.filter(id=g.id).update(places_per_session=12)
    EventDate.objects.filter(id=held.id).delete()
    sync_place_dates(g.id, actor=owner)
    assert held_start not in [d.starts_at for d in dates(room)]
    actions.cancel_booking(group.id, actor=owner, reason="gone")
    sync_place_dates(g.id, actor=owner)
    assert held_start in [d.starts_at for d in dates(room)]


def test_places_out_of_range_are_refused_next_to_the_field(org, owner):
    room = escape_room(org, owner)
    with pytest.raises(InvalidTerms) as refused:
        sell_places(room, owner, places=0)
    assert "places" in refused.value.fields
    assert game(room).places_event is None


def test_the_planning_shows_places_and_books_them_at_the_box_office(org, owner, client):
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(membership.user)
    room = escape_room(org, owner)
    sell_places(room, owner, places=12)
    day = timezone.localdate() + timedelta(days=1)
    morning = dates(room)[1]
    adult = TicketType.objects.filter(event=game(room).places_event).order_by("id").first()
    actions.create_booking(
        actor=owner,
        organisation_id=org.id,
        mode=State.CONFIRMED,
        customer_id=CustomerFactory(organisation=org).id,
        lines=[actions.LineRequest(event_date_id=morning.id, ticket_type_id=adult.id, quantity=7)],
    )
    page = client.get(f"/staff/planning/?day={day}").content.decode()
    assert "7 / 12 places" in page and "0 / 12 places" in page
    assert f'href="/staff/box-office/?date={morning.id}"' in page
    assert f'href="/staff/dates/{morning.id}/attendees/"' in page
    beyond = timezone.localdate() + timedelta(days=10)
    assert "Not on sale yet" in client.get(f"/staff/planning/?day={beyond}").content.decode()
    # The box office, opened from the session, offers that date's categories only.
    sale = client.get(f"/staff/box-office/?date={morning.id}").content.decode()
    assert sale.count(f'value="{morning.id}:') == 2
    response = client.post(
        f"/staff/box-office/?date={morning.id}",
        {
            "new_name": "Team Blue",
            "offer": f"{morning.id}:{adult.id}",
            "source": "general",
            "quantity": "5",
            "mode": "confirmed",
        },
    )
    assert response.status_code == 302
    assert general_pool(morning).taken == 12
    refused = client.post(
        f"/staff/box-office/?date={morning.id}",
        {
            "new_name": "Team Red",
            "offer": f"{morning.id}:{adult.id}",
            "source": "general",
            "quantity": "1",
            "mode": "confirmed",
        },
    )
    assert refused.status_code == 409 and general_pool(morning).taken == 12
    full = client.get(f"/staff/planning/?day={day}").content.decode()
    assert "12 / 12 places" in full and "session session-full" in full
