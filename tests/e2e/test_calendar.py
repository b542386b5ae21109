"""Issue 13 end to end, in a real browser against the live app and a real SMTP server:

a visitor (whose browser is in Montreal) requests an appointment on the service's public
page; staff open the calendar, click the request and reschedule it to another staff member
and time with a private note and a message; the customer receives the email with the new
time and its .ics (parsed); another request is declined with a message (email received).
Each page passes axe (WCAG 2.1 A/AA) in English, French and Spanish; screenshots include the
calendar at a phone's width and its dialog.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.utils import timezone

from tentative.accounts.models import StaffMembership
from tentative.bookings import actions
from tentative.bookings.models import Booking
from tentative.catalog.models import Resource, WorkingHours
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.worker.loop import drain
from tests.e2e.test_staff_pages import WCAG, screenshots
from tests.factories import CustomerFactory, OrganisationFactory, service, staff
from tests.notifications.conftest import smtp  # noqa: F401 - the SMTP server fixture
from tests.notifications.helpers import parts, text_of

pytestmark = pytest.mark.django_db(transaction=True)
PARIS = ZoneInfo("Europe/Paris")
PASSWORD = "calendar-e2e-pw"


def ics_of(message):  # type: ignore[no-untyped-def]
    [part] = parts(message, "text/calendar")
    return list(icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT"))


def next_weekday(days: int) -> datetime:
    """A working day at least `days` ahead, midnight in Paris."""
    day = timezone.localtime(timezone.now(), PARIS).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=PARIS)


def world():  # type: ignore[no-untyped-def]
    org = OrganisationFactory(
        name="Cabinet Lumière",
        slug="lumiere",
        time_zone="Europe/Paris",
        default_language="en",
        languages=["en", "fr", "es"],
    )
    user = get_user_model().objects.create_user(
        "owner@lumiere.example", email="owner@lumiere.example", password=PASSWORD
    )
    member = StaffMembership.objects.create(user=user, organisation=org, role=Role.OWNER)
    alice = Resource.objects.create(
        organisation=org, kind=Resource.Kind.STAFF, name="Alice Martin", membership=member
    )
    bob = Resource.objects.create(organisation=org, kind=Resource.Kind.STAFF, name="Bob Durand")
    for resource in (alice, bob):
        for weekday in range(5):
            WorkingHours.objects.create(
                resource=resource, weekday=weekday, starts=time(9), ends=time(18)
            )
    consultation = service(
        org,
        alice,
        bob,
        requires_approval=True,
        requests_hold_capacity=False,
        approval_note="We confirm each request within a day.",
    )
    consultation.name = "Consultation"
    consultation.save()
    return org, alice, bob, consultation


def sign_in(page, base):  # type: ignore[no-untyped-def]
    page.goto(f"{base}/staff/login/?next=/staff/calendar/")
    page.fill("input[name=username]", "owner@lumiere.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/calendar/")


def check_axe(page, name, problems):  # type: ignore[no-untyped-def]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    if results.violations_count:
        problems.append(f"{name}:\n{results.generate_report()}")


def test_request_reschedule_with_a_message_and_decline(live_server, browser, smtp, settings):  # type: ignore[no-untyped-def]  # noqa: F811
    settings.PUBLIC_URL = live_server.url
    org, alice, bob, consultation = world()
    out = screenshots()
    problems: list[str] = []
    day = next_weekday(2)

    # 1. The visitor, in Montreal, requests an appointment with Alice.
    visitor = browser.new_context(locale="en-GB", timezone_id="America/Montreal")
    page = visitor.new_page()
    url = f"{live_server.url}/o/{org.slug}/services/{consultation.id}/"
    page.goto(f"{url}?staff={alice.id}&date={day:%Y-%m-%d}")
    page.wait_for_url("**tz=America*")  # the browser's zone, sent once
    # Chromium names Montreal's zone by its canonical city, Toronto (the same clocks).
    assert "your time zone, America/" in page.inner_text(".zone-line")
    # Alice starts at 9:00 in Paris: 3:00 in Montreal.
    first = page.locator("label.slot").first
    assert "3" in first.inner_text()
    page.screenshot(path=str(out / "public-service-en-1280.png"), full_page=True)
    check_axe(page, "public service (en)", problems)
    first.click()
    page.fill("input[name=name]", "Ann Visitor")
    page.fill("input[name=email]", "ann@example.com")
    page.click("button[type=submit]:has-text('Request booking')")
    page.wait_for_url("**/done/**")
    booking = Booking.objects.get(customer__email="ann@example.com")
    assert booking.state == State.REQUEST
    assert booking.lines.get().starts_at == day.replace(hour=9)
    for language in ("fr", "es"):
        other = browser.new_context(locale=language, timezone_id="Europe/Madrid")
        public = other.new_page()
        public.goto(f"{url}?date={day:%Y-%m-%d}")
        public.wait_for_url("**tz=Europe*")
        assert public.evaluate("document.documentElement.lang") == language
        public.screenshot(path=str(out / f"public-service-{language}-1280.png"), full_page=True)
        check_axe(public, f"public service ({language})", problems)
        other.close()
    visitor.close()
    drain()
    [received] = [m for m in smtp.received if m["To"] == "ann@example.com"]
    assert str(ics_of(received)[0]["status"]) == "TENTATIVE"
    assert [m for m in smtp.received if m["To"] == "owner@lumiere.example"]  # Alice is told
    smtp.received.clear()

    # 2. Staff reschedule it from the calendar to Bob, at 14:30 the next day, with a message.
    staff_context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    staff_page = staff_context.new_page()
    sign_in(staff_page, live_server.url)
    staff_page.goto(f"{live_server.url}/staff/calendar/?date={day:%Y-%m-%d}")
    event = staff_page.locator(".fc-event.appt-request").first
    event.wait_for()
    assert "Pending" in event.inner_text()
    staff_page.screenshot(path=str(out / "calendar-en-1280.png"), full_page=True)
    check_axe(staff_page, "calendar (en)", problems)
    event.click()
    dialog = staff_page.locator("#appt-dialog")
    dialog.wait_for(state="visible")
    staff_page.screenshot(path=str(out / "calendar-dialog-en-1280.png"))
    check_axe(staff_page, "calendar dialog (en)", problems)
    dialog.locator("button[data-step=move]").click()
    new_day = day + timedelta(days=1)
    while new_day.weekday() >= 5:
        new_day += timedelta(days=1)
    move = dialog.locator("form[data-verb=move]")
    move.locator("select[name=resource]").select_option(str(bob.id))
    move.locator("input[name=day]").fill(f"{new_day:%Y-%m-%d}")
    move.locator("input[name=at]").fill("14:30")
    move.locator("textarea[name=reason]").fill("Alice is at a training day")
    move.locator("input[name=notify]").check()
    move.locator("textarea[name=message]").fill("Bob Durand will see you instead.")
    move.locator("button[type=submit]").click()
    staff_page.locator("#cal-status:has-text('rescheduled')").wait_for()
    line = Booking.objects.get(id=booking.id).lines.get()
    assert line.resource_id == bob.id
    assert line.starts_at == new_day.replace(hour=14, minute=30)
    drain()
    [moved] = [m for m in smtp.received if m["To"] == "ann@example.com"]
    body = text_of(moved)
    assert "Bob Durand will see you instead." in body
    assert "training day" not in body  # the private note stays private
    [entry] = ics_of(moved)
    assert entry.decoded("dtstart") == new_day.replace(hour=14, minute=30)
    assert entry.decoded("dtstart").astimezone(PARIS).hour == 14
    smtp.received.clear()

    # 3. Another request is declined with a message.
    ben = CustomerFactory(organisation=org, name="Ben Caller", email="ben@example.com")
    other = actions.create_booking(
        actor=staff(org),
        organisation_id=org.id,
        mode=State.REQUEST,
        customer_id=ben.id,
        lines=[actions.SlotRequest(consultation.id, alice.id, day.replace(hour=11), 1)],
    )
    drain()
    smtp.received.clear()
    staff_page.goto(f"{live_server.url}/staff/calendar/?date={day:%Y-%m-%d}&staff={alice.id}")
    staff_page.locator(".fc-event.appt-request", has_text="Ben Caller").click()
    dialog.locator("button[data-step=decline]").click()
    decline = dialog.locator("form[data-verb=decline]")
    decline.locator("input[name=notify]").check()
    decline.locator("textarea[name=message]").fill("That morning is fully booked, sorry.")
    decline.locator("button[type=submit]").click()
    staff_page.locator("#cal-status:has-text('declined')").wait_for()
    assert Booking.objects.get(id=other.id).state == State.DECLINED
    drain()
    [declined] = [m for m in smtp.received if m["To"] == "ben@example.com"]
    assert "That morning is fully booked, sorry." in text_of(declined)
    assert str(ics_of(declined)[0]["status"]) == "CANCELLED"

    # 4. The calendar in French and Spanish, at a phone's width, and the staff pages.
    for language, width in (("fr", 1280), ("es", 1280), ("fr", 390), ("en", 390)):
        context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/staff/calendar/?date={new_day:%Y-%m-%d}")
        page.locator(".fc-event").first.wait_for()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"calendar ({language}, {width}px): {overflow}px wider")
        page.screenshot(path=str(out / f"calendar-{language}-{width}.png"), full_page=True)
        check_axe(page, f"calendar ({language}, {width})", problems)
        for name, path in (
            ("services", "/staff/services/"),
            ("service", f"/staff/services/{consultation.id}/"),
            ("staff-hours", f"/staff/services/staff/{alice.id}/"),
        ):
            page.goto(live_server.url + path)
            page.screenshot(path=str(out / f"{name}-{language}-{width}.png"), full_page=True)
            check_axe(page, f"{name} ({language}, {width})", problems)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems.append(f"{name} ({language}, {width}px): {overflow}px wider")
        context.close()
    staff_context.close()
    assert not problems, "\n".join(problems)
