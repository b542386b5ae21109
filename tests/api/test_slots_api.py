"""Appointments and room sessions over the API: the catalog, booking a slot, moving it,
changing the number of players, and the 409 `slot_taken`."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tentative.inventory.models import CapacityPool, TimeClaim
from tests.api.conftest import error, line, rows
from tests.factories import EventDateFactory, room, service, session, staff_member

pytestmark = pytest.mark.django_db

NINE = (timezone.now() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)


@pytest.fixture
def alice(org):
    return staff_member(org, "Alice")


@pytest.fixture
def haircut(org, alice):
    return service(org, alice, buffer_after=timedelta(minutes=15))


def slot(offer, resource, starts_at=NINE, quantity=1, **extra):  # type: ignore[no-untyped-def]
    return {
        "service_id": offer.id,
        "resource_id": resource.id,
        "starts_at": starts_at.isoformat(),
        "quantity": quantity,
        **extra,
    }


def book(api, *slots, mode="option", key=None):  # type: ignore[no-untyped-def]
    return api.post("/bookings", {"mode": mode, "slots": list(slots)}, key=key)


def test_the_catalog_lists_services_with_prices_and_resources(api, org, alice, haircut):
    vault = room(org)
    session(org, vault)
    services = api.get("/services").json()
    assert [s["kind"] for s in services] == ["appointment", "room_session"]
    assert services[0]["resource_ids"] == [alice.id]
    assert services[0]["duration"] == "P0DT01H00M00S"  # ISO 8601, as Django writes it
    assert [p["name"] for p in services[1]["prices"]] == ["Adult", "Child"]
    assert [r["name"] for r in api.get("/resources").json()] == ["Alice", "The Vault"]


def test_book_an_appointment_then_the_slot_is_busy(api, alice, haircut):
    response = book(api, slot(haircut, alice))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lines"][0]["resource_id"] == alice.id
    assert body["lines"][0]["ends_at"].startswith((NINE + timedelta(hours=1)).date().isoformat())
    busy = api.get(
        f"/resources/{alice.id}/busy",
        starts_after=(NINE - timedelta(hours=2)).isoformat(),
        ends_before=(NINE + timedelta(hours=4)).isoformat(),
    )
    [period] = busy.json()
    assert datetime.fromisoformat(period["starts_at"].replace("Z", "+00:00")) == NINE
    ends = datetime.fromisoformat(period["ends_at"].replace("Z", "+00:00"))
    assert ends == NINE + timedelta(hours=1, minutes=15)  # the buffer after counts


def test_an_overlapping_slot_is_a_409_slot_taken_and_writes_nothing(api, alice, haircut):
    assert book(api, slot(haircut, alice)).status_code == 201
    before = rows()
    body = error(book(api, slot(haircut, alice, NINE + timedelta(minutes=30))), 409, "slot_taken")
    assert "another booking" in body["message"]
    assert rows() == before


def test_slot_taken_is_in_the_callers_language(api, alice, haircut):
    assert book(api, slot(haircut, alice)).status_code == 201
    response = api.post(
        "/bookings",
        {"mode": "option", "slots": [slot(haircut, alice)]},
        headers={"Accept-Language": "fr"},
    )
    assert "créneau" in error(response, 409, "slot_taken")["message"]


def test_a_room_session_with_players_per_price(api, org):
    vault = room(org)
    escape = session(org, vault)
    adult, child = escape.prices.all()
    response = book(
        api,
        slot(escape, vault, quantity=3, price_id=adult.id),
        slot(escape, vault, quantity=2, price_id=child.id),
        mode="confirmed",
    )
    assert response.status_code == 201, response.content
    assert response.json()["total"] == "130.00"
    assert TimeClaim.objects.filter(active=True).count() == 1


def test_a_booking_needs_lines_or_slots_and_slots_need_a_zone(api, alice, haircut):
    error(api.post("/bookings", {"mode": "option"}), 422)
    naive = slot(haircut, alice)
    naive["starts_at"] = NINE.replace(tzinfo=None).isoformat()
    error(book(api, naive), 422)
    error(book(api, slot(haircut, alice, quantity=True)), 422)


def test_move_an_appointment_over_the_api_with_an_idempotency_key(api, org, alice, haircut):
    bob = staff_member(org, "Bob")
    haircut.resources.add(bob)
    reference = book(api, slot(haircut, alice)).json()["reference"]
    body = {"starts_at": (NINE + timedelta(hours=2)).isoformat(), "resource_id": bob.id}
    first = api.post(f"/bookings/{reference}/move", body, key="move-1")
    assert first.status_code == 200, first.content
    assert first.json()["lines"][0]["resource_id"] == bob.id
    again = api.post(f"/bookings/{reference}/move", body, key="move-1")
    assert again.json() == first.json()
    assert TimeClaim.objects.get(active=True).resource_id == bob.id


def test_a_move_into_a_taken_slot_is_a_409_and_changes_nothing(api, alice, haircut):
    assert book(api, slot(haircut, alice)).status_code == 201
    reference = book(api, slot(haircut, alice, NINE + timedelta(hours=3))).json()["reference"]
    before = rows()
    response = api.post(
        f"/bookings/{reference}/move", {"starts_at": (NINE + timedelta(minutes=20)).isoformat()}
    )
    error(response, 409, "slot_taken")
    assert rows() == before


def test_move_tickets_to_another_date_and_change_their_quantity(api, org, offer):
    date, ticket = offer
    other = EventDateFactory(event=date.event, starts_at=date.starts_at + timedelta(days=1))
    CapacityPool.objects.create(organisation=org, event_date=other, capacity=3)
    created = api.post("/bookings", {"mode": "option", "lines": [line(date, ticket, 2)]}).json()
    reference, line_id = created["reference"], created["lines"][0]["id"]
    moved = api.post(f"/bookings/{reference}/move", {"event_date_id": other.id})
    assert moved.json()["lines"][0]["event_date_id"] == other.id
    error(
        api.post(f"/bookings/{reference}/change_quantity", {"line_id": line_id, "quantity": 4}),
        409,
        "sold_out",
    )
    changed = api.post(
        f"/bookings/{reference}/change_quantity", {"line_id": line_id, "quantity": 3}, key="q"
    )
    assert changed.status_code == 200 and changed.json()["lines"][0]["quantity"] == 3


def test_move_and_change_quantity_refuse_bad_input(api, offer):
    date, ticket = offer
    created = api.post("/bookings", {"mode": "option", "lines": [line(date, ticket, 2)]}).json()
    reference, line_id = created["reference"], created["lines"][0]["id"]
    before = rows()
    error(api.post(f"/bookings/{reference}/move", {}), 422)
    error(
        api.post(
            f"/bookings/{reference}/move",
            {"event_date_id": date.id, "starts_at": NINE.isoformat()},
        ),
        422,
    )
    for quantity in (0, -1, 1.5, True, "2", 10**6):
        error(
            api.post(
                f"/bookings/{reference}/change_quantity",
                {"line_id": line_id, "quantity": quantity},
            ),
            422,
        )
    error(
        api.post(f"/bookings/{reference}/change_quantity", {"line_id": 10**12, "quantity": 1}),
        404,
    )
    assert rows() == before


def test_busy_needs_a_sane_window(api, alice):
    error(
        api.get(
            f"/resources/{alice.id}/busy",
            starts_after=NINE.isoformat(),
            ends_before=(NINE - timedelta(hours=1)).isoformat(),
        ),
        422,
    )
    error(
        api.get(
            "/resources/999999/busy",
            starts_after=NINE.isoformat(),
            ends_before=(NINE + timedelta(hours=1)).isoformat(),
        ),
        404,
    )


def test_move_a_line_to_another_ticket_type_over_the_api(api, org, offer):
    """At the new type's price, the total follows; a full type is a 409 that changes
    nothing; the same key gives the same answer."""
    from decimal import Decimal

    from tentative.catalog.models import TicketType

    date, ticket = offer
    reduced = TicketType.objects.create(event=date.event, name="Tarif réduit", price=5)
    CapacityPool.objects.create(organisation=org, event_date=date, ticket_type=reduced, capacity=2)
    created = api.post("/bookings", {"mode": "option", "lines": [line(date, ticket, 2)]}).json()
    reference, line_id = created["reference"], created["lines"][0]["id"]
    body = {"ticket_type_id": reduced.id, "line_id": line_id}
    moved = api.post(f"/bookings/{reference}/move", body, key="type-1")
    assert moved.status_code == 200, moved.content
    assert moved.json()["lines"][0]["ticket_type_id"] == reduced.id
    assert Decimal(moved.json()["total"]) == Decimal(10)
    assert api.post(f"/bookings/{reference}/move", body, key="type-1").json() == moved.json()
    other = api.post("/bookings", {"mode": "option", "lines": [line(date, ticket, 1)]}).json()
    before = rows()
    error(
        api.post(f"/bookings/{other['reference']}/move", {"ticket_type_id": reduced.id}),
        409,
        "sold_out",
    )
    error(
        api.post(
            f"/bookings/{other['reference']}/move",
            {"ticket_type_id": reduced.id, "starts_at": NINE.isoformat()},
        ),
        422,
    )
    error(api.post(f"/bookings/{other['reference']}/move", {"ticket_type_id": "<script>"}), 422)
    assert rows() == before
