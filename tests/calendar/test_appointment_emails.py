"""An appointment's emails through a real SMTP server (issue 13 items 4 and 5): the staff
member the request is with is told in person, and the customer's emails carry an .ics in
every state (a request TENTATIVE, a move with the new time, a decline CANCELLED)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine

from tentative.bookings import actions
from tentative.core.states import State
from tentative.worker.loop import drain
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    book_slot,
    service,
    staff,
    staff_member,
)
from tests.notifications.conftest import smtp  # noqa: F401 - the SMTP server fixture
from tests.notifications.helpers import parts, text_of

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 10, 20, 8, 0, tzinfo=PARIS)


def ics_events(message):  # type: ignore[no-untyped-def]
    [part] = parts(message, "text/calendar")
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    org = OrganisationFactory(time_zone="Europe/Paris", default_language="fr")
    user = UserFactory(email="alice@example.com", first_name="Alice")
    member = MembershipFactory(organisation=org, user=user)
    alice = staff_member(org, "Alice")
    alice.membership = member
    alice.save()
    bob = staff_member(org, "Bob")
    cut = service(org, alice, bob, requires_approval=True, requests_hold_capacity=True)
    who = CustomerFactory(organisation=org, name="Ann", email="ann@example.com", language="en")
    return org, alice, bob, cut, who


def test_a_request_is_told_to_its_staff_member_and_carries_a_tentative_ics(world, smtp):  # type: ignore[no-untyped-def]  # noqa: F811
    org, alice, _bob, cut, who = world
    with time_machine.travel(NOW, tick=False):
        booking = book_slot(
            staff(org),
            cut,
            alice,
            datetime(2026, 10, 25, 10, 0, tzinfo=PARIS),
            mode=State.REQUEST,
            customer_id=who.id,
        )
        drain()
    to_alice = [m for m in smtp.received if m["To"] == "alice@example.com"]
    mine = [m for m in to_alice if "rendez-vous" in m["Subject"]]
    assert len(mine) == 1, [m["Subject"] for m in smtp.received]
    assert booking.reference in mine[0]["Subject"]
    assert f"/staff/calendar/?staff={alice.id}&show=pending" in text_of(mine[0])
    [to_ann] = [m for m in smtp.received if m["To"] == "ann@example.com"]
    [event] = ics_events(to_ann)
    assert str(event["status"]) == "TENTATIVE"
    # The day Paris leaves summer time: 10:00 is UTC+1.
    assert event.decoded("dtstart") == datetime(2026, 10, 25, 10, 0, tzinfo=PARIS)


def test_a_staff_member_without_an_account_gets_no_personal_email(world, smtp):  # type: ignore[no-untyped-def]  # noqa: F811
    org, _alice, bob, cut, who = world
    with time_machine.travel(NOW, tick=False):
        book_slot(
            staff(org),
            cut,
            bob,
            datetime(2026, 10, 26, 10, 0, tzinfo=PARIS),
            mode=State.REQUEST,
            customer_id=who.id,
        )
        drain()
    assert not [m for m in smtp.received if "rendez-vous" in (m["Subject"] or "")]


def test_a_reschedule_sends_the_new_time_and_a_decline_cancels_the_event(world, smtp):  # type: ignore[no-untyped-def]  # noqa: F811
    org, alice, bob, cut, who = world
    owner = staff(org)
    with time_machine.travel(NOW, tick=False):
        booking = book_slot(
            owner,
            cut,
            alice,
            datetime(2026, 10, 27, 10, 0, tzinfo=PARIS),
            mode=State.REQUEST,
            customer_id=who.id,
        )
        drain()
    smtp.received.clear()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        actions.move_booking(
            booking.id,
            actor=owner,
            to=actions.Destination(
                starts_at=datetime(2026, 10, 28, 15, 30, tzinfo=PARIS), resource_id=bob.id
            ),
            reason="private: Alice is away",
            message="Bob will see you",
            notify=True,
        )
        drain()
    [moved] = [m for m in smtp.received if m["To"] == "ann@example.com"]
    body = text_of(moved)
    assert "Bob will see you" in body and "Alice is away" not in body
    [event] = ics_events(moved)
    assert event.decoded("dtstart") == datetime(2026, 10, 28, 15, 30, tzinfo=PARIS)
    assert str(event["status"]) == "TENTATIVE"
    moved_sequence = int(event["sequence"])
    assert moved_sequence > 0
    assert str(event["uid"]).startswith(booking.reference)

    smtp.received.clear()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        actions.decline_booking(booking.id, actor=owner, reason="Fully booked, sorry")
        drain()
    [declined] = [m for m in smtp.received if m["To"] == "ann@example.com"]
    assert "Fully booked, sorry" in text_of(declined)
    [event] = ics_events(declined)
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) > moved_sequence
