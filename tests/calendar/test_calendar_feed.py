"""A staff member's private iCalendar feed (issue 13 item 5): their appointments only,
pending ones TENTATIVE, at a secret address that a reset kills."""

from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine

from tentative.accounts.models import CalendarFeed
from tentative.audit.models import AuditEntry
from tentative.core.states import State
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
NOW = datetime(2026, 10, 20, 8, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_feed_lists_my_appointments_and_a_reset_kills_the_old_address(client):  # type: ignore[no-untyped-def]
    org = OrganisationFactory(time_zone="Europe/Paris")
    me = MembershipFactory(organisation=org)
    alice = staff_member(org, "Alice")
    alice.membership = me
    alice.save()
    bob = staff_member(org, "Bob")
    cut = service(org, alice, bob, requires_approval=True)
    owner = staff(org)
    ann = CustomerFactory(organisation=org, name="Ann")
    # 25 October 2026: Paris leaves summer time; the 10:00 appointment is 09:00 UTC.
    mine = book_slot(
        owner,
        cut,
        alice,
        datetime(2026, 10, 25, 10, 0, tzinfo=PARIS),
        mode=State.REQUEST,
        customer_id=ann.id,
    )
    firm = book_slot(
        owner,
        cut,
        alice,
        datetime(2026, 10, 22, 10, 0, tzinfo=PARIS),
        mode=State.CONFIRMED,
        customer_id=ann.id,
    )
    other = book_slot(
        owner, cut, bob, datetime(2026, 10, 22, 10, 0, tzinfo=PARIS), mode=State.CONFIRMED
    )

    client.force_login(me.user)
    assert client.post("/staff/calendar/feed/reset/").status_code == 302
    token = CalendarFeed.objects.get(membership=me).token
    client.logout()
    answer = client.get(f"/staff/calendar/feed/{token}.ics")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(answer.content)
    events = {str(e["uid"]).split("-")[0]: e for e in calendar.walk("VEVENT")}
    assert set(events) == {mine.reference, firm.reference}
    assert other.reference not in events
    pending = events[mine.reference]
    assert str(pending["status"]) == "TENTATIVE"
    assert pending.decoded("dtstart") == datetime(2026, 10, 25, 10, 0, tzinfo=PARIS)
    assert pending.decoded("dtstart").utcoffset().total_seconds() == 3600
    assert str(events[firm.reference]["status"]) == "CONFIRMED"
    assert calendar.walk("VTIMEZONE")

    client.force_login(me.user)
    client.post("/staff/calendar/feed/reset/")
    new = CalendarFeed.objects.get(membership=me).token
    assert new != token
    client.logout()
    assert client.get(f"/staff/calendar/feed/{token}.ics").status_code == 404
    assert client.get(f"/staff/calendar/feed/{new}.ics").status_code == 200
    verbs = list(AuditEntry.objects.filter(organisation_id=org.id).values_list("action", flat=True))
    assert "staff.calendar_feed_created" in verbs and "staff.calendar_feed_reset" in verbs


def test_an_unknown_or_deactivated_address_is_not_found(client):  # type: ignore[no-untyped-def]
    org = OrganisationFactory()
    me = MembershipFactory(organisation=org)
    client.force_login(me.user)
    client.post("/staff/calendar/feed/reset/")
    token = CalendarFeed.objects.get(membership=me).token
    client.logout()
    assert client.get("/staff/calendar/feed/nothing.ics").status_code == 404
    me.user.is_active = False
    me.user.save()
    assert client.get(f"/staff/calendar/feed/{token}.ics").status_code == 404


def test_reset_needs_a_signed_in_staff_member(client):  # type: ignore[no-untyped-def]
    assert client.post("/staff/calendar/feed/reset/").status_code == 302
    assert not CalendarFeed.objects.exists()
    assert client.get("/staff/calendar/feed/reset/").status_code in (302, 405)
