"""The waiting list over the API: list a date's list, join, offer by hand, remove; each
mutation idempotent, each refusal a 4xx with its code that writes nothing."""

from __future__ import annotations

import pytest

from tentative.waitlist.models import WaitlistEntry
from tests.api.conftest import Api, error, rows
from tests.factories import api_token
from tests.waitlist.factories import full_date

pytestmark = pytest.mark.django_db


def written() -> tuple[object, ...]:
    return (rows(), WaitlistEntry.objects.count())


def test_join_list_offer_and_remove(api, org):
    date, _ticket, held = full_date(org, capacity=2)
    body = {"name": "Ana", "email": "ana@example.org", "quantity": 2, "accepts_partial": True}
    joined = api.post(f"/dates/{date.id}/waiting-list", body, key="join-1")
    assert joined.status_code == 201, joined.content
    entry = joined.json()
    assert (entry["state"], entry["position"], entry["quantity"]) == ("waiting", 1, 2)
    again = api.post(f"/dates/{date.id}/waiting-list", body, key="join-1")
    assert again.json() == entry and WaitlistEntry.objects.count() == 1

    before = written()
    error(api.post(f"/waiting-list/{entry['id']}/offer", key="o-0"), 409, "not_enough_places")
    api.post(f"/bookings/{held[0].reference}/cancel", {"reason": "r"})
    offered = api.post(f"/waiting-list/{entry['id']}/offer", key="o-1")
    assert offered.status_code == 200, offered.content
    assert offered.json()["state"] == "offered" and offered.json()["offered_quantity"] == 1
    assert offered.json()["offer_reference"]
    assert before != written()

    listed = api.get(f"/dates/{date.id}/waiting-list")
    assert [e["state"] for e in listed.json()] == ["offered"]
    removed = api.post(f"/waiting-list/{entry['id']}/remove", {"reason": "phone"}, key="rm-1")
    assert removed.json()["state"] == "removed"
    booking = api.get(f"/bookings/{offered.json()['offer_reference']}").json()
    assert booking["state"] == "cancelled"


def test_refusals_write_nothing(api, org, other):
    date, _ticket, _held = full_date(org, capacity=1)
    body = {"name": "Ana", "email": "ana@example.org"}
    api.post(f"/dates/{date.id}/waiting-list", body)
    before = written()
    error(api.post(f"/dates/{date.id}/waiting-list", body), 409, "already_waiting")
    error(api.post(f"/dates/{date.id}/waiting-list", {**body, "email": "nope"}), 422)
    error(api.post(f"/dates/{date.id}/waiting-list", {**body, "quantity": 0}), 422)
    stranger = Api(api_token(other[0]))
    error(stranger.post(f"/dates/{date.id}/waiting-list", body), 404)
    error(stranger.get(f"/dates/{date.id}/waiting-list"), 404)
    entry_id = WaitlistEntry.objects.get().id
    error(stranger.post(f"/waiting-list/{entry_id}/remove", {}), 404)
    assert written() == before
