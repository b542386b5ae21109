"""Price categories edited from the room's page (`set_room_prices`, issue 14 item 2): add,
rename, re-price, per group, remove; a category already sold is retired, not deleted, and
its lines keep their price; refusals name the row; a room that sells places follows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tentative.bookings import actions
from tentative.catalog import actions as catalog
from tentative.catalog.errors import CatalogueManagersOnly, InvalidTerms
from tentative.catalog.models import ServicePrice, TicketType
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.actions import sync_place_dates
from tentative.shared.actor import Actor
from tentative.shared.errors import NotFound
from tests.factories import MembershipFactory, OrganisationFactory
from tests.rooms.factories import book, escape_room, game, in_days, sell_places

pytestmark = pytest.mark.django_db
Row = catalog.PriceRow


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def owner(org):
    return Actor.staff(MembershipFactory(organisation=org, role=Role.OWNER))


def live(room):  # type: ignore[no-untyped-def]
    return [(p.name, p.price, p.per_group) for p in game(room).prices.order_by("id")]


def test_add_rename_reprice_and_remove(org, owner):
    room = escape_room(org, owner)
    adult, child = game(room).prices.order_by("id")
    catalog.set_room_prices(
        room.id,
        actor=owner,
        rows=(
            Row("Grown-up", Decimal("32.50"), id=adult.id),
            Row("Birthday", Decimal("150"), per_group=True),
        ),
    )
    assert live(room) == [
        ("Grown-up", Decimal("32.50"), False),
        ("Birthday", Decimal("150.00"), True),
    ]
    assert not ServicePrice.every.filter(id=child.id).exists()  # never sold: gone


def test_a_sold_category_is_retired_and_its_lines_keep_their_price(org, owner):
    room = escape_room(org, owner)
    adult, child = game(room).prices.order_by("id")
    booking = book(owner, room, in_days(org, 2, "10:00"), 2, 1, mode=State.CONFIRMED)
    total = booking.total
    catalog.set_room_prices(room.id, actor=owner, rows=(Row("Adult", Decimal("40"), id=adult.id),))
    assert live(room) == [("Adult", Decimal("40.00"), False)]
    retired = ServicePrice.every.get(id=child.id)
    assert retired.retired_at is not None
    booking.refresh_from_db()
    line = booking.lines.get(service_price_id=child.id)
    assert (line.service_price.name, line.unit_price) == ("Child", Decimal("20.00"))
    assert booking.total == total
    # The booking still moves with its players, and nobody new gets the removed category.
    moved = actions.move_booking(
        booking.id, actor=owner, to=actions.Destination(starts_at=in_days(org, 2, "14:00"))
    )
    assert moved.total == total
    assert moved.lines.filter(service_price_id=child.id).get().quantity == 1
    with pytest.raises(NotFound):
        actions.book_session(
            actor=owner,
            organisation_id=org.id,
            room_id=room.id,
            starts_at=in_days(org, 3, "10:00"),
            players={adult.id: 2, child.id: 1},
            mode=State.OPTION,
        )


def test_refusals_name_the_row_and_change_nothing(org, owner):
    room = escape_room(org, owner)
    before = live(room)
    with pytest.raises(InvalidTerms) as refused:
        catalog.set_room_prices(
            room.id,
            actor=owner,
            rows=(Row("", Decimal("1")), Row("Adult", Decimal("-1")), Row("adult", Decimal("1"))),
        )
    assert set(refused.value.fields) == {"name_0", "price_1", "name_2"}
    with pytest.raises(InvalidTerms) as refused:
        catalog.set_room_prices(room.id, actor=owner, rows=())
    assert "categories" in refused.value.fields
    with pytest.raises(InvalidTerms):
        catalog.set_room_prices(room.id, actor=owner, rows=(Row("X", Decimal("1.001")),))
    agent = Actor.staff(MembershipFactory(organisation=org, role=Role.AGENT))
    with pytest.raises(CatalogueManagersOnly):
        catalog.set_room_prices(room.id, actor=agent, rows=(Row("X", Decimal(1)),))
    elsewhere = OrganisationFactory()
    other = Actor.staff(MembershipFactory(organisation=elsewhere, role=Role.OWNER))
    with pytest.raises(NotFound):
        catalog.set_room_prices(room.id, actor=other, rows=(Row("X", Decimal(1)),))
    foreign = escape_room(elsewhere, other, "Elsewhere")
    stolen = game(foreign).prices.first()
    with pytest.raises(InvalidTerms):
        catalog.set_room_prices(room.id, actor=owner, rows=(Row("X", Decimal(1), id=stolen.id),))
    assert live(room) == before
    assert game(foreign).prices.count() == 2


def test_a_room_selling_places_follows_its_categories(org, owner):
    room = escape_room(org, owner)
    g = game(room)
    sell_places(room, owner, 10, times="10:00")
    sync_place_dates(g.id, actor=owner)
    adult, child = g.prices.order_by("id")
    catalog.set_room_prices(
        room.id,
        actor=owner,
        rows=(
            Row("Adult", Decimal("35"), id=adult.id),
            Row("Child", Decimal("20"), per_group=True, id=child.id),
            Row("Student", Decimal("25")),
        ),
    )
    kinds = TicketType.objects.filter(event=game(room).places_event).order_by("id")
    assert [(k.name, k.price) for k in kinds] == [
        ("Adult", Decimal("35.00")),
        ("Student", Decimal("25.00")),
    ]


def test_the_room_page_edits_categories_with_errors_next_to_the_row(org, owner, client):
    membership = MembershipFactory(organisation=org, role=Role.MANAGER)
    client.force_login(membership.user)
    room = escape_room(org, owner)
    adult, child = game(room).prices.order_by("id")
    page = client.get(f"/staff/rooms/{room.id}/").content.decode()
    assert 'name="name_2"' in page and 'value="Adult"' in page and "New category" in page
    url = f"/staff/rooms/{room.id}/prices/"
    form = {
        "rows": "3",
        "id_0": adult.id,
        "name_0": "Adult",
        "price_0": "31.00",
        "id_1": child.id,
        "name_1": "Child",
        "price_1": "20.00",
        "remove_1": "on",
        "name_2": "adult",
        "price_2": "10",
    }
    refused = client.post(url, form)
    assert refused.status_code == 422
    text = refused.content.decode()
    assert 'id="id_name_2-error"' in text and "same name" in text
    assert live(room) == [("Adult", Decimal("30.00"), False), ("Child", Decimal("20.00"), False)]
    missing = client.post(url, {**form, "name_2": "Family", "price_2": ""})
    assert missing.status_code == 422 and 'id="id_price_2-error"' in missing.content.decode()
    done = client.post(url, {**form, "name_2": "Family", "price_2": "90", "per_group_2": "on"})
    assert done.status_code == 302
    assert live(room) == [("Adult", Decimal("31.00"), False), ("Family", Decimal("90.00"), True)]
    agent = MembershipFactory(organisation=org, role=Role.AGENT)
    client.force_login(agent.user)
    assert client.post(url, form).status_code == 403
    stranger = MembershipFactory(organisation=OrganisationFactory(), role=Role.OWNER)
    client.force_login(stranger.user)
    assert client.post(url, form).status_code == 404


def test_the_room_page_turns_places_on(org, owner, client):
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(membership.user)
    room = escape_room(org, owner)
    page = client.get(f"/staff/rooms/{room.id}/").content.decode()
    assert 'name="sells_places"' in page
    form = {
        "name": "The Vault",
        "game": "Heist",
        "duration": "60",
        "reset": "30",
        "min_players": "2",
        "max_players": "6",
        "option_days": "3",
        "days_0": ["5", "6"],
        "times_0": "10:00 14:00",
        "sells_places": "on",
        "places": "",
    }
    refused = client.post(f"/staff/rooms/{room.id}/", form)
    assert refused.status_code == 422 and 'id="id_places-error"' in refused.content.decode()
    done = client.post(f"/staff/rooms/{room.id}/", {**form, "places": "12"})
    assert done.status_code == 302
    g = game(room)
    assert g.places_per_session == 12
    assert g.places_event.dates.exists()
    assert "sells 12 places" in client.get(f"/staff/rooms/{room.id}/").content.decode()


def test_players_of_a_retired_category_stay_when_the_others_change(org, owner, client):
    from tentative.bookings import actions
    from tentative.bookings.errors import UnknownCategory

    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(membership.user)
    room = escape_room(org, owner)
    adult, child = game(room).prices.order_by("id")
    booking = book(owner, room, in_days(org, 2, "10:00"), 2, 1, mode=State.CONFIRMED)
    catalog.set_room_prices(room.id, actor=owner, rows=(Row("Adult", Decimal("30"), id=adult.id),))
    page = client.get(f"/staff/bookings/{booking.reference}/players/").content.decode()
    assert f'name="players_{child.id}"' in page and 'value="1"' in page
    changed = actions.change_players(booking.id, actor=owner, players={adult.id: 3, child.id: 1})
    assert {ln.service_price_id: ln.quantity for ln in changed.lines.all()} == {
        adult.id: 3,
        child.id: 1,
    }
    other = book(owner, room, in_days(org, 3, "10:00"), 2, mode=State.CONFIRMED)
    with pytest.raises(UnknownCategory):  # nobody new joins a retired category
        actions.change_players(other.id, actor=owner, players={adult.id: 2, child.id: 1})
