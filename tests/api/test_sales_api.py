"""Audiences, the matrix, sales profiles and sale modes over the API."""

from __future__ import annotations

import pytest

from tentative.accounts.models import Audience
from tentative.catalog import actions as catalog
from tentative.catalog.models import SalesProfile
from tests.api.conftest import error, line
from tests.factories import CustomerFactory, on_sale, staff

pytestmark = pytest.mark.django_db


def test_set_up_schools_that_may_reserve_and_read_the_modes(api, org):  # type: ignore[no-untyped-def]
    _, ticket = on_sale(org)
    created = api.post("/audiences", {"name": "Schools"}, key="a1")
    assert created.status_code == 201, created.content
    schools = created.json()["id"]
    matrix = api.post(
        "/audiences/matrix",
        {
            "rows": [
                {"audience_id": None, "reserve_channels": []},
                {"audience_id": schools, "reserve_channels": ["web", "b2b"]},
            ]
        },
        key="m1",
    )
    assert matrix.status_code == 200, matrix.content
    assert {(a["name"], tuple(a["reserve_channels"])) for a in matrix.json()} == {
        ("Public", ()),
        ("Schools", ("web", "b2b")),
    }
    profile = api.post(
        "/sales-profiles",
        {"name": "Season", "channels": ["web"], "starts_at": "2020-01-01T00:00:00+01:00"},
        key="p1",
    )
    assert profile.status_code == 201, profile.content
    pid = profile.json()["id"]
    item = api.post(
        f"/sales-profiles/{pid}/items",
        {"event_id": ticket.event_id, "for_sale": True, "reservable": True},
        key="i1",
    )
    assert item.status_code == 200 and len(item.json()["items"]) == 1
    public = api.get("/sale-modes", channel="web").json()
    assert [(m["ticket_type_id"], m["modes"], m["profile_id"]) for m in public] == [
        (ticket.id, ["buy"], pid)
    ]
    for_schools = api.get("/sale-modes", channel="web", audience_id=schools).json()
    assert for_schools[0]["modes"] == ["buy", "reserve"]
    # The same key and body answer the first result and change nothing more.
    again = api.post("/audiences", {"name": "Schools"}, key="a1")
    assert again.status_code == 201 and again.json()["id"] == schools
    assert Audience.objects.filter(organisation=org).count() == 2
    # A customer put in the audience.
    customer = CustomerFactory(organisation=org)
    moved = api.post(f"/customers/{customer.id}/audience", {"audience_id": schools}, key="c1")
    assert moved.json() == {"customer_id": customer.id, "audience_id": schools}
    assert [p["id"] for p in api.get("/sales-profiles").json()] == [pid]


def test_bad_input_is_a_422_naming_the_problem(api, org):  # type: ignore[no-untyped-def]
    error(api.post("/audiences", {"name": ""}), 422)
    error(api.post("/audiences/matrix", {"rows": [{"reserve_channels": ["fax"]}]}), 422)
    body = error(
        api.post(
            "/sales-profiles",
            {
                "name": "P",
                "starts_at": "2027-01-02T00:00:00+00:00",
                "ends_at": "2027-01-01T00:00:00+00:00",
            },
        ),
        422,
        "invalid_terms",
    )
    assert "end" in body["message"].lower() or body["message"]
    error(api.post("/sales-profiles/999999/items", {"for_sale": True, "reservable": True}), 404)
    assert not SalesProfile.objects.exists()


def test_agents_read_but_may_not_change(agent, org):  # type: ignore[no-untyped-def]
    assert agent.get("/audiences").status_code == 200
    error(agent.post("/audiences", {"name": "Schools"}), 403, "audiences_managers_only")
    error(agent.post("/sales-profiles", {"name": "P"}), 403, "catalogue_managers_only")


def test_a_booking_the_channel_does_not_allow_is_a_422_with_a_code(api, org):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org)
    owner = staff(org)
    profile = catalog.create_sales_profile(
        org.id, catalog.ProfileData(name="Buy only online", channels=("web",)), actor=owner
    )
    catalog.set_profile_item(profile.id, actor=owner, for_sale=True, reservable=False)
    body = error(
        api.post(
            "/bookings", {"mode": "option", "channel": "web", "lines": [line(date, ticket, 1)]}
        ),
        422,
        "not_reservable",
    )
    assert ticket.name in body["message"]
    catalog.set_profile_item(profile.id, actor=owner, for_sale=False, reservable=False)
    error(
        api.post(
            "/bookings",
            {"mode": "confirmed", "channel": "web", "lines": [line(date, ticket, 1)]},
        ),
        422,
        "not_for_sale",
    )
    # On the API's own channel, staff keep what their role allows.
    created = api.post("/bookings", {"mode": "option", "lines": [line(date, ticket, 1)]})
    assert created.status_code == 201
