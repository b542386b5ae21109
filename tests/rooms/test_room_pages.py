"""The rooms pages: add a room, edit it and its weekly rules (`update_room`), close and
reopen a day; refusals next to their field; catalogue managers only; another
organisation's staff get 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from tentative.catalog import actions as catalog
from tentative.catalog.errors import CatalogueManagersOnly, InvalidTerms
from tentative.catalog.models import ClosedDay, Resource, SessionRule
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.shared.actor import Actor
from tentative.shared.errors import NotFound
from tests.factories import MembershipFactory, OrganisationFactory
from tests.rooms.factories import book, escape_room, game, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def owner(client, org):
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(membership.user)
    return Actor.staff(membership)


def changes(**kw):  # type: ignore[no-untyped-def]
    base = {
        "name": "The Vault",
        "game": "Heist",
        "duration": timedelta(minutes=60),
        "reset": timedelta(minutes=30),
        "min_players": 2,
        "max_players": 5,
        "option_days": 2,
        "schedules": (catalog.Schedule(frozenset({5, 6}), "10:00 12:00"),),
    }
    base.update(kw)
    return catalog.RoomChanges(**base)


def test_update_room_replaces_its_rules_and_keeps_bookings(org, owner):
    room = escape_room(org, owner)
    booked = book(owner, room, in_days(org, 2, "11:30"), 2, mode=State.CONFIRMED)
    catalog.update_room(room.id, actor=owner, changes=changes())
    rules = list(SessionRule.objects.filter(room=room).values_list("weekdays", "times"))
    assert rules == [("56", "10:00 12:00")]
    g = game(room)
    assert (g.name, g.max_participants, g.deadline_days_after_booking) == ("Heist", 5, 2)
    booked.refresh_from_db()
    assert booked.state == State.CONFIRMED and booked.lines.get().starts_at


def test_update_room_refusals_change_nothing(org, owner):
    room = escape_room(org, owner)
    with pytest.raises(InvalidTerms) as refused:
        catalog.update_room(
            room.id,
            actor=owner,
            changes=changes(schedules=(catalog.Schedule(frozenset({1}), "10:00 10:30"),)),
        )
    assert "times" in refused.value.fields
    assert SessionRule.objects.filter(room=room).count() == 1
    with pytest.raises(InvalidTerms):
        catalog.update_room(room.id, actor=owner, changes=changes(min_players=6, max_players=3))
    agent = Actor.staff(MembershipFactory(organisation=org, role=Role.AGENT))
    with pytest.raises(CatalogueManagersOnly):
        catalog.update_room(room.id, actor=agent, changes=changes())
    other = Actor.staff(MembershipFactory(organisation=OrganisationFactory(), role=Role.OWNER))
    with pytest.raises(NotFound):
        catalog.update_room(room.id, actor=other, changes=changes())
    assert Resource.objects.get(id=room.id).name == "The Vault"


def test_add_a_room_from_the_page(client, owner, org):
    assert client.get("/staff/rooms/").status_code == 200
    response = client.post(
        "/staff/rooms/",
        {
            "name": "Lost Temple",
            "game": "",
            "duration": 75,
            "reset": 15,
            "min_players": 3,
            "max_players": 8,
            "option_days": 2,
            "category": "Adult",
            "price": "30.00",
            "days_0": ["0", "1", "2"],
            "times_0": "10:30 14:00",
        },
    )
    room = Resource.objects.get(organisation=org, name="Lost Temple")
    assert response.status_code == 302 and response["Location"] == f"/staff/rooms/{room.id}/"
    assert SessionRule.objects.get(room=room).weekdays == "012"


def test_a_bad_rule_is_refused_next_to_its_row(client, owner, org):
    room = escape_room(org, owner)
    data = {
        "name": "The Vault",
        "game": "Heist",
        "duration": 60,
        "reset": 30,
        "min_players": 2,
        "max_players": 6,
        "option_days": 3,
        "days_0": ["1"],
        "times_0": "10:00",
        "days_1": ["2"],
        "times_1": "10:00 10:45",
    }
    response = client.post(f"/staff/rooms/{room.id}/", data)
    assert response.status_code == 422
    form = response.context["form"]
    assert "overlap" in form.errors["times_1"][0] and "times_0" not in form.errors
    data["times_1"] = "10:00 11:30"
    assert client.post(f"/staff/rooms/{room.id}/", data).status_code == 302
    assert SessionRule.objects.filter(room=room).count() == 2


def test_close_and_reopen_a_day(client, owner, org):
    room = escape_room(org, owner)
    day = in_days(org, 5).date()
    url = f"/staff/rooms/{room.id}/closed-days/"
    assert client.post(url, {"day": day.isoformat(), "note": "Works"}).status_code == 302
    assert ClosedDay.objects.get(room=room).note == "Works"
    assert "Works" in client.get(f"/staff/rooms/{room.id}/").content.decode()
    assert client.post(url, {"day": day.isoformat(), "reopen": "1"}).status_code == 302
    assert not ClosedDay.objects.filter(room=room).exists()
    assert client.post(url, {"day": "not a day"}).status_code == 422


def test_another_organisations_staff_gets_404(client, owner, org):
    room = escape_room(org, owner)
    client.force_login(MembershipFactory(organisation=OrganisationFactory()).user)
    assert client.get(f"/staff/rooms/{room.id}/").status_code == 404
    assert (
        client.post(f"/staff/rooms/{room.id}/closed-days/", {"day": "2030-01-01"}).status_code
        == 404
    )
    assert "The Vault" not in client.get("/staff/rooms/").content.decode()
