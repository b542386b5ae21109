"""Reserves over the API: the whole round trip, bad input, the report, and query counts that
do not grow with the number of reserves (nor cost general sale anything)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tentative.accounts.models import ApiToken
from tentative.bookings import actions
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.actions import create_reserve, set_allocation
from tentative.inventory.models import CapacityPool, Reserve
from tentative.inventory.selectors import date_report
from tests.api.conftest import Api
from tests.factories import MembershipFactory, api_token, on_sale, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(org) -> Api:  # type: ignore[no-untyped-def]
    return Api(api_token(org, Role.MANAGER))


def ok(response, status: int = 200):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content[:500]
    return response.json()


def test_a_reserve_round_trip(api, org):
    date, ticket = on_sale(org, capacity=20)
    agent = MembershipFactory(organisation=org, role=Role.AGENT)
    body = ok(
        api.post(
            "/reserves",
            {
                "name": "Press",
                "audience": "selected",
                "member_ids": [agent.id],
                "release_before_hours": 48,
            },
            key="create-press",
        ),
        201,
    )
    rid = body["id"]
    assert body["members"] == [{"id": agent.id, "username": agent.user.username}]
    assert (body["release_before_hours"], body["may_book"]) == (48, False)
    again = api.post(
        "/reserves",
        {
            "name": "Press",
            "audience": "selected",
            "member_ids": [agent.id],
            "release_before_hours": 48,
        },
        key="create-press",
    )
    assert ok(again, 201)["id"] == rid and Reserve.objects.count() == 1  # idempotent

    resized = ok(
        api.post(
            f"/reserves/{rid}/allocation",
            {"event_date_id": date.id, "ticket_type_id": ticket.id, "quantity": 6},
        )
    )
    assert resized == {"reserve_id": rid, "before": 0, "after": 6, "drawn": 0, "released": 0}
    agent_api = Api(ApiToken.issue(agent, "tests")[1])  # a selected user
    booked = agent_api.post(
        "/bookings",
        {
            "mode": "confirmed",
            "lines": [
                {
                    "event_date_id": date.id,
                    "ticket_type_id": ticket.id,
                    "quantity": 2,
                    "reserve_id": rid,
                }
            ],
        },
    )
    ok(booked, 201)
    released = ok(
        api.post(
            f"/reserves/{rid}/release",
            {"event_date_id": date.id, "ticket_type_id": ticket.id, "quantity": 1},
        )
    )
    assert (released["after"], released["released"]) == (5, 1)
    schedule = ok(
        api.post(f"/reserves/{rid}/schedule", {"event_date_id": date.id, "hours_before": 24})
    )
    assert schedule["release_at"].startswith(
        (date.starts_at - timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M")
    )
    report = ok(api.get(f"/dates/{date.id}/reserves"))
    assert report["capacity"] == 20 and report["sold"] == 2 and report["free"] == 15
    assert report["capacity"] == (
        report["sold"] + report["held"] + report["left_in_reserves"] + report["free"]
    )
    [press] = report["reserves"]
    assert (press["assigned"], press["drawn"], press["left"], press["released"]) == (5, 2, 3, 1)

    assert ok(api.post(f"/reserves/{rid}/rename", {"name": "Media"}))["name"] == "Media"
    configured = ok(
        api.post(
            f"/reserves/{rid}/configure",
            {"cancelled_places_to": "general", "release_before_hours": None},
        )
    )
    assert (configured["cancelled_places_to"], configured["release_before_hours"]) == (
        "general",
        None,
    )
    assert configured["kind"] == "with_access"  # not sent, not changed
    restricted = ok(api.post(f"/reserves/{rid}/restrict", {"audience": "all_staff"}))
    assert restricted["audience"] == "all_staff" and restricted["may_book"] is True
    read = ok(api.get(f"/reserves/{rid}"))
    assert read["allocations"] == [
        {
            "event_date_id": date.id,
            "ticket_type_id": ticket.id,
            "assigned": 5,
            "drawn": 2,
            "left": 3,
        }
    ]
    archived = ok(api.post(f"/reserves/{rid}/archive"))
    assert archived["archived_at"] and archived["allocations"][0]["assigned"] == 2
    assert ok(api.get("/reserves")) == []
    assert [r["id"] for r in ok(api.get("/reserves", archived="true"))] == [rid]


@pytest.mark.parametrize(
    ("path", "payload", "status", "code"),
    [
        ("/reserves", {"name": ""}, 422, "invalid"),
        ("/reserves", {"name": "   "}, 422, "invalid"),
        ("/reserves", {"name": "X", "kind": "sometimes"}, 422, "invalid"),
        ("/reserves", {"name": "X", "member_ids": [0]}, 422, "invalid"),
        ("/reserves", {"name": "X", "release_before_hours": 0}, 422, "invalid"),
        ("/reserves", {"name": "X", "audience": "selected", "member_ids": [999999]}, 422, None),
        ("/reserves/{rid}/allocation", {"ticket_type_id": None}, 422, "invalid"),
        ("/reserves/{rid}/allocation", {"quantity": -1}, 422, "invalid"),
        ("/reserves/{rid}/allocation", {"quantity": 10**7}, 422, "invalid"),
        ("/reserves/{rid}/allocation", {"quantity": 11}, 409, "not_enough_free"),
        ("/reserves/{rid}/allocation", {"ticket_type_id": 999999}, 404, "not_found"),
        ("/reserves/{rid}/release", {"quantity": 99}, 409, "release_too_many"),
        ("/reserves/{rid}/schedule", {"hours_before": 24, "release_at": "x"}, 422, "invalid"),
        ("/reserves/{rid}/schedule", {"hours_before": 24 * 365}, 422, "invalid"),
        ("/reserves/999999/rename", {"name": "Y"}, 404, "not_found"),
        ("/reserves/{rid}/rename", {"name": "Taken"}, 422, "reserve_name_taken"),
    ],
)
def test_bad_input_is_refused_without_a_write(api, org, path, payload, status, code):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    create_reserve(org.id, actor=owner, name="Taken")
    set_allocation(
        reserve.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id, quantity=2
    )
    defaults = {"event_date_id": date.id, "ticket_type_id": ticket.id, "quantity": 1}
    body = {**defaults, **payload} if "{rid}" in path else payload
    before = _state()
    response = api.post(path.replace("{rid}", str(reserve.id)), body)
    assert response.status_code == status, response.content[:500]
    assert response.json()["message"]
    if code:
        assert response.json()["code"] == code
    assert _state() == before


def _state():  # type: ignore[no-untyped-def]
    return (
        sorted(CapacityPool.objects.values_list("id", "capacity", "taken", "set_aside")),
        sorted(Reserve.objects.values_list("id", "name", "archived_at")),
    )


def test_listing_reserves_costs_the_same_for_few_or_many(api, org):
    date, ticket = on_sale(org, capacity=100)
    owner = staff(org)

    def add(n: int) -> None:
        for _ in range(n):
            reserve = create_reserve(org.id, actor=owner, name=f"R{Reserve.objects.count()}")
            set_allocation(
                reserve.id,
                actor=owner,
                event_date_id=date.id,
                ticket_type_id=ticket.id,
                quantity=1,
            )

    def count(call) -> int:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as captured:
            assert call().status_code == 200
        return len(captured)

    add(1)
    few = [
        count(lambda: api.get("/reserves")),
        count(lambda: api.get(f"/dates/{date.id}/reserves")),
    ]
    add(6)
    many = [
        count(lambda: api.get("/reserves")),
        count(lambda: api.get(f"/dates/{date.id}/reserves")),
    ]
    assert few == many


def test_general_sale_pays_no_query_for_reserves_and_a_draw_pays_one(org):
    date, ticket = on_sale(org, capacity=100)
    owner = staff(org)
    reserve = create_reserve(org.id, actor=owner, name="Press")
    set_allocation(
        reserve.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id, quantity=10
    )

    def queries(reserve_id: int | None) -> int:
        line = actions.LineRequest(date.id, ticket.id, 1, reserve_id=reserve_id)
        with CaptureQueriesContext(connection) as captured:
            actions.create_booking(
                actor=owner, organisation_id=org.id, mode=State.CONFIRMED, lines=[line]
            )
        return len(captured)

    general, drawn = queries(None), queries(reserve.id)
    assert drawn == general + 1  # the access check, in one query
    assert len(date_report(date).reserves) == 1
