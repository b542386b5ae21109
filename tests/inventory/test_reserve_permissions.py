"""Who may book from which reserve, and who may change reserves: every role against every
reserve type, through the action, the API and the back office (seed 002).

The rules: a reserve *without access* is never booked from (its places must be released
first); a reserve *with access* open to all staff is booked from by any staff member; one
open to selected users by those users and the account owner, always; an archived one by no
one. Only owners and managers change reserves. Another organisation sees nothing (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tentative.accounts.models import ApiToken, StaffMembership
from tentative.bookings import actions
from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.actions import archive_reserve, create_reserve, set_allocation
from tentative.inventory.models import CapacityPool, Reserve
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError
from tests.api.conftest import Api
from tests.factories import CustomerFactory, MembershipFactory, OrganisationFactory, on_sale

pytestmark = pytest.mark.django_db

PERSONAS = ["owner", "manager", "agent", "member", "outsider"]
RESERVES = ["without_access", "all_staff", "selected", "archived"]
OK = None
# What booking from each reserve gives each persona: None (booked) or the error code.
DRAW: dict[str, dict[str, str | None]] = {
    "owner": {
        "without_access": "reserve_without_access",
        "all_staff": OK,
        "selected": OK,  # the owner always has access
        "archived": "reserve_archived",
    },
    "manager": {
        "without_access": "reserve_without_access",
        "all_staff": OK,
        "selected": "reserve_no_access",
        "archived": "reserve_archived",
    },
    "agent": {
        "without_access": "reserve_without_access",
        "all_staff": OK,
        "selected": "reserve_no_access",
        "archived": "reserve_archived",
    },
    "member": {  # an agent among the selected users
        "without_access": "reserve_without_access",
        "all_staff": OK,
        "selected": OK,
        "archived": "reserve_archived",
    },
    "outsider": dict.fromkeys(RESERVES, "not_found"),  # another organisation's owner
}
MANAGE = {
    "owner": OK,
    "manager": OK,
    "agent": "reserves_managers_only",
    "member": "reserves_managers_only",
    "outsider": "not_found",
}
STATUS = {
    "reserve_without_access": 403,
    "reserve_no_access": 403,
    "reserves_managers_only": 403,
    "reserve_archived": 409,
    "not_found": 404,
}


@dataclass
class World:
    date: Any
    ticket: Any
    memberships: dict[str, StaffMembership]
    reserves: dict[str, Reserve]

    def actor(self, persona: str, via: str = "backoffice") -> Actor:
        return Actor.staff(self.memberships[persona], via=via)

    def api(self, persona: str) -> Api:
        return Api(ApiToken.issue(self.memberships[persona], "tests")[1])

    def client(self, persona: str) -> Client:
        client = Client()
        client.force_login(self.memberships[persona].user)
        return client

    def drawn(self, name: str) -> int:
        pools = CapacityPool.objects.filter(reserve=self.reserves[name])
        return sum(p.taken for p in pools)


@pytest.fixture
def world(org) -> World:  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=100)
    memberships = {
        "owner": MembershipFactory(organisation=org, role=Role.OWNER),
        "manager": MembershipFactory(organisation=org, role=Role.MANAGER),
        "agent": MembershipFactory(organisation=org, role=Role.AGENT),
        "member": MembershipFactory(organisation=org, role=Role.AGENT),
        "outsider": MembershipFactory(organisation=OrganisationFactory(), role=Role.OWNER),
    }
    owner = Actor.staff(memberships["owner"])
    kinds = {
        "without_access": {"kind": Reserve.Kind.WITHOUT_ACCESS},
        "all_staff": {},
        "selected": {
            "audience": Reserve.Audience.SELECTED,
            "member_ids": [memberships["member"].id],
        },
        "archived": {},
    }
    reserves = {}
    for name, settings in kinds.items():
        reserve = create_reserve(org.id, actor=owner, name=f"R-{name}", **settings)
        set_allocation(
            reserve.id, actor=owner, event_date_id=date.id, ticket_type_id=ticket.id, quantity=5
        )
        reserves[name] = reserve
    archive_reserve(reserves["archived"].id, actor=owner)
    return World(date, ticket, memberships, reserves)


def _line(world: World, reserve: str) -> dict[str, Any]:
    return {
        "event_date_id": world.date.id,
        "ticket_type_id": world.ticket.id,
        "quantity": 1,
        "reserve_id": world.reserves[reserve].id,
    }


CASES = [(p, r, DRAW[p][r]) for p in PERSONAS for r in RESERVES]


@pytest.mark.parametrize(("persona", "reserve", "expected"), CASES)
def test_booking_from_a_reserve_through_the_action(world, persona, reserve, expected):
    book = lambda: _draw(world, world.actor(persona), reserve, State.CONFIRMED)  # noqa: E731
    if expected is OK:
        book()
        assert world.drawn(reserve) == 1
    else:
        with pytest.raises(DomainError) as refused:
            book()
        assert refused.value.code == expected
        assert refused.value.text  # a message staff can read
        assert world.drawn(reserve) == 0
    assert Booking.objects.count() == (1 if expected is OK else 0)


@pytest.mark.parametrize(("persona", "reserve", "expected"), CASES)
def test_booking_from_a_reserve_through_the_api(world, persona, reserve, expected):
    response = world.api(persona).post(
        "/bookings", {"mode": "confirmed", "lines": [_line(world, reserve)]}
    )
    if expected is OK:
        assert response.status_code == 201, response.content
        assert world.drawn(reserve) == 1
    else:
        assert response.status_code == STATUS[expected], response.content
        body = response.json()
        assert body["code"] == expected and body["message"]
        assert world.drawn(reserve) == 0


@pytest.mark.parametrize(("persona", "reserve", "expected"), CASES)
def test_booking_from_a_reserve_through_the_back_office(world, persona, reserve, expected):
    response = world.client(persona).post(
        f"/staff/reserves/{world.reserves[reserve].id}/book/",
        {"offer": f"{world.date.id}:{world.ticket.id}", "quantity": 1, "mode": "confirmed"},
    )
    if expected is OK:
        assert response.status_code == 302, response.content[:300]
        assert world.drawn(reserve) == 1
    else:
        assert response.status_code == STATUS[expected]
        assert world.drawn(reserve) == 0
        if expected != "not_found":  # the reserve page, with the refusal's message on it
            assert b'role="alert"' in response.content


@pytest.mark.parametrize("reserve", RESERVES)
def test_customers_never_book_from_a_reserve(world, reserve):
    customer = CustomerFactory(organisation=world.date.event.organisation)
    with pytest.raises(DomainError) as refused:
        _draw(world, Actor.customer(customer), reserve, State.OPTION)
    assert refused.value.code == "reserve_staff_only"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_owners_and_managers_change_reserves_through_the_action(world, persona):
    expected = MANAGE[persona]
    change = lambda: set_allocation(  # noqa: E731
        world.reserves["all_staff"].id,
        actor=world.actor(persona),
        event_date_id=world.date.id,
        ticket_type_id=world.ticket.id,
        quantity=7,
    )
    if expected is OK:
        change()
    else:
        with pytest.raises(DomainError) as refused:
            change()
        assert refused.value.code == expected
    assert _held(world) == (7 if expected is OK else 5)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_owners_and_managers_change_reserves_through_the_api(world, persona):
    expected = MANAGE[persona]
    reserve = world.reserves["all_staff"]
    api = world.api(persona)
    response = api.post(
        f"/reserves/{reserve.id}/allocation",
        {"event_date_id": world.date.id, "ticket_type_id": world.ticket.id, "quantity": 7},
    )
    renamed = api.post(f"/reserves/{reserve.id}/rename", {"name": "Press"})
    created = api.post("/reserves", {"name": "New"})
    if expected is OK:
        assert response.status_code == 200, response.content
        assert response.json() == {
            "reserve_id": reserve.id,
            "before": 5,
            "after": 7,
            "drawn": 0,
            "released": 0,
        }
        assert renamed.status_code == 200 and renamed.json()["name"] == "Press"
        assert created.status_code == 201
    else:
        for answer in (response, renamed):
            assert answer.status_code == STATUS[expected]
            assert answer.json()["code"] == expected
        assert created.status_code == (403 if expected != "not_found" else 201)
    assert _held(world) == (7 if expected is OK else 5)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_owners_and_managers_change_reserves_through_the_back_office(world, persona):
    expected = MANAGE[persona]
    reserve = world.reserves["all_staff"]
    response = world.client(persona).post(
        f"/staff/reserves/{reserve.id}/allocate/",
        {"offer": f"{world.date.id}:{world.ticket.id}", "quantity": 7},
    )
    if expected is OK:
        assert response.status_code == 302
    else:
        assert response.status_code == STATUS[expected]
    assert _held(world) == (7 if expected is OK else 5)


def test_pages_show_reserves_to_their_organisation_only(world):
    owner, outsider = world.client("owner"), world.client("outsider")
    reserve = world.reserves["selected"]
    assert owner.get("/staff/reserves/").status_code == 200
    page = owner.get(f"/staff/reserves/{reserve.id}/")
    assert page.status_code == 200 and b"R-selected" in page.content
    assert owner.get(f"/staff/reserves/dates/{world.date.id}/").status_code == 200
    assert outsider.get(f"/staff/reserves/{reserve.id}/").status_code == 404
    assert outsider.get(f"/staff/reserves/dates/{world.date.id}/").status_code == 404
    assert b"R-selected" not in outsider.get("/staff/reserves/").content
    agent_page = world.client("agent").get(f"/staff/reserves/{reserve.id}/").content
    assert b"/book/" not in agent_page  # not offered where the action would refuse
    assert b"/allocate/" not in agent_page


def _held(world: World) -> int:
    return CapacityPool.objects.get(reserve=world.reserves["all_staff"]).capacity


@pytest.mark.parametrize("persona", ["owner", "manager", "agent", "member"])
def test_taking_the_places_later_needs_the_right_to_draw_then(world, persona):
    """A quote drawn from a reserve takes its places when converted (as does a request that
    held none when approved, or a booking when reinstated): whoever does it must be allowed
    to draw from the reserve at that moment, as at creation."""
    quote = _draw(world, world.actor("member"), "selected", State.QUOTE)
    expected = DRAW[persona]["selected"]
    try:
        actions.convert_booking(quote.id, actor=world.actor(persona))
        outcome = None
    except DomainError as error:
        outcome = error.code
    assert outcome == expected
    assert world.drawn("selected") == (1 if expected is None else 0)


def test_an_archived_reserve_gives_no_places_to_what_was_drawn_before(world):
    quote = _draw(world, world.actor("owner"), "all_staff", State.QUOTE)
    archive_reserve(world.reserves["all_staff"].id, actor=world.actor("owner"))
    with pytest.raises(DomainError) as refused:
        actions.convert_booking(quote.id, actor=world.actor("owner"))
    assert refused.value.code == "reserve_archived"
    assert Booking.objects.get(id=quote.id).state == State.QUOTE


def _draw(world: World, actor: Actor, reserve: str, mode: State) -> Booking:
    """One place of the world's ticket type, booked from that reserve."""
    return actions.create_booking(
        actor=actor,
        organisation_id=world.date.event.organisation_id,
        mode=mode,
        lines=[
            actions.LineRequest(
                world.date.id, world.ticket.id, 1, reserve_id=world.reserves[reserve].id
            )
        ],
    )
