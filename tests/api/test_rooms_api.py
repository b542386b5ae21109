"""The rooms API (issue 14): rooms, the planning, booking a session, its players."""

from __future__ import annotations

import pytest

from tentative.bookings.models import Booking
from tentative.catalog.models import Resource
from tests.api.conftest import error, rows
from tests.factories import CustomerFactory, staff
from tests.rooms.factories import escape_room, in_days, prices

pytestmark = pytest.mark.django_db

ROOM = {
    "name": "Lost Temple",
    "duration_minutes": 75,
    "reset_minutes": 15,
    "min_players": 3,
    "max_players": 8,
    "option_days": 2,
    "categories": [
        {"name": "Adult", "price": "30.00"},
        {"name": "Package", "price": "150.00", "per_group": True},
    ],
    "schedules": [{"weekdays": [1, 2, 3, 4, 5, 6], "times": "10:30 14:00 16:00"}],
}


@pytest.fixture
def vault(org):
    return escape_room(org, staff(org))


def test_create_a_room_and_list_it(api):
    made = api.post("/rooms", ROOM, key="room-1")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["rules"] == [
        {
            "weekdays": [1, 2, 3, 4, 5, 6],
            "times": ["10:30", "14:00", "16:00"],
            "starts_on": None,
            "ends_on": None,
        }
    ]
    assert body["games"][0]["prices"][1]["per_group"] is True
    again = api.post("/rooms", ROOM, key="room-1")
    assert again.json() == body and Resource.objects.count() == 1
    listed = api.get("/rooms").json()
    assert [r["name"] for r in listed] == ["Lost Temple"]


def test_a_bad_schedule_is_refused_with_the_field(api):
    bad = {**ROOM, "schedules": [{"weekdays": [1], "times": "10:00 10:30"}]}
    body = error(api.post("/rooms", bad), 422, "invalid_terms")
    assert "times" in body["fields"]
    assert not Resource.objects.exists()


def test_the_planning_says_each_sessions_state(api, org, vault):
    at = in_days(org, 3, "10:00")
    booked = api.post(
        "/sessions",
        {
            "room_id": vault.id,
            "starts_at": at.isoformat(),
            "players": {str(prices(vault)[0]): 3},
            "mode": "option",
            "new_customer_name": "Zoé",
        },
        key="s-1",
    )
    assert booked.status_code == 201, booked.content
    quote = api.post(
        "/sessions",
        {
            "room_id": vault.id,
            "starts_at": in_days(org, 3, "11:30").isoformat(),
            "players": {str(prices(vault)[1]): 2},
            "mode": "quote",
            "customer_id": CustomerFactory(organisation=org).id,
        },
    )
    assert quote.status_code == 201
    day = at.date().isoformat()
    sessions = api.get("/planning", first=day).json()
    assert len(sessions) == 5
    first = sessions[0]
    assert first["status"] == "option" and not first["bookable"]
    assert first["bookings"][0]["customer"] == "Zoé"
    second = sessions[1]
    assert second["status"] == "free" and second["bookable"]
    assert second["bookings"][0]["state"] == "quote" and not second["bookings"][0]["blocks"]
    error(api.get("/planning", first=day, last="2020-01-01"), 422)


def test_booking_a_taken_session_or_too_many_players_writes_nothing(api, org, vault):
    adult = str(prices(vault)[0])
    body = {
        "room_id": vault.id,
        "starts_at": in_days(org, 4).isoformat(),
        "players": {adult: 2},
        "mode": "confirmed",
        "new_customer_name": "Ana",
    }
    assert api.post("/sessions", body).status_code == 201
    before = rows()
    error(api.post("/sessions", body), 409, "slot_taken")
    error(api.post("/sessions", {**body, "players": {adult: 9}}), 422, "players_out_of_range")
    error(
        api.post("/sessions", {**body, "starts_at": in_days(org, 4, "12:00").isoformat()}),
        422,
        "not_a_session",
    )
    error(api.post("/sessions", {**body, "mode": "request"}), 422)
    assert rows() == before


def test_change_the_players_and_name_them(api, org, vault):
    adult, child = (str(p) for p in prices(vault))
    made = api.post(
        "/sessions",
        {
            "room_id": vault.id,
            "starts_at": in_days(org, 5).isoformat(),
            "players": {adult: 4},
            "mode": "confirmed",
            "new_customer_name": "Ana",
        },
    ).json()
    ref = made["reference"]
    changed = api.post(f"/bookings/{ref}/players", {"players": {adult: 2, child: 1}}, key="p-1")
    assert changed.status_code == 200, changed.content
    assert changed.json()["total"] == "80.00"
    repeat = api.post(f"/bookings/{ref}/players", {"players": {adult: 2, child: 1}}, key="p-1")
    assert repeat.json() == changed.json()
    before = rows()
    error(
        api.post(f"/bookings/{ref}/players", {"players": {adult: 9}}), 422, "players_out_of_range"
    )
    error(
        api.post(f"/bookings/{ref}/players", {"players": {adult: 2, child: 1}}),
        422,
        "players_unchanged",
    )
    assert rows() == before
    line = next(ln for ln in changed.json()["lines"] if str(ln["service_price_id"]) == adult)
    named = api.post(f"/bookings/{ref}/players/names", {"names": {str(line["id"]): ["Ana", "Ben"]}})
    assert named.status_code == 200
    assert Booking.objects.get(reference=ref).lines.get(id=line["id"]).participants.count() == 2


def test_a_session_booked_as_the_public_pages_do_is_held_for_the_payment(api, org, vault):
    adult, child = (str(p) for p in prices(vault))
    body = {
        "room_id": vault.id,
        "starts_at": in_days(org, 5).isoformat(),
        "players": {adult: 2, child: 1},
        "name": "Ada Lovelace",
        "email": "ada@example.org",
    }
    made = api.post("/sessions/online", body, key="online-1")
    assert made.status_code == 201, made.content
    assert made.json()["state"] == "option" and made.json()["total"] == "80.00"
    again = api.post("/sessions/online", body, key="online-1")
    assert again.json() == made.json() and Booking.objects.count() == 1
    booking = Booking.objects.get()
    assert booking.channel == "web" and booking.customer.email == "ada@example.org"
    before = rows()
    error(api.post("/sessions/online", {**body, "email": "bob@example.org"}), 409, "slot_taken")
    late = {**body, "starts_at": in_days(org, -1).isoformat()}
    error(api.post("/sessions/online", late), 422, "session_started")
    error(
        api.post("/sessions/online", {**body, "players": {adult: 1}}), 422, "players_out_of_range"
    )
    error(api.post("/sessions/online", {**body, "players": {"999999": 2}}), 422, "unknown_category")
    error(api.post("/sessions/online", {**body, "email": "nope"}), 422)
    unknown = api.post("/sessions/online", {**body, "email": "cy@example.org", "language": "xx"})
    error(unknown, 422)
    assert "Choose one of the languages offered." in unknown.content.decode()
    assert rows() == before
