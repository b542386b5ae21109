"""A visitor books a room session online (`book_session_online`), and names the players
from their personal space (`name_players` with the customer's actor). Refusals write
nothing: no booking, no customer, no claim."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation

from tentative.accounts.models import Customer
from tentative.bookings import actions
from tentative.bookings.errors import (
    NotASession,
    PlayersOutOfRange,
    SessionStarted,
    SlotTaken,
    TooManyHolds,
    UnknownCategory,
)
from tentative.bookings.models import Booking, BookingLine, Participant
from tentative.catalog import actions as catalog
from tentative.core.states import State
from tentative.inventory.models import TimeClaim
from tentative.outbox.models import OutboxMessage
from tentative.shared.actor import Actor
from tentative.shared.errors import Forbidden, InvalidInput, NotFound
from tests.factories import staff
from tests.rooms.factories import book, escape_room, game, in_days, prices

pytestmark = pytest.mark.django_db

ADA = actions.Contact(name="Ada Lovelace", email="ada@example.org", language="en")
BOB = actions.Contact(name="Bob", email="bob@example.org", language="fr")


@pytest.fixture
def owner(org):
    return staff(org)


@pytest.fixture
def vault(org, owner):
    return escape_room(org, owner)


def online(org, room, starts_at, players, contact=ADA, **kwargs):  # type: ignore[no-untyped-def]
    return actions.book_session_online(
        actor=Actor.visitor(org.id),
        organisation_id=org.id,
        room_id=room.id,
        starts_at=starts_at,
        players=players,
        contact=contact,
        **kwargs,
    )


def written() -> tuple[int, int, int]:
    return Booking.objects.count(), Customer.objects.count(), TimeClaim.objects.count()


def test_a_purchase_claims_the_room_for_the_payment_only_and_is_announced_when_paid(org, vault):
    adult, child = prices(vault)
    booking = online(org, vault, in_days(org, 3), {adult: 3, child: 1})
    assert booking.state == State.OPTION and booking.holds_capacity
    assert booking.channel == "web" and booking.checkout_mode == "buy"
    assert booking.checkout_token is None and booking.at_limit == "release"
    assert booking.deadline_enforced - booking.created_at == timedelta(minutes=30)
    assert booking.total == Decimal("110.00")
    assert booking.customer.email == "ada@example.org"
    assert TimeClaim.objects.filter(line__booking=booking, active=True).count() == 1
    # A cart is not announced: the confirmation goes when the card pays it.
    assert not OutboxMessage.objects.filter(booking=booking).exists()


def test_a_taken_session_is_refused_and_nothing_is_written(org, owner, vault):
    adult, _child = prices(vault)
    book(owner, vault, in_days(org, 3), 2, mode=State.CONFIRMED)
    before = written()
    with pytest.raises(SlotTaken):
        online(org, vault, in_days(org, 3), {adult: 2}, contact=BOB)
    assert written() == before
    assert not Customer.objects.filter(email="bob@example.org").exists()


@pytest.mark.parametrize(
    ("when", "players", "error", "field"),
    [
        (("-1", "14:00"), {"adult": 2}, SessionStarted, "starts_at"),
        (("3", "14:15"), {"adult": 2}, NotASession, "starts_at"),
        (("3", "14:00"), {"adult": 1}, PlayersOutOfRange, "players"),
        (("3", "14:00"), {"adult": 5, "child": 2}, PlayersOutOfRange, "players"),
        (("3", "14:00"), {"adult": -2, "child": 4}, PlayersOutOfRange, "players"),
        (("3", "14:00"), {"other": 2}, UnknownCategory, "players"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_written(
    org, owner, vault, when, players, error, field
):
    other = escape_room(org, owner, "Temple")
    names = dict(zip(("adult", "child"), prices(vault), strict=True))
    names["other"] = prices(other)[0]
    before = written()
    with pytest.raises(error) as refused:
        online(
            org,
            vault,
            in_days(org, int(when[0]), when[1]),
            {names[k]: v for k, v in players.items()},
        )
    assert refused.value.params["field"] == field
    assert refused.value.status == 422
    assert written() == before


def test_a_closed_day_offers_no_session(org, owner, vault):
    adult, _child = prices(vault)
    starts_at = in_days(org, 4)
    catalog.close_room_day(vault.id, starts_at.date(), actor=owner, note="Repairs")
    with pytest.raises(NotASession):
        online(org, vault, starts_at, {adult: 2})
    assert written() == (0, 0, 0)


def test_bad_contact_details_are_refused_before_anything(org, vault):
    adult, _child = prices(vault)
    with pytest.raises(InvalidInput) as refused:
        online(org, vault, in_days(org, 3), {adult: 2}, contact=actions.Contact("Ada", "nope"))
    assert refused.value.params["field"] == "email"
    assert written() == (0, 0, 0)


def test_an_abandoned_payment_gives_the_session_back_before_any_sweep(org, vault):
    adult, _child = prices(vault)
    first = online(org, vault, in_days(org, 3), {adult: 2})
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        second = online(org, vault, in_days(org, 3), {adult: 4}, contact=BOB)
    assert second.state == State.OPTION
    assert not TimeClaim.objects.filter(line__booking=first, active=True).exists()
    assert TimeClaim.objects.filter(line__booking=second, active=True).count() == 1


def test_a_game_the_organiser_approves_is_a_request_and_a_free_one_is_confirmed(org, owner):
    approved = escape_room(org, owner, "Approved")
    service = game(approved)
    service.requires_approval = True
    service.save()
    request = online(org, approved, in_days(org, 3), {prices(approved)[0]: 2})
    assert request.state == State.REQUEST and request.checkout_mode == "request"
    assert OutboxMessage.objects.filter(booking=request, topic="booking.created").exists()
    free = escape_room(org, owner, "Free")
    game(free).prices.update(price=Decimal(0))
    confirmed = online(org, free, in_days(org, 3), {prices(free)[0]: 2}, contact=BOB)
    assert confirmed.state == State.CONFIRMED


def test_one_address_books_at_most_so_many_a_minute(org, vault, settings):
    settings.PUBLIC_HOLDS_PER_MINUTE = 2
    adult, _child = prices(vault)
    for n, at in enumerate(("10:00", "11:30")):
        online(
            org,
            vault,
            in_days(org, 3, at),
            {adult: 2},
            address="203.0.113.9",
            contact=actions.Contact("V", f"v{n}@example.org"),
        )
    with pytest.raises(TooManyHolds):
        online(org, vault, in_days(org, 3, "17:00"), {adult: 2}, address="203.0.113.9")


def test_the_customer_names_the_players_of_their_own_session_only(org, owner, vault):
    adult, child = prices(vault)
    mine = online(org, vault, in_days(org, 3), {adult: 2, child: 1})
    theirs = online(org, vault, in_days(org, 3, "10:00"), {adult: 2}, contact=BOB)
    ada = Actor.customer(mine.customer, via="portal")
    lines = {ln.service_price_id: ln.id for ln in mine.lines.all()}
    actions.name_players(
        mine.id, actor=ada, names={lines[adult]: ["Ana", "Ben"], lines[child]: ["Cy"]}
    )
    assert sorted(Participant.objects.values_list("name", flat=True)) == ["Ana", "Ben", "Cy"]
    with pytest.raises(InvalidInput):
        actions.name_players(mine.id, actor=ada, names={lines[child]: ["Cy", "Dee"]})
    with pytest.raises(NotFound):
        actions.name_players(
            theirs.id, actor=ada, names={BookingLine.objects.get(booking=theirs).id: ["X"]}
        )
    # Once the session has started, the customer no longer changes the names (staff do).
    with time_machine.travel(in_days(org, 3) + timedelta(minutes=5), tick=False):
        with pytest.raises(Forbidden):
            actions.name_players(mine.id, actor=ada, names={lines[adult]: ["Zed"]})
        actions.name_players(mine.id, actor=owner, names={lines[adult]: ["Zed"]})
    assert sorted(Participant.objects.values_list("name", flat=True)) == ["Cy", "Zed"]


def test_a_cancelled_booking_s_players_are_not_named_by_the_customer(org, vault):
    adult, _child = prices(vault)
    booking = online(org, vault, in_days(org, 3), {adult: 2})
    ada = Actor.customer(booking.customer)
    actions.cancel_booking(booking.id, actor=ada)
    with pytest.raises(Forbidden):
        actions.name_players(
            booking.id, actor=ada, names={BookingLine.objects.get(booking=booking).id: ["A"]}
        )


def test_the_pay_now_rule_reads_in_each_reader_s_language(org, vault):
    """Stored as parameters, so the portal (the customer's language) and the desk (staff's)
    each read it in theirs; the text kept beside them is in the booking's language."""
    adult, _child = prices(vault)
    booking = online(org, vault, in_days(org, 3), {adult: 2}, contact=BOB)
    assert booking.deadline_terms == {"kind": "pay_now"}
    assert booking.deadline_rule == "à payer maintenant"
    with translation.override("es"):
        assert booking.rule_text == "a pagar ahora"
    with translation.override("en"):
        assert booking.rule_text == "to be paid now"
