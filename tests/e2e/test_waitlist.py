"""End to end (issue 12 item 5): a visitor joins the waiting list of a full date, staff
release an option from its booking page, the worker's pass runs (`drain`), the visitor
gets the offer email (a real SMTP server) and takes it, paying with the simulated card.
Every waiting list page, public and staff, in en/fr/es (and a phone's 390 px), screenshot
and axe (WCAG 2.1 A/AA) with no violation."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.shared.actor import Actor
from tentative.waitlist.models import WaitlistEntry
from tentative.worker.loop import drain
from tests.e2e.test_staff_pages import WCAG, screenshots
from tests.factories import CustomerFactory, MembershipFactory, book, on_sale
from tests.notifications.conftest import smtp  # noqa: F401  (the fixture)
from tests.notifications.helpers import text_of

pytestmark = pytest.mark.django_db(transaction=True)


def check(page, name: str, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Screenshot and axe, no page wider than the screen."""
    language = page.evaluate("document.documentElement.lang")
    width = page.viewport_size["width"]
    page.screenshot(path=str(screenshots() / f"{name}-{language}-{width}.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        problems.append(f"{name}: {overflow}px wider than the screen")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    if results.violations_count:
        problems.append(f"{name} ({language}, {width}px):\n{results.generate_report()}")


def test_a_visitor_joins_a_full_date_gets_the_offer_after_a_release_and_takes_it(
    live_server,
    browser,
    smtp,  # noqa: F811
    settings,
):
    settings.PUBLIC_URL = live_server.url
    member = MembershipFactory(role=Role.MANAGER, user__username="box-office")
    org = member.organisation
    org.name, org.time_zone, org.slug = "Théâtre du Port", "Europe/Paris", "port"
    org.save()
    date, ticket = on_sale(org, capacity=2, name="Tarif plein")  # 20.00 EUR each
    desk = Actor.staff(member)
    held = [
        book(desk, date, ticket, customer_id=CustomerFactory(organisation=org).id) for _ in range(2)
    ]
    problems: list[str] = []

    # The visitor, in English on a phone: the date is full, they join its list.
    visitor = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = visitor.new_page()
    page.goto(f"{live_server.url}/o/port/events/{date.event_id}/")
    page.click("text=Sold out — join the waiting list")
    page.wait_for_url(f"**/o/port/dates/{date.id}/waiting-list/?type={ticket.id}")
    assert "This date is sold out" in page.inner_text("main")
    check(page, "waitlist-join", problems)
    page.click("button[type=submit]")  # empty: errors next to the fields, no 500
    assert page.locator(".field-error").count() >= 2
    check(page, "waitlist-join-errors", problems)
    page.fill("#id_name", "Zoé Lambert")
    page.fill("#id_email", "zoe@example.org")
    page.fill("#id_quantity", "1")
    page.click("button[type=submit]")
    page.wait_for_url("**/o/port/waiting-list/**")
    assert "You are number 1 on the waiting list." in page.inner_text("main")
    check(page, "waitlist-position", problems)
    entry = WaitlistEntry.objects.get(email="zoe@example.org")

    drain()  # the "you are on the waiting list" email
    joined = smtp.by_subject("you are on the waiting list")
    assert len(joined) == 1 and joined[0]["To"] == "zoe@example.org"
    assert "You are number 1 on the list." in text_of(joined[0])

    # Staff release an option from its booking page; the pass offers the place.
    staff = browser.new_context(locale="en-GB").new_page()
    staff.goto(f"{live_server.url}/staff/login/?next=/staff/bookings/{held[0].reference}/")
    staff.fill("input[name=username]", "box-office")
    staff.fill("input[name=password]", "pw-for-tests")
    staff.click("button[type=submit]")
    staff.wait_for_url(f"**/staff/bookings/{held[0].reference}/")
    staff.click("button[data-open]:has-text('Cancel the booking')")
    staff.fill("#cancel-message", "Released for the waiting list")
    staff.click("dialog[open] button[type=submit]")
    staff.wait_for_selector(f"text=Booking {held[0].reference} cancelled.")
    drain()
    entry.refresh_from_db()
    assert entry.state == "offered" and entry.offer is not None

    # The staff page of the date's list shows the open offer.
    staff.goto(f"{live_server.url}/staff/dates/{date.id}/waiting-list/")
    assert "Zoé Lambert" in staff.inner_text("main") and entry.offer.reference in staff.inner_text(
        "main"
    )

    # The offer email, with the link to the visitor's page.
    offers = smtp.by_subject("places for you from the waiting list")
    assert len(offers) == 1 and offers[0]["To"] == "zoe@example.org"
    body = text_of(offers[0])
    url = re.search(r"http://\S+/waiting-list/\S+/", body).group(0)  # type: ignore[union-attr]
    assert "not a request awaiting approval" in body

    page.goto(url)
    assert "Places are offered to you" in page.inner_text("main")
    check(page, "waitlist-offer", problems)
    page.click("button:has-text('Accept and pay')")
    page.wait_for_url("**/pay/**")
    page.click("button.primary")
    page.wait_for_url("**/simulated-card/**")
    page.check("input[value=success]")
    page.click("button.primary")
    page.wait_for_url("**/pay/**?payment=*")
    assert "Paid, thank you!" in page.inner_text("main")
    assert Booking.objects.get(id=entry.offer_id).state == State.CONFIRMED
    drain()
    entry.refresh_from_db()
    assert entry.state == "accepted"
    page.goto(url)
    assert "is confirmed" in page.inner_text("main")
    visitor.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("language", "width"), [("en", 1280), ("fr", 1280), ("es", 1280), ("fr", 390)]
)
def test_waiting_list_pages_in_every_language_pass_axe(live_server, browser, language, width):  # type: ignore[no-untyped-def]
    member = MembershipFactory(role=Role.OWNER, user__username="owner-wl")
    org = member.organisation
    org.slug = "wl"
    org.save()
    date, ticket = on_sale(org, capacity=2)
    desk = Actor.staff(member)
    held = [book(desk, date, ticket) for _ in range(2)]
    from tests.waitlist.factories import join

    first = join(org, date, "Ana", quantity=1, language=language)
    second = join(org, date, "Ben", quantity=2, partial=True, language=language)
    from tentative.bookings.actions import cancel_booking

    cancel_booking(held[0].id, actor=desk, reason="r")
    drain()
    problems: list[str] = []
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in (
        ("waitlist-join", f"/o/wl/dates/{date.id}/waiting-list/"),
        ("waitlist-offer", f"/o/wl/waiting-list/{first.token}/"),
        ("waitlist-position", f"/o/wl/waiting-list/{second.token}/"),
    ):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, name
        assert page.evaluate("document.documentElement.lang") == language
        check(page, name, problems)
    page.goto(f"{live_server.url}/staff/login/?next=/staff/dates/{date.id}/waiting-list/")
    page.fill("input[name=username]", "owner-wl")
    page.fill("input[name=password]", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/staff/dates/{date.id}/waiting-list/")
    check(page, "waitlist-staff", problems)
    context.close()
    assert not problems, "\n".join(problems)
