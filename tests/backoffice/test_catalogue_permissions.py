"""Every catalogue, settings and staff page and form, for every role and for another
organisation's staff: what each may read and change. Refused means 403 or 404, and nothing
changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tentative.accounts.models import Organisation, StaffMembership
from tentative.audit.models import AuditEntry
from tentative.catalog.models import Event, EventDate, TicketType
from tentative.core.permissions import Role
from tentative.inventory.models import CapacityPool
from tentative.outbox.models import OutboxMessage
from tests.factories import MembershipFactory, OrganisationFactory, on_sale

pytestmark = pytest.mark.django_db

OWNER, MANAGER, AGENT, STRANGER = "owner", "manager", "agent", "other organisation's owner"


def _world(org: Organisation) -> dict[str, int]:
    date, ticket = on_sale(org, capacity=10)
    target = MembershipFactory(organisation=org, role=Role.AGENT)
    return {"event": date.event_id, "date": date.id, "type": ticket.id, "member": target.id}


def _pages(ids: dict[str, int]) -> list[str]:
    return [
        "/staff/catalogue/",
        f"/staff/catalogue/events/{ids['event']}/",
        f"/staff/catalogue/events/{ids['event']}/types/new/",
        f"/staff/catalogue/types/{ids['type']}/",
        "/staff/catalogue/rule-preview/?after=2",
        "/staff/settings/",
        "/staff/staff/",
    ]


def _posts(ids: dict[str, int]) -> list[tuple[str, str, dict[str, str]]]:
    """(duty, url, valid data): a change each role may or may not make."""
    day = (timezone.localdate() + timedelta(days=20)).isoformat()
    ticket = {"name": "New", "price": "9", "approval_charge": "none"}
    return [
        ("catalogue", "/staff/catalogue/", {"name": "New event"}),
        ("catalogue", f"/staff/catalogue/events/{ids['event']}/", {"name": "Renamed"}),
        (
            "catalogue",
            f"/staff/catalogue/events/{ids['event']}/dates/",
            {"kind": "one", "first": day, "time": "20:00", "duration": "60", "capacity": "5"},
        ),
        (
            "catalogue",
            f"/staff/catalogue/dates/{ids['date']}/capacity/",
            {f"capacity-{ids['date']}-capacity": "12"},
        ),
        ("catalogue", f"/staff/catalogue/events/{ids['event']}/types/new/", ticket),
        ("catalogue", f"/staff/catalogue/types/{ids['type']}/", ticket),
        (
            "catalogue",
            f"/staff/catalogue/types/{ids['type']}/quota/",
            {f"quota-{ids['type']}-quota": "4"},
        ),
        (
            "settings",
            "/staff/settings/",
            {
                "name": "Renamed org",
                "time_zone": "Europe/Madrid",
                "currency": "EUR",
                "default_language": "es",
                "deadline_policy": "strict",
                "deadline_at_limit": "release",
                "quote_validity_days": "10",
                "languages": ["en", "es"],
                "checkout_hold_minutes": "20",
                "public_max_places_per_order": "8",
                "public_max_open_per_customer": "3",
                "retention_days": "",
            },
        ),
        ("staff", "/staff/staff/", {"email": "new@example.org", "role": "agent", "language": "en"}),
        ("staff", f"/staff/staff/{ids['member']}/role/", {f"m{ids['member']}-role": "manager"}),
        ("staff", f"/staff/staff/{ids['member']}/remove/", {}),
    ]


# Forms about the signed-in member's own organisation (no id in the address).
ORGANISATION_FORMS = {"/staff/catalogue/", "/staff/settings/", "/staff/staff/"}

MAY = {
    OWNER: {"catalogue", "settings", "staff"},
    MANAGER: {"catalogue"},
    AGENT: set(),
    STRANGER: set(),
}


def _snapshot(org: Organisation) -> tuple[object, ...]:
    """Everything of `org` the forms could change."""
    return (
        AuditEntry.objects.filter(organisation=org).count(),
        OutboxMessage.objects.filter(organisation=org).count(),
        list(Event.objects.filter(organisation=org).order_by("id").values_list("name", flat=True)),
        EventDate.objects.filter(event__organisation=org).count(),
        list(
            TicketType.objects.filter(event__organisation=org)
            .order_by("id")
            .values_list("name", "quota_per_date")
        ),
        list(
            CapacityPool.objects.filter(organisation=org)
            .order_by("id")
            .values_list("capacity", flat=True)
        ),
        list(Organisation.objects.filter(id=org.id).values_list("name", "time_zone")),
        list(
            StaffMembership.objects.filter(organisation=org)
            .order_by("id")
            .values_list("id", "role")
        ),
    )


def _login(client, org: Organisation, who: str) -> None:  # type: ignore[no-untyped-def]
    if who == STRANGER:
        membership = MembershipFactory(organisation=OrganisationFactory(), role=Role.OWNER)
    else:
        membership = MembershipFactory(organisation=org, role=who)
    client.force_login(membership.user)


@pytest.mark.parametrize("who", [OWNER, MANAGER, AGENT, STRANGER])
def test_who_reads_which_page(client, org, who):
    ids = _world(org)
    _login(client, org, who)
    for url in _pages(ids):
        response = client.get(url)
        expected = 404 if who == STRANGER and "/catalogue/" in url and url.count("/") > 4 else 200
        if who == STRANGER and "rule-preview" in url:
            expected = 200  # no object: the stranger previews with their own organisation
        assert response.status_code == expected, (who, url, response.status_code)
        if who == STRANGER and response.status_code == 200:
            assert b"Renamed" not in response.content
            assert b"Event " not in response.content  # another organisation's events stay hidden


@pytest.mark.parametrize("who", [OWNER, MANAGER, AGENT, STRANGER])
def test_who_changes_what(client, org, who):
    ids = _world(org)
    _login(client, org, who)
    for duty, url, data in _posts(ids):
        before = _snapshot(org)
        response = client.post(url, data)
        if duty in MAY[who]:
            assert response.status_code == 302, (who, url, response.status_code)
            assert _snapshot(org) != before, (who, url)
        elif who == STRANGER and url in ORGANISATION_FORMS:
            # The stranger's own organisation: allowed there, and ours is untouched.
            assert response.status_code == 302, (who, url, response.status_code)
            assert _snapshot(org) == before, (who, url)
        else:
            assert response.status_code in (403, 404), (who, url, response.status_code)
            assert _snapshot(org) == before, (who, url)


def test_signed_out_visitors_are_sent_to_the_sign_in_page(client, org):
    ids = _world(org)
    for url in _pages(ids):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"], url
    before = _snapshot(org)
    for _, url, data in _posts(ids):
        assert client.post(url, data).status_code == 302
    assert _snapshot(org) == before
