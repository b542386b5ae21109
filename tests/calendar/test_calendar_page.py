"""The staff calendar (issue 13 item 4): the page, its JSON feed scoped to the organisation
in its wall-clock time, and approve / decline / reschedule (dialog and drag) through the
bookings actions, with refusals as messages and nothing written."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.outbox.models import OutboxMessage
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    OrganisationFactory,
    book_slot,
    service,
    staff,
    staff_member,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 23, 8, 0, tzinfo=PARIS)  # a Monday; clocks go forward on the 29th


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    org = OrganisationFactory(time_zone="Europe/Paris")
    alice, bob = staff_member(org, "Alice"), staff_member(org, "Bob")
    cut = service(org, alice, bob, requires_approval=True, requests_hold_capacity=True)
    cut.name = "Haircut"
    cut.save()
    owner = staff(org)
    ann = CustomerFactory(organisation=org, name="Ann", email="ann@example.com")
    ben = CustomerFactory(organisation=org, name="Ben", email="ben@example.com")
    pending = book_slot(
        owner,
        cut,
        alice,
        datetime(2026, 3, 24, 10, 0, tzinfo=PARIS),
        mode=State.REQUEST,
        customer_id=ann.id,
    )
    firm = book_slot(
        owner,
        cut,
        bob,
        datetime(2026, 3, 24, 14, 0, tzinfo=PARIS),
        mode=State.CONFIRMED,
        customer_id=ben.id,
    )

    class W:
        pass

    w = W()
    w.org, w.alice, w.bob, w.cut, w.pending, w.firm = org, alice, bob, cut, pending, firm
    return w


def signed_in(client, org, role=Role.OWNER):  # type: ignore[no-untyped-def]
    member = MembershipFactory(organisation=org, role=role)
    client.force_login(member.user)
    return member


def feed(client, **params):  # type: ignore[no-untyped-def]
    response = client.get("/staff/calendar/events/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_feed_gives_wall_clock_times_and_marks_pending(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    rows = feed(client, start="2026-03-23T00:00:00Z", end="2026-03-30T00:00:00Z")
    by_ref = {r["extendedProps"]["reference"]: r for r in rows}
    pending = by_ref[world.pending.reference]
    assert pending["start"] == "2026-03-24T10:00:00"  # Paris wall clock, no offset
    assert pending["end"] == "2026-03-24T11:00:00"
    assert pending["classNames"] == ["appt-request"]
    assert pending["title"].startswith("Pending: Ann")
    assert set(pending["extendedProps"]["actions"]) == {"approve", "decline", "move"}
    firm = by_ref[world.firm.reference]
    assert firm["classNames"] == ["appt-confirmed"]
    assert "approve" not in firm["extendedProps"]["actions"]


def test_the_feed_filters_by_staff_member_and_pending(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    week = {"start": "2026-03-23T00:00:00Z", "end": "2026-03-30T00:00:00Z"}
    bobs = feed(client, staff=world.bob.id, **week)
    assert [r["extendedProps"]["reference"] for r in bobs] == [world.firm.reference]
    pending = feed(client, pending="1", **week)
    assert [r["extendedProps"]["reference"] for r in pending] == [world.pending.reference]
    assert feed(client, start="2026-04-01T00:00:00Z", end="2026-04-08T00:00:00Z") == []
    huge = feed(client, staff="99999999999999999999", **week)  # not an id: everyone
    assert len(huge) == 2


def test_another_organisation_sees_nothing(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, OrganisationFactory())
    assert feed(client, start="2026-03-23T00:00:00Z", end="2026-03-30T00:00:00Z") == []
    answer = client.post(f"/staff/calendar/appointments/{world.pending.reference}/approve/")
    assert answer.status_code == 404
    assert Booking.objects.get(id=world.pending.id).state == State.REQUEST


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"start": "yesterday", "end": "2026-03-30T00:00:00Z"},
        {"start": "2026-03-30T00:00:00Z", "end": "2026-03-23T00:00:00Z"},
        {"start": "2026-01-01T00:00:00Z", "end": "2026-06-01T00:00:00Z"},
    ],
)
def test_a_bad_range_is_a_400_with_a_message(client, world, params):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    response = client.get("/staff/calendar/events/", params)
    assert response.status_code == 400
    assert response.json()["message"]


def test_signed_out_is_sent_to_sign_in(client, world):  # type: ignore[no-untyped-def]
    assert client.get("/staff/calendar/").status_code == 302
    assert client.get("/staff/calendar/events/").status_code == 302
    assert (
        client.post(f"/staff/calendar/appointments/{world.pending.reference}/approve/").status_code
        == 302
    )


def test_the_page_lists_the_pending_requests(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    page = client.get("/staff/calendar/", {"show": "pending"}).content.decode()
    assert world.pending.reference in page
    assert world.firm.reference not in page.split('id="pending-title"')[1].split("</section>")[0]
    assert "calendar-config" in page and "index.global.min.js" in page


def test_approve_with_a_message(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    answer = client.post(
        f"/staff/calendar/appointments/{world.pending.reference}/approve/",
        {"notify": "on", "message": "See you then"},
    )
    assert answer.status_code == 200, answer.content
    booking = Booking.objects.get(id=world.pending.id)
    assert booking.state == State.CONFIRMED
    event = OutboxMessage.objects.filter(booking=booking, topic="booking.approved").get()
    assert event.payload["reason"] == "See you then"


def test_decline_without_a_message(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    answer = client.post(
        f"/staff/calendar/appointments/{world.pending.reference}/decline/",
        {"message": "not ticked, not sent"},
    )
    assert answer.status_code == 200
    booking = Booking.objects.get(id=world.pending.id)
    assert booking.state == State.DECLINED
    event = OutboxMessage.objects.filter(booking=booking, topic="booking.declined").get()
    assert event.payload.get("reason", "") == ""


def test_reschedule_with_a_private_note_and_a_message(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    answer = client.post(
        f"/staff/calendar/appointments/{world.pending.reference}/move/",
        {
            "resource": world.bob.id,
            "day": "2026-03-25",
            "at": "09:30",
            "reason": "Alice is ill",
            "notify": "on",
            "message": "Bob will see you",
        },
    )
    assert answer.status_code == 200, answer.content
    line = Booking.objects.get(id=world.pending.id).lines.get()
    assert line.resource_id == world.bob.id
    assert line.starts_at == datetime(2026, 3, 25, 9, 30, tzinfo=PARIS)
    entry = AuditEntry.objects.filter(booking_id=world.pending.id, action="move").get()
    assert entry.reason == "Alice is ill"
    event = OutboxMessage.objects.filter(booking_id=world.pending.id, topic="booking.moved").get()
    assert event.payload["message"] == "Bob will see you"
    assert event.payload["notify"] is True
    assert "Alice is ill" not in str(event.payload.get("message"))


def test_a_dragged_move_without_telling(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    answer = client.post(
        f"/staff/calendar/appointments/{world.firm.reference}/move/",
        {"starts_at": "2026-03-24T16:00:00Z"},  # the calendar's UTC-coerced wall clock
    )
    assert answer.status_code == 200, answer.content
    line = Booking.objects.get(id=world.firm.id).lines.get()
    assert line.starts_at == datetime(2026, 3, 24, 16, 0, tzinfo=PARIS)
    event = OutboxMessage.objects.filter(booking_id=world.firm.id, topic="booking.moved").get()
    assert event.payload["notify"] is False


def test_a_move_onto_a_taken_slot_is_refused_and_changes_nothing(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    answer = client.post(
        f"/staff/calendar/appointments/{world.pending.reference}/move/",
        {"starts_at": "2026-03-24T14:30:00", "resource": world.bob.id},
    )
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "slot_taken" and body["message"]
    line = Booking.objects.get(id=world.pending.id).lines.get()
    assert line.resource_id == world.alice.id
    assert line.starts_at == datetime(2026, 3, 24, 10, 0, tzinfo=PARIS)
    assert not AuditEntry.objects.filter(booking_id=world.pending.id, action="move").exists()


def test_a_time_the_clocks_skip_is_refused_next_to_the_time(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    answer = client.post(
        f"/staff/calendar/appointments/{world.pending.reference}/move/",
        {"day": "2026-03-29", "at": "02:30"},
    )
    assert answer.status_code == 422
    assert "clocks change" in answer.json()["fields"]["at"][0]
    assert Booking.objects.get(id=world.pending.id).lines.get().starts_at == datetime(
        2026, 3, 24, 10, 0, tzinfo=PARIS
    )


@pytest.mark.parametrize(
    "data",
    [{"day": "2026-03-25"}, {"day": "not a date", "at": "10:00"}, {"starts_at": "soon"}],
)
def test_bad_reschedule_input_is_a_422_next_to_a_field(client, world, data):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    answer = client.post(f"/staff/calendar/appointments/{world.pending.reference}/move/", data)
    assert answer.status_code == 422
    assert answer.json()["fields"]


def test_a_move_into_the_past_is_refused(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    answer = client.post(
        f"/staff/calendar/appointments/{world.pending.reference}/move/",
        {"day": "2026-03-20", "at": "10:00"},
    )
    assert 400 <= answer.status_code < 500
    assert answer.json()["message"]
    assert Booking.objects.get(id=world.pending.id).lines.get().starts_at.day == 24


def test_the_dashboard_counts_appointment_requests(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    page = client.get("/staff/").content.decode()
    assert 'id="pending-appointments">1<' in page
    assert "/staff/calendar/?show=pending" in page


def test_an_unknown_verb_is_not_found(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    answer = client.post(f"/staff/calendar/appointments/{world.pending.reference}/explode/")
    assert answer.status_code == 404


def test_get_on_an_action_is_refused(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    assert (
        client.get(f"/staff/calendar/appointments/{world.pending.reference}/approve/").status_code
        == 405
    )
    assert Booking.objects.get(id=world.pending.id).state == State.REQUEST


def test_times_before_now_are_not_draggable(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        rows = feed(client, start="2026-03-23T00:00:00Z", end="2026-03-30T00:00:00Z")
    assert all(not r["editable"] for r in rows)


def test_the_feed_reads_a_constant_number_of_queries(client, world):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, world.org)
    week = {"start": "2026-03-23T00:00:00Z", "end": "2026-03-30T00:00:00Z"}
    with CaptureQueriesContext(connection) as few:
        assert len(feed(client, **week)) == 2
    owner = staff(world.org)
    for hour in (9, 11, 15, 16):
        book_slot(
            owner,
            world.cut,
            world.alice,
            datetime(2026, 3, 26, hour, 0, tzinfo=PARIS),
            mode=State.REQUEST,
            customer_id=CustomerFactory(organisation=world.org).id,
        )
    with CaptureQueriesContext(connection) as many:
        assert len(feed(client, **week)) == 6
    assert len(many) == len(few)


def test_an_empty_week_opens_on_the_next_appointment(client, world):  # type: ignore[no-untyped-def]
    signed_in(client, world.org)
    page = client.get("/staff/calendar/").content.decode()  # this week has appointments
    assert '"date": "2026-03-23"' in page and "opens on the next one" not in page
    with time_machine.travel(datetime(2026, 3, 14, 9, 0, tzinfo=PARIS), tick=False):
        page = client.get("/staff/calendar/").content.decode()
    assert '"date": "2026-03-24"' in page and "opens on the next one" in page
    page = client.get("/staff/calendar/", {"date": "2026-05-04"}).content.decode()
    assert '"date": "2026-05-04"' in page and "opens on the next one" not in page
