"""The rooms API, issue 14 items 1–3: `POST /rooms/{id}` (a partial change, with places per
session), the price categories, the planning's places, and session photos (list, upload,
restore, bytes); Idempotency-Key on every mutation, 4xx codes for bad input, nothing
written then."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tentative.bookings import actions
from tentative.bookings.models import SessionPhoto
from tentative.catalog.models import EventDate, ServicePrice
from tentative.core.states import State
from tests.api.conftest import PREFIX, error
from tests.factories import CustomerFactory, OrganisationFactory, api_token, staff
from tests.rooms.factories import book, escape_room, game, in_days
from tests.rooms.test_photos import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def vault(org):
    return escape_room(org, staff(org))


def patch(api, path, body, key=None):  # type: ignore[no-untyped-def]
    """A partial change, POSTed (every mutating call of the API is a POST)."""
    return api.post(path, body, key=key)


def upload(api, reference, files, key=None):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"{PREFIX}/bookings/{reference}/photos",
        data={"photos": files},
        headers=api._headers(None, key),
    )


def test_patch_changes_only_what_is_sent_and_sells_places(api, org, vault):
    done = patch(api, f"/rooms/{vault.id}", {"max_players": 8, "places_per_session": 12}, "p-1")
    assert done.status_code == 200, done.content
    body = done.json()
    g = body["games"][0]
    assert (g["max_players"], g["min_players"], g["places_per_session"]) == (8, 2, 12)
    assert body["rules"][0]["times"] == ["10:00", "11:30", "14:00", "15:30", "17:00"]
    assert EventDate.objects.filter(event_id=g["places_event_id"]).count() > 0
    assert (
        patch(api, f"/rooms/{vault.id}", {"max_players": 8, "places_per_session": 12}, "p-1").json()
        == body
    )
    day = in_days(org, 1).date()
    sessions = api.get("/planning", first=str(day), room_id=vault.id).json()
    assert sessions[0]["places"]["capacity"] == 12 and sessions[0]["places"]["taken"] == 0
    assert sessions[0]["status"] == "free"
    whole = patch(api, f"/rooms/{vault.id}", {"places_per_session": None}, "p-2").json()
    assert whole["games"][0]["places_per_session"] is None


def test_patch_refusals_say_why_and_change_nothing(api, agent, vault):
    body = error(patch(api, f"/rooms/{vault.id}", {"min_players": 9, "max_players": 3}), 422)
    assert body["code"] == "invalid_terms" and "max_players" in body["fields"]
    error(patch(api, f"/rooms/{vault.id}", {"places_per_session": 0}), 422)
    bad_rule = {"schedules": [{"weekdays": [1], "times": "10:00 10:20"}]}
    assert "times" in error(patch(api, f"/rooms/{vault.id}", bad_rule), 422)["fields"]
    error(patch(agent, f"/rooms/{vault.id}", {"name": "Mine"}), 403, "catalogue_managers_only")
    other = escape_room(elsewhere := OrganisationFactory(), staff(elsewhere), "Far")
    error(patch(api, f"/rooms/{other.id}", {"name": "Mine"}), 404, "not_found")
    g = game(vault)
    assert (g.min_participants, g.max_participants, g.places_per_session) == (2, 6, None)


def test_price_categories(api, org, vault):
    adult, child = game(vault).prices.order_by("id")
    book(staff(org), vault, in_days(org, 2, "10:00"), 2, 1, mode=State.CONFIRMED)
    done = api.post(
        f"/rooms/{vault.id}/prices",
        {
            "categories": [
                {"id": adult.id, "name": "Adult", "price": "35.00"},
                {"name": "Family", "price": "99.00", "per_group": True},
            ]
        },
        key="prices-1",
    )
    assert done.status_code == 200, done.content
    prices = [(p["name"], p["price"], p["per_group"]) for p in done.json()["games"][0]["prices"]]
    assert prices == [("Adult", "35.00", False), ("Family", "99.00", True)]
    assert ServicePrice.every.get(id=child.id).retired_at is not None  # sold: kept
    twice = {"categories": [{"name": "A", "price": "1"}, {"name": "a", "price": "2"}]}
    assert "name_1" in error(api.post(f"/rooms/{vault.id}/prices", twice), 422)["fields"]
    error(api.post(f"/rooms/{vault.id}/prices", {"categories": []}), 422)
    negative = {"categories": [{"name": "A", "price": "-1"}]}
    error(api.post(f"/rooms/{vault.id}/prices", negative), 422)
    assert game(vault).prices.count() == 2


def test_photos_list_upload_restore_and_bytes(api, org, vault):
    session = book(
        staff(org),
        vault,
        in_days(org, 1, "10:00"),
        3,
        mode=State.CONFIRMED,
        customer_id=CustomerFactory(organisation=org).id,
    )
    made = upload(api, session.reference, [_file(jpeg())], key="ph-1")
    assert made.status_code == 201, made.content
    [photo] = made.json()["photos"]
    assert (photo["content_type"], photo["width"], photo["archived"]) == ("image/jpeg", 64, False)
    again = upload(api, session.reference, [_file(jpeg())], key="ph-1")
    assert again.json() == made.json() and SessionPhoto.objects.count() == 1
    reused = upload(api, session.reference, [_file(jpeg(size=(32, 32)))], key="ph-1")
    error(reused, 422, "idempotency_key_reused")
    listed = api.get(f"/bookings/{session.reference}/photos").json()["photos"]
    assert [p["id"] for p in listed] == [photo["id"]]
    served = api.get(f"/photos/{photo['id']}/file")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    error(upload(api, session.reference, [_file(b"%PDF-1.4 nope")]), 422, "not_an_image")
    error(upload(api, session.reference, []), 422, "invalid")
    assert SessionPhoto.objects.count() == 1
    error(api.post(f"/photos/{photo['id']}/restore", key="r-0"), 409, "photo_not_archived")
    actions.archive_old_photos(now=timezone.now() + timedelta(days=61))
    error(api.get(f"/photos/{photo['id']}/file"), 404)
    restored = api.post(f"/photos/{photo['id']}/restore", key="r-1")
    assert restored.status_code == 200 and restored.json()["archived"] is False
    assert api.get(f"/photos/{photo['id']}/file").status_code == 200


def test_a_photo_too_large_and_another_organisation(api, org, vault, settings):
    settings.PHOTO_MAX_BYTES = 100
    session = book(staff(org), vault, in_days(org, 1, "10:00"), 3, mode=State.CONFIRMED)
    error(upload(api, session.reference, [_file(jpeg(size=(400, 300)))]), 413, "photo_too_large")
    elsewhere = OrganisationFactory()
    stranger = Client()
    token = api_token(elsewhere)
    answer = stranger.get(
        f"{PREFIX}/bookings/{session.reference}/photos",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 404
    assert SessionPhoto.objects.count() == 0


def _file(data: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")


def test_places_prices_follow_on_the_api(api, org, vault):
    patch(api, f"/rooms/{vault.id}", {"places_per_session": 4}, "pp-1")
    date = EventDate.objects.filter(event=game(vault).places_event).order_by("starts_at")[1]
    kind = game(vault).prices.order_by("id").first().ticket_type
    assert kind is not None and kind.price == Decimal("30.00")
    booked = api.post(
        "/bookings",
        {
            "mode": "confirmed",
            "customer_id": CustomerFactory(organisation=org).id,
            "lines": [{"event_date_id": date.id, "ticket_type_id": kind.id, "quantity": 4}],
        },
        key="b-1",
    )
    assert booked.status_code in (200, 201), booked.content
    day = timezone.localtime(date.starts_at, org.zone).date()
    cell = next(
        s
        for s in api.get("/planning", first=str(day), room_id=vault.id).json()
        if s["places"] and s["places"]["date_id"] == date.id
    )
    assert (cell["places"]["taken"], cell["status"]) == (4, "full")


def test_the_planning_refuses_days_no_zone_can_reach(api, vault):
    error(api.get("/planning", first="0001-01-01", last="0001-01-02"), 422, "invalid")
    error(api.get("/planning", first="9999-12-30", last="9999-12-31"), 422, "invalid")
    assert api.get("/planning", first="2030-01-01").status_code == 200
