"""A room's public booking page through HTTP: the shop lists it, the week and the day's
sessions (free ones bookable, taken ones not), players per category, the booking, the card,
and every refusal next to its field (never a 500, nothing written). Then the players'
names from the personal space, the customer's own bookings only."""

import re
from datetime import UTC, timedelta

import pytest
import time_machine
from django.urls import reverse

from tentative.bookings import actions
from tentative.bookings.models import Booking, BookingLine, Participant
from tentative.catalog import actions as catalog
from tentative.core.states import State
from tentative.shared.actor import Actor
from tests.factories import staff
from tests.portal.helpers import sign_in
from tests.rooms.factories import book, escape_room, in_days, prices, sell_places

pytestmark = pytest.mark.django_db

CONTACT = {"name": "Ada Lovelace", "email": "ada@example.org", "phone": "", "language": "en"}


@pytest.fixture
def owner(org):
    return staff(org)


@pytest.fixture
def vault(org, owner):
    return escape_room(org, owner)


def page_of(org, room) -> str:  # type: ignore[no-untyped-def]
    return reverse("public:room", args=[org.slug, room.id])


def form(org, vault, starts_at, adults=2, children=0, **extra):  # type: ignore[no-untyped-def]
    adult, child = prices(vault)
    return {
        **CONTACT,
        "mode": "buy",
        "date": starts_at.date().isoformat(),
        "session": starts_at.astimezone(UTC).isoformat(),
        f"p_{adult}": str(adults),
        f"p_{child}": str(children),
        **extra,
    }


def test_the_shop_lists_the_rooms_and_links_their_pages(client, org, vault):
    page = client.get(reverse("public:organisation", args=[org.slug]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "The Vault" in text and page_of(org, vault) in text
    assert "2 to 6 players" in text and "from 20.00 EUR" in text


def test_a_room_that_sells_places_is_sold_as_its_event_not_as_a_room(client, org, owner):
    lab = escape_room(org, owner, "The Lab", max_players=12)
    game = lab.services.get()
    sell_places(lab, owner, 12, min_players=1)
    game.refresh_from_db()
    shop = client.get(reverse("public:organisation", args=[org.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert page_of(org, lab) not in shop.content.decode()  # not offered whole
    page = client.get(page_of(org, lab))
    assert page.status_code == 302
    assert page["Location"] == reverse("public:event", args=[org.slug, game.places_event_id])


def test_the_day_shows_free_sessions_as_choices_and_taken_ones_not(client, org, owner, vault):
    day = in_days(org, 2)
    book(owner, vault, in_days(org, 2, "11:30"), 2, mode=State.OPTION)
    text = client.get(page_of(org, vault), {"date": day.date().isoformat()}).content.decode()
    free = re.findall(r'name="session" id="[^"]+" value="([^"]+)"', text)
    assert len(free) == 4  # five sessions, one taken
    assert in_days(org, 2, "11:30").astimezone(UTC).isoformat() not in free
    assert text.count('class="slot taken"') == 1 and "Taken" in text
    assert 'aria-current="date"' in text
    assert "Times are in Europe/Paris" in text


def test_the_page_speaks_french_and_spanish(client, org, vault):
    org.languages = ["en", "fr", "es"]
    org.save()
    fr = client.get(page_of(org, vault), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Joueurs" in fr and "Sessions du" in fr and "par joueur" in fr
    es = client.get(page_of(org, vault), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Jugadores" in es and "Sesiones del" in es and "por jugador" in es


def test_a_visitor_books_pays_by_card_and_the_session_is_confirmed(client, org, vault):
    starts_at = in_days(org, 3)
    sent = client.post(page_of(org, vault), form(org, vault, starts_at, 3, 1))
    assert sent.status_code == 302 and "/simulated-card/" in sent["Location"]
    booking = Booking.objects.get(organisation=org)
    assert booking.state == State.OPTION and str(booking.total) == "110.00"
    back = client.post(sent["Location"], {"choice": "success", "late_minutes": "0"})
    done = client.get(back["Location"])
    booking.refresh_from_db()
    assert booking.state == State.CONFIRMED
    assert "Your booking is confirmed" in done.content.decode()
    # The session is no longer offered.
    text = client.get(page_of(org, vault), {"date": starts_at.date().isoformat()}).content.decode()
    assert starts_at.astimezone(UTC).isoformat() not in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"adults": 1}, "between 2 and 6 players"),
        ({"adults": 9}, "between 2 and 6 players"),
        ({"adults": "two"}, "Give the number of players as a whole number."),
        ({"session": ""}, "Choose one of the free sessions."),
        ({"session": "garbage"}, "Choose one of the free sessions."),
        ({"session": "9999-12-31T23:00:00-12:00"}, "Choose one of the free sessions."),
        ({"session": "0001-01-01T00:00:00+14:00"}, "Choose one of the free sessions."),
        ({"at": "14:15"}, "The room has no session at that time."),
        ({"days": -1}, "This session has already started"),
        ({"email": "nope"}, "Enter a valid email address."),
    ],
)
def test_bad_input_comes_back_next_to_its_field_and_nothing_is_written(
    client, org, vault, change, message
):
    starts_at = in_days(org, change.pop("days", 3), change.pop("at", "14:00"))
    data = form(org, vault, starts_at, change.pop("adults", 2))
    data.update(change)
    page = client.post(page_of(org, vault), data)
    assert page.status_code == 422
    assert message in page.content.decode().replace("&#x27;", "'")
    assert not Booking.objects.exists()


def test_another_game_s_category_is_refused(client, org, owner, vault):
    other = escape_room(org, owner, "Temple")
    data = form(org, vault, in_days(org, 3), 0)
    data[f"p_{prices(other)[0]}"] = "3"
    # The other game's category is not a field of this page: no players, refused.
    page = client.post(page_of(org, vault), data)
    assert page.status_code == 422 and not Booking.objects.exists()


def test_a_closed_day_shows_no_session_and_refuses_one(client, org, owner, vault):
    starts_at = in_days(org, 4)
    catalog.close_room_day(vault.id, starts_at.date(), actor=owner)
    text = client.get(page_of(org, vault), {"date": starts_at.date().isoformat()}).content.decode()
    assert "No session on this day." in text
    page = client.post(page_of(org, vault), form(org, vault, starts_at))
    assert (
        page.status_code == 422 and "The room has no session at that time." in page.content.decode()
    )


def test_a_session_taken_meanwhile_gets_a_clear_message(client, org, owner, vault):
    starts_at = in_days(org, 3)
    client.get(page_of(org, vault))
    book(owner, vault, starts_at, 2, mode=State.CONFIRMED)
    page = client.post(page_of(org, vault), form(org, vault, starts_at))
    assert page.status_code == 409
    assert "This time is no longer free" in page.content.decode()
    assert Booking.objects.count() == 1


def test_an_unknown_room_or_another_organisation_s_is_not_found(client, org, vault):
    from tests.factories import OrganisationFactory

    other = OrganisationFactory()
    assert client.get(reverse("public:room", args=[other.slug, vault.id])).status_code == 404
    assert client.get(reverse("public:room", args=[org.slug, 999999])).status_code == 404


def test_the_customer_names_the_players_from_the_personal_space(client, org, owner, vault):
    adult, child = prices(vault)
    starts_at = in_days(org, 3)
    client.post(page_of(org, vault), form(org, vault, starts_at, 2, 1))
    booking = Booking.objects.get(organisation=org)
    sign_in(client, org, "ada@example.org")
    mine = client.get(reverse("portal:booking", args=[org.slug, booking.reference]))
    players_url = reverse("portal:players", args=[org.slug, booking.reference])
    assert players_url in mine.content.decode()
    lines = {ln.service_price_id: ln.id for ln in BookingLine.objects.filter(booking=booking)}
    page = client.get(players_url)
    assert page.status_code == 200 and f'name="n_{lines[adult]}_1"' in page.content.decode()
    saved = client.post(
        players_url,
        {f"n_{lines[adult]}_0": "Ana", f"n_{lines[adult]}_1": "Ben", f"n_{lines[child]}_0": ""},
    )
    assert saved.status_code == 302
    assert sorted(Participant.objects.values_list("name", flat=True)) == ["Ana", "Ben"]
    # Someone else's booking is not found from this space.
    theirs = book(owner, vault, in_days(org, 3, "10:00"), 2, mode=State.OPTION)
    other = reverse("portal:players", args=[org.slug, theirs.reference])
    assert client.get(other).status_code == 404
    assert client.post(other, {}).status_code == 404
    # Once started, the names are shown, not editable, and a forged post is refused.
    with time_machine.travel(starts_at + timedelta(minutes=1), tick=False):
        text = client.get(players_url).content.decode()
        assert "can no longer be changed online" in text
        refused = client.post(players_url, {f"n_{lines[adult]}_0": "Zed"})
        assert refused.status_code == 403
    assert "Zed" not in Participant.objects.values_list("name", flat=True)


def test_the_players_page_asks_to_sign_in(client, org, vault):
    booking = actions.book_session_online(
        actor=Actor.visitor(org.id),
        organisation_id=org.id,
        room_id=vault.id,
        starts_at=in_days(org, 3),
        players={prices(vault)[0]: 2},
        contact=actions.Contact("Ada", "ada@example.org"),
    )
    page = client.get(reverse("portal:players", args=[org.slug, booking.reference]))
    assert page.status_code == 302 and "/me/sign-in/" in page["Location"]


def test_the_room_page_reads_in_a_fixed_number_of_queries(client, org, owner, vault):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries_seen: list[dict[str, str]] = []

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(page_of(org, vault), {"date": in_days(org, 2).date()}).status_code == 200
            )
        queries_seen[:] = queries.captured_queries
        return len(queries)

    book(owner, vault, in_days(org, 1), 2, mode=State.OPTION)
    few = count()
    for n, at in enumerate(("10:00", "15:30", "17:00")):
        for d in range(7):
            book(owner, vault, in_days(org, d + 1, at), 2 + n % 3, mode=State.CONFIRMED)
    assert count() == few, "the week's bookings must not add queries"
    # The organisation, then the planning of the room: the room, its rules, its closed
    # days, its games and their prices, the week's lines, their live bookings.
    assert few == 8, [q["sql"][:60] for q in queries_seen]


def test_every_refusal_shows_at_once_the_players_with_the_details(client, org, vault):
    data = form(org, vault, in_days(org, 3), 0)
    data["email"] = ""
    text = client.post(page_of(org, vault), data).content.decode()
    assert 'id="players-error"' in text and "between 2 and 6 players" in text
    assert "This field is required." in text
    assert not Booking.objects.exists()
