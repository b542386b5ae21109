"""The catalogue pages: an event with a weekly series of dates and a ticket type set up from
the forms; bad input comes back next to its field with what was typed; refusals write
nothing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tentative.audit.models import AuditEntry
from tentative.catalog.models import Event, EventDate, TicketType
from tentative.core.permissions import Role
from tentative.inventory.models import CapacityPool
from tests.factories import MembershipFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client, org):  # type: ignore[no-untyped-def]
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(membership.user)
    return membership


def _future(days: int = 30) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_an_event_with_a_weekly_series_and_a_ticket_type_from_the_pages(client, org, owner):
    made = client.post("/staff/catalogue/", {"name": "Jazz au lac", "description": ""})
    assert made.status_code == 302
    event = Event.objects.get()
    first = timezone.localdate() + timedelta(days=30)
    last = first + timedelta(days=27)
    added = client.post(
        f"/staff/catalogue/events/{event.id}/dates/",
        {
            "kind": "series",
            "first": first.isoformat(),
            "last": last.isoformat(),
            "weekdays": ["4"],
            "time": "20:30",
            "duration": "120",
            "capacity": "80",
        },
    )
    assert added.status_code == 302
    dates = list(EventDate.objects.filter(event=event))
    assert len(dates) == 4
    paris = ZoneInfo("Europe/Paris")
    assert {d.starts_at.astimezone(paris).strftime("%a %H:%M") for d in dates} == {"Fri 20:30"}
    assert CapacityPool.objects.filter(event_date__event=event, capacity=80).count() == 4
    typed = client.post(
        f"/staff/catalogue/events/{event.id}/types/new/",
        {
            "name": "Entrée sur validation",
            "price": "25.50",
            "requires_approval": "on",
            "approval_note": "Chaque demande est validée sous 3 jours.",
            "approval_charge": "none",
            "decision_days": "3",
            "requests_hold_capacity": "on",
            "reservable": "on",
            "deadline_days_after_booking": "7",
            "deadline_days_before_start": "2",
        },
    )
    assert typed.status_code == 302, typed.content.decode()[:3000]
    ticket = TicketType.objects.get()
    assert ticket.requires_approval and ticket.decision_days == 3
    page = client.get(f"/staff/catalogue/events/{event.id}/", headers={"accept-language": "fr"})
    text = page.content.decode()
    assert "Entrée sur validation" in text and "20:30" in text  # local time, not UTC
    assert "7 jours après la réservation" in text
    assert AuditEntry.objects.filter(action__startswith="catalog.").count() == 3


def test_the_rule_preview_follows_the_fields_in_the_readers_language(client, org, owner):
    en = client.get("/staff/catalogue/rule-preview/?after=3&before=1")
    assert en.content.decode() == "3 days after booking, capped at 1 day before the event"
    es = client.get(
        "/staff/catalogue/rule-preview/?after=&before=5", headers={"accept-language": "es"}
    )
    assert "5" in es.content.decode() and "días" in es.content.decode()
    junk = client.get("/staff/catalogue/rule-preview/?after=<script>&before=-4")
    assert junk.status_code == 200 and "<" not in junk.content.decode()


def test_a_capacity_below_what_is_booked_is_refused_next_to_its_field(client, org, owner):
    date, ticket = on_sale(org, capacity=10)
    book(staff(org), date, ticket, quantity=6)
    response = client.post(
        f"/staff/catalogue/dates/{date.id}/capacity/", {f"capacity-{date.id}-capacity": "5"}
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "6 places are already booked" in text and 'value="5"' in text
    assert 'aria-invalid="true"' in text
    assert CapacityPool.objects.get(event_date=date, ticket_type=None).capacity == 10


# Every form, with bad input: the status, the field whose error shows, what must be kept.
SCRIPT = "<script>alert(1)</script>"


def _forms(date_id: int, event_id: int, type_id: int) -> list[tuple[str, dict[str, str], str]]:
    dates = f"/staff/catalogue/events/{event_id}/dates/"
    one = {"kind": "one", "first": _future(), "time": "20:00", "duration": "60", "capacity": "10"}
    ticket = {"name": "T", "price": "10", "approval_charge": "none"}
    new_type = f"/staff/catalogue/events/{event_id}/types/new/"
    return [
        ("/staff/catalogue/", {"name": ""}, "name"),
        ("/staff/catalogue/", {"name": SCRIPT}, "name"),
        ("/staff/catalogue/", {"name": "x" * 300}, "name"),
        (f"/staff/catalogue/events/{event_id}/", {"name": ""}, "name"),
        (dates, {**one, "first": ""}, "first"),
        (dates, {**one, "first": (timezone.localdate() - timedelta(days=3)).isoformat()}, "first"),
        (dates, {**one, "capacity": "-1"}, "capacity"),
        (dates, {**one, "capacity": "99999999999"}, "capacity"),
        (dates, {**one, "duration": SCRIPT}, "duration"),
        (dates, {**one, "kind": "series", "last": _future(10)}, "last"),
        (dates, {**one, "kind": "series", "last": _future(40000)}, "last"),
        (dates, {**one, "kind": "series", "last": _future(40)}, "weekdays"),
        (
            f"/staff/catalogue/dates/{date_id}/capacity/",
            {f"capacity-{date_id}-capacity": "-3"},
            "capacity",
        ),
        (f"/staff/catalogue/types/{type_id}/quota/", {f"quota-{type_id}-quota": "abc"}, "quota"),
        (new_type, {**ticket, "name": ""}, "name"),
        (new_type, {**ticket, "name": SCRIPT}, "name"),
        (new_type, {**ticket, "price": "-5"}, "price"),
        (new_type, {**ticket, "price": "1e15"}, "price"),
        (new_type, {**ticket, "requires_approval": "on"}, "approval_note"),
        (new_type, {**ticket, "approval_charge": "after_approval"}, "approval_charge"),
        (new_type, {**ticket, "deadline_days_after_booking": "-2"}, "deadline_days_after_booking"),
        (new_type, {**ticket, "deadline_days_before_start": "99999"}, "deadline_days_before_start"),
        (f"/staff/catalogue/types/{type_id}/", {**ticket, "price": ""}, "price"),
        ("/staff/settings/", {"name": "", "time_zone": "Nowhere"}, "time_zone"),
        ("/staff/staff/", {"email": SCRIPT, "role": "agent", "language": "en"}, "email"),
    ]


def test_bad_input_on_every_form_comes_back_next_to_its_field(client, org, owner):
    date, ticket = on_sale(org, capacity=10)
    cases = _forms(date.id, date.event_id, ticket.id)
    before = (
        AuditEntry.objects.count(),
        Event.objects.count(),
        EventDate.objects.count(),
        TicketType.objects.count(),
        list(CapacityPool.objects.values_list("capacity", flat=True)),
    )
    for url, data, field in cases:
        response = client.post(url, data)
        assert response.status_code == 422, (url, data, response.status_code)
        text = response.content.decode()
        assert 'class="field-error"' in text, (url, data)
        assert SCRIPT not in text  # escaped when kept
        for name, value in data.items():
            if value and name not in (
                "kind",
                "approval_charge",
                "weekdays",
                "role",
                "language",
                "requires_approval",
                "time_zone",
            ):
                assert value.replace("<", "&lt;").replace(">", "&gt;")[:50] in text, (url, name)
        # The error sits with its field: its id, or its input, is right before it.
        assert field in text, (url, field)
    after = (
        AuditEntry.objects.count(),
        Event.objects.count(),
        EventDate.objects.count(),
        TicketType.objects.count(),
        list(CapacityPool.objects.values_list("capacity", flat=True)),
    )
    assert after == before
