"""Rooms and their sessions through the actions: create a room, book a session (FIRM /
QUOTE / OPTION), change its players, name them, move it. Refusals write nothing."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tentative.accounts.actions import CustomerData
from tentative.accounts.models import Customer
from tentative.audit.models import AuditEntry
from tentative.bookings import actions
from tentative.bookings.errors import (
    NotASession,
    PlayersNamed,
    PlayersOutOfRange,
    PlayersUnchanged,
    SlotTaken,
    UnknownCategory,
)
from tentative.bookings.models import Booking, BookingLine, Participant
from tentative.catalog import actions as catalog
from tentative.catalog.errors import CatalogueManagersOnly, InvalidTerms
from tentative.catalog.models import Resource, SessionRule
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.models import TimeClaim
from tentative.outbox.models import OutboxMessage
from tentative.shared.errors import InvalidInput
from tests.factories import CustomerFactory, staff
from tests.rooms.factories import book, escape_room, game, in_days, prices

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(org):
    return staff(org)


@pytest.fixture
def vault(org, owner):
    return escape_room(org, owner)


def _snapshot(booking):
    fresh = Booking.objects.get(id=booking.id)
    lines = sorted(
        (ln.service_price_id, ln.quantity, ln.resource_id, ln.starts_at)
        for ln in BookingLine.objects.filter(booking=fresh)
    )
    claims = sorted(
        (c.resource_id, c.starts_at, c.active)
        for c in TimeClaim.objects.filter(line__booking=fresh)
    )
    return fresh.state, fresh.total, lines, claims


def test_a_room_is_a_resource_with_its_game_prices_and_rules(org, owner, vault):
    offer = game(vault)
    assert vault.kind == Resource.Kind.ROOM
    assert offer.duration == timedelta(minutes=60)
    assert offer.buffer_after == timedelta(minutes=30)
    assert (offer.min_participants, offer.max_participants) == (2, 6)
    assert [p.name for p in offer.prices.all()] == ["Adult", "Child"]
    assert SessionRule.objects.get(room=vault).times == "10:00 11:30 14:00 15:30 17:00"
    assert AuditEntry.objects.filter(action="catalog.room_created").count() == 1


@pytest.mark.parametrize(
    ("times", "field"),
    [("10:00 10:45", "times"), ("ten", "times"), ("", "times")],
)
def test_a_schedule_whose_sessions_overlap_or_cannot_be_read_is_refused(org, owner, times, field):
    with pytest.raises(InvalidTerms) as refused:
        escape_room(org, owner, "Too tight", times=times)
    assert field in refused.value.fields
    assert not Resource.objects.filter(name="Too tight").exists()


def test_only_managers_create_rooms(org):
    with pytest.raises(CatalogueManagersOnly):
        escape_room(org, staff(org, Role.AGENT))


def test_firm_and_option_block_a_session_a_quote_does_not(org, owner, vault):
    at = in_days(org, 3)
    quote = book(owner, vault, at, 4, mode=State.QUOTE)
    assert not quote.holds_capacity
    option = book(owner, vault, at, 2, 1, mode=State.OPTION)  # the quote did not block
    assert option.holds_capacity and option.deadline_shown is not None
    assert option.total == Decimal("80.00")
    with pytest.raises(SlotTaken):
        book(owner, vault, at, 2, mode=State.CONFIRMED)
    later = book(owner, vault, in_days(org, 3, "15:30"), 3, mode=State.CONFIRMED)
    assert later.state == State.CONFIRMED
    # One claim per booking however many categories.
    assert TimeClaim.objects.filter(line__booking=option).count() == 1


def test_the_option_deadline_is_the_rooms_days(org, owner, vault):
    now = timezone.now()
    option = book(owner, vault, in_days(org, 10), 2, mode=State.OPTION, now=now)
    assert timedelta(days=2) < option.deadline_shown - now <= timedelta(days=3, hours=1)


def test_a_time_that_is_not_a_session_is_refused(org, owner, vault):
    with pytest.raises(NotASession):
        book(owner, vault, in_days(org, 3, "12:00"), 2)
    assert not Booking.objects.exists()


@pytest.mark.parametrize("counts", [(1,), (5, 2), (0, 0)])
def test_players_outside_the_games_limits_are_refused(org, owner, vault, counts):
    with pytest.raises(PlayersOutOfRange):
        book(owner, vault, in_days(org, 3), *counts)
    assert not Booking.objects.exists()


def test_a_new_customer_is_created_with_the_booking_or_not_at_all(org, owner, vault):
    at = in_days(org, 4)
    book(owner, vault, at, 2, mode=State.CONFIRMED)
    with pytest.raises(SlotTaken):
        book(owner, vault, at, 2, new_customer=CustomerData(name="Zoé Dupont"))
    assert not Customer.objects.filter(name="Zoé Dupont").exists()
    made = book(owner, vault, in_days(org, 4, "10:00"), 2, new_customer=CustomerData(name="Zoé"))
    assert made.customer.name == "Zoé"


def test_the_confirmation_is_sent_only_when_asked(org, owner, vault):
    customer = CustomerFactory(organisation=org)
    silent = book(owner, vault, in_days(org, 5), 2, customer_id=customer.id, notify=False)
    told = book(owner, vault, in_days(org, 5, "10:00"), 2, customer_id=customer.id)
    from tentative.notifications.fanout import emails_for

    def emails(booking):
        event = OutboxMessage.objects.get(booking=booking, topic="booking.created")
        return emails_for(event.topic, event.payload)

    assert emails(silent) == []
    assert emails(told) != []


def test_fewer_players_lower_the_total_and_a_category_can_come_and_go(org, owner, vault):
    adult, child = prices(vault)
    booking = book(owner, vault, in_days(org, 6), 4, mode=State.CONFIRMED)
    assert booking.total == Decimal("120.00")
    changed = actions.change_players(booking.id, actor=owner, players={adult: 2, child: 2})
    assert changed.total == Decimal("100.00")
    lines = {ln.service_price_id: ln.quantity for ln in changed.lines.all()}
    assert lines == {adult: 2, child: 2}
    # The adults' line held the claim; with no adult left, the claim moves to the children.
    changed = actions.change_players(booking.id, actor=owner, players={child: 3})
    assert changed.total == Decimal("60.00")
    claim = TimeClaim.objects.get(line__booking=booking)
    assert claim.active and claim.line.service_price_id == child
    entry = AuditEntry.objects.filter(booking=booking, action="change_quantity").last()
    assert entry.data == {"players": {"Adult": 2, "Child": 2}, "to": {"Child": 3}}


def test_refused_player_changes_write_nothing(org, owner, vault):
    adult, child = prices(vault)
    other = escape_room(org, owner, "Other")
    booking = book(owner, vault, in_days(org, 6), 3, 1, mode=State.OPTION)
    before = _snapshot(booking)
    for players, error in (
        ({adult: 7}, PlayersOutOfRange),
        ({adult: 1}, PlayersOutOfRange),
        ({adult: 3, child: 1}, PlayersUnchanged),
        ({prices(other)[0]: 3}, UnknownCategory),
        ({adult: -1}, InvalidInput),
    ):
        with pytest.raises(error):
            actions.change_players(booking.id, actor=owner, players=players)
        assert _snapshot(booking) == before


def test_named_players_must_be_unnamed_before_their_category_shrinks(org, owner, vault):
    adult, child = prices(vault)
    booking = book(owner, vault, in_days(org, 6), 3, 1)
    line = BookingLine.objects.get(booking=booking, service_price_id=adult)
    actions.name_players(booking.id, actor=owner, names={line.id: ["Ana", "Ben", " "]})
    assert sorted(Participant.objects.values_list("name", flat=True)) == ["Ana", "Ben"]
    with pytest.raises(PlayersNamed):
        actions.change_players(booking.id, actor=owner, players={adult: 1, child: 1})
    with pytest.raises(InvalidInput):
        actions.name_players(booking.id, actor=owner, names={line.id: ["a", "b", "c", "d"]})
    assert Participant.objects.count() == 2


def test_a_per_group_price_costs_the_same_for_any_group(org, owner):
    room = escape_room(org, owner, "Party", group_price="150.00")
    adult, _child, package = prices(room)
    booking = book(owner, room, in_days(org, 3), 0, 0, 5, mode=State.CONFIRMED)
    assert booking.total == Decimal("150.00")
    changed = actions.change_players(booking.id, actor=owner, players={package: 5, adult: 1})
    assert changed.total == Decimal("180.00")
    # A move keeps how the booking is priced.
    moved = actions.move_booking(
        booking.id, actor=owner, to=actions.Destination(starts_at=in_days(org, 3, "10:00"))
    )
    assert {ln.per_group for ln in moved.lines.all()} == {True, False}


def test_a_move_into_a_taken_or_past_session_changes_nothing(org, owner, vault):
    book(owner, vault, in_days(org, 7), 2, mode=State.CONFIRMED)
    booking = book(owner, vault, in_days(org, 7, "10:00"), 3, mode=State.OPTION)
    before = _snapshot(booking)
    with pytest.raises(SlotTaken):
        actions.move_booking(
            booking.id, actor=owner, to=actions.Destination(starts_at=in_days(org, 7))
        )
    assert _snapshot(booking) == before
    with pytest.raises(InvalidInput):
        actions.move_booking(
            booking.id,
            actor=owner,
            to=actions.Destination(starts_at=timezone.now() - timedelta(hours=1)),
        )
    assert _snapshot(booking) == before


def test_a_move_keeps_a_group_price_whatever_the_players(org, owner):
    temple = escape_room(org, owner, "Lost Temple", group_price="150.00")
    adults, _children, package = prices(temple)
    booking = actions.book_session(
        actor=owner,
        organisation_id=org.id,
        room_id=temple.id,
        starts_at=in_days(org, 7),
        players={adults: 1, package: 4},
        mode=State.OPTION,
    )
    assert booking.total == Decimal("180.00")  # one adult and the package for four
    moved = actions.move_booking(
        booking.id, actor=owner, to=actions.Destination(starts_at=in_days(org, 8))
    )
    assert moved.total == Decimal("180.00")
    assert Booking.objects.get(pk=booking.pk).total == Decimal("180.00")


def test_closing_a_day_removes_its_sessions_from_booking(org, owner, vault):
    at = in_days(org, 8)
    catalog.close_room_day(vault.id, at.date(), actor=owner, note="Maintenance")
    with pytest.raises(NotASession):
        book(owner, vault, at, 2)
    catalog.close_room_day(vault.id, at.date(), actor=owner, reopen=True)
    assert book(owner, vault, at, 2).holds_capacity


def test_a_partial_change_keeps_what_another_changed_meanwhile(org, owner, vault):
    """The API's partial change names what it leaves as it is (`keep`); those fields are
    read under the room's lock, so a change made after the caller read the room stays."""
    g = game(vault)
    stale = catalog.RoomChanges(
        name=vault.name,
        game=g.name,
        duration=g.duration,
        reset=g.buffer_after,
        min_players=g.min_participants,
        max_players=g.max_participants,  # 6, read before the change below
        option_days=g.deadline_days_after_booking,
        schedules=(catalog.Schedule(frozenset(range(7)), "10:00 14:00"),),
    )
    catalog.update_room(vault.id, actor=owner, changes=replace(stale, max_players=8))
    catalog.update_room(
        vault.id,
        actor=owner,
        changes=replace(stale, option_days=5),
        keep=frozenset(
            f
            for f in (
                "name",
                "game",
                "duration",
                "reset",
                "min_players",
                "max_players",
                "schedules",
                "places",
            )
        ),
    )
    g.refresh_from_db()
    assert (g.max_participants, g.deadline_days_after_booking) == (8, 5)
