"""The public booking pages in a real browser (issue 12): every page in English, French and
Spanish and at a phone's 390 px, axe-core's WCAG 2.1 A/AA rules with no violation, no page
wider than the screen, a screenshot of each (artifacts/screenshots/public-*.png); a visitor
requests an approval ticket and is told they will not be charged; a checkout hold lapses
(the server's clock travelled) and its places come back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from tentative.accounts.models import Organisation
from tentative.bookings.models import Booking
from tentative.catalog.models import Event
from tentative.core.states import State
from tentative.demo import create_demo
from tentative.inventory.models import CapacityPool
from tests.e2e.test_staff_pages import WCAG, screenshots

pytestmark = pytest.mark.django_db(transaction=True)


def check(page, name: str, language: str, width: int, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.lang") == language, name
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        problems.append(f"{name}: {overflow}px wider than the screen")
    page.screenshot(
        path=str(screenshots() / f"public-{name}-{language}-{width}.png"), full_page=True
    )
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    if results.violations_count:
        problems.append(f"{name} ({language}, {width}px):\n{results.generate_report()}")


@pytest.mark.parametrize(
    ("language", "width"), [("en", 1280), ("fr", 1280), ("es", 1280), ("fr", 390), ("en", 390)]
)
def test_every_public_page_renders_and_passes_axe(live_server, browser, language, width):  # type: ignore[no-untyped-def]
    create_demo()
    org = Organisation.objects.get(slug="demo")
    events = {e.name: e for e in Event.objects.filter(organisation=org)}
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    base = f"{live_server.url}/o/{org.slug}"
    page.goto(f"{base}/")
    check(page, "events", language, width, problems)
    for name, key in (
        ("event-buy", "Concert au bord du lac"),
        ("event-request", "Gala 18+ (sur validation)"),
        ("event-buy-names", "Atelier d'improvisation"),
        ("event-sold-out-and-reserve", "Ciné plein air"),
    ):
        response = page.goto(f"{base}/events/{events[key].id}/")
        assert response is not None and response.status == 200, name
        check(page, name, language, width, problems)
    # A reservation, through the pages: the checkout form, a refused post, the done page.
    page.goto(f"{base}/events/{events['Ciné plein air'].id}/")
    page.locator("button[value=reserve]").first.click()
    page.wait_for_url("**/checkout/**")
    check(page, "checkout", language, width, problems)
    page.fill("#id_name", "Ada Lovelace")
    page.fill("#id_email", "not-an-email")
    page.locator("form:not(.lang) button[type=submit]").last.click()
    page.wait_for_selector(".field-error")
    check(page, "checkout-errors", language, width, problems)
    page.fill("#id_email", "ada@example.org")
    page.locator("form:not(.lang) button[type=submit]").last.click()
    page.wait_for_url("**/done/**")
    check(page, "done-reservation", language, width, problems)
    response = page.goto(f"{base}/checkout/not-a-token/")
    assert response is not None and response.status == 404
    check(page, "hold-unknown", language, width, problems)
    context.close()
    assert not problems, "\n".join(problems)


def test_a_visitor_requests_an_approval_ticket_and_is_told_they_will_not_be_charged(
    live_server, browser
):  # type: ignore[no-untyped-def]
    create_demo()
    gala = Event.objects.get(organisation__slug="demo", name="Gala 18+ (sur validation)")
    page = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/o/demo/events/{gala.id}/")
    assert "we validate each request" in page.inner_text("main").lower() or "18" in page.inner_text(
        "main"
    )
    page.fill("input[name=quantity]", "2")
    page.click("button[value=request]")
    page.wait_for_url("**/checkout/**")
    assert "You will not be charged unless your request is accepted." in page.inner_text("main")
    page.fill("#id_name", "Sam Visitor")
    page.fill("#id_email", "sam.visitor@example.org")
    page.click("text=Send my request")
    page.wait_for_url("**/done/**")
    assert "Request sent — you will not be charged unless it is accepted." in page.inner_text(
        "main"
    )
    booking = Booking.objects.get(customer__email="sam.visitor@example.org")
    assert booking.state == State.REQUEST and booking.checkout_mode == "request"


def test_a_checkout_hold_lapses_and_its_places_come_back(live_server, browser):  # type: ignore[no-untyped-def]
    create_demo()
    org = Organisation.objects.get(slug="demo")
    org.public_max_places_per_order = 14
    org.save()
    workshop = Event.objects.get(organisation=org, name="Atelier d'improvisation")
    date = workshop.dates.order_by("starts_at").first()
    pool = CapacityPool.objects.get(event_date=date, ticket_type=None)
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(f"{live_server.url}/o/demo/events/{workshop.id}/")
    block = page.locator(f"#date-{date.id}")
    assert "14 places left" in block.inner_text()
    block.locator("input[name=quantity]").fill("3")
    block.locator("button[value=buy]").click()
    page.wait_for_url("**/checkout/**")
    assert "Your places are held for you for" in page.inner_text("main")
    hold = Booking.objects.get(organisation=org, checkout_token__isnull=False)
    pool.refresh_from_db()
    assert pool.taken == 3
    # The visitor walks away; the server's clock passes the hold's limit (no sweep runs).
    with time_machine.travel(hold.deadline_enforced + timedelta(seconds=5), tick=True):
        page.reload()
        assert "This booking cannot be completed" in page.inner_text("main")
        page.goto(f"{live_server.url}/o/demo/events/{workshop.id}/")
        assert "14 places left" in page.locator(f"#date-{date.id}").inner_text()
        # And the next visitor gets them, before any sweep.
        page.locator(f"#date-{date.id} input[name=quantity]").fill("14")
        page.locator(f"#date-{date.id} button[value=buy]").click()
        page.wait_for_url("**/checkout/**")
    hold.refresh_from_db()
    assert hold.state == State.EXPIRED
    pool.refresh_from_db()
    assert pool.taken == 14
    assert timezone.now() < date.starts_at
