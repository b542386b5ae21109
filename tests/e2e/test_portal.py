"""End to end (issue 12): the personal space in a real browser.

A visitor with a reservation (made with the engine) asks for a sign-in link, receives it at
a real SMTP server, signs in, sees it on the dashboard, pays it from the space with the
simulated card, and gets the ticket with its QR code; another customer cancels with a reason.
Then every page of the space, in English, French and Spanish and at phone width: a
screenshot, axe-core's WCAG 2.1 A and AA rules with no violation, no page wider than the
screen. The worker's work runs in the test between the steps (`drain`).
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tentative.accounts.actions import customer_user, sign_in_url
from tentative.accounts.models import Organisation
from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.demo import create_demo
from tentative.demo_portal import EMAIL
from tentative.worker.loop import drain
from tests.e2e.test_staff_pages import WCAG, screenshots
from tests.factories import CustomerFactory, book, on_sale, staff
from tests.notifications.conftest import smtp  # noqa: F401  (the fixture)
from tests.notifications.helpers import text_of

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_from_email(page, base: str, org, email: str, inbox) -> None:  # type: ignore[no-untyped-def]
    drain()  # whatever else was waiting goes first
    page.goto(f"{base}/o/{org.slug}/me/sign-in/")
    page.fill("input[name=email]", email)
    page.click("main button[type=submit]")
    page.wait_for_selector("p.done")
    before = len(inbox.received)
    drain()
    assert len(inbox.received) == before + 1
    message = inbox.received[-1]
    assert message["To"] == email
    url = re.search(r"http://\S+/me/link/\S+", text_of(message)).group(0)  # type: ignore[union-attr]
    page.goto(url)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/o/{org.slug}/me/")


def test_a_customer_signs_in_from_the_email_pays_and_gets_the_ticket(
    live_server,
    browser,
    smtp,  # noqa: F811
    settings,
):
    settings.PUBLIC_URL = live_server.url
    date, ticket = on_sale(org := _org(), capacity=10, name="Tarif plein")
    ana = CustomerFactory(organisation=org, email="ana@example.org", name="Ana Lopez")
    bob = CustomerFactory(organisation=org, email="bob@example.org", name="Bob Stone")
    option = book(staff(org), date, ticket, quantity=2, customer_id=ana.id)
    other = book(staff(org), date, ticket, quantity=1, customer_id=bob.id)
    drain()  # the option_created emails
    out = screenshots()

    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in_from_email(page, live_server.url, org, "ana@example.org", smtp)
    main = page.inner_text("main")
    assert option.reference in main and other.reference not in main
    assert "Reservations to pay or confirm" in main
    page.click(f"text={option.reference} >> nth=0")
    page.wait_for_url(f"**/me/bookings/{option.reference}/")
    assert "Held until" in page.inner_text("main")
    page.click("text=Pay 40.00 EUR")
    page.wait_for_url("**/simulated-card/**")
    page.check("input[value=success]")
    page.click("button.primary")
    page.wait_for_url(f"**/me/bookings/{option.reference}/")
    assert "Paid, thank you!" in page.inner_text("main")
    assert Booking.objects.get(id=option.id).state == State.CONFIRMED
    page.click("text=Your tickets")
    page.wait_for_url(f"**/me/bookings/{option.reference}/tickets/")
    assert page.locator("figure.ticket img").count() == 2
    assert page.evaluate("document.querySelector('figure.ticket img').naturalWidth") > 100
    page.screenshot(path=str(out / "portal-tickets-flow-390.png"), full_page=True)
    context.close()

    # Another customer cancels their reservation with a reason.
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    sign_in_from_email(page, live_server.url, org, "bob@example.org", smtp)
    page.goto(f"{live_server.url}/o/{org.slug}/me/bookings/{other.reference}/")
    page.click("text=Cancel this booking")
    page.fill("textarea[name=reason]", "We cannot come")
    page.click("text=Cancel the booking")
    page.wait_for_selector("text=Your booking is cancelled.")
    assert Booking.objects.get(id=other.id).state == State.CANCELLED
    entry = AuditEntry.objects.get(booking_id=other.id, to_state="cancelled")
    assert entry.reason == "We cannot come" and entry.actor_kind == "customer"
    context.close()


def _org() -> Organisation:
    return Organisation.objects.create(
        name="Théâtre du Port", slug="port", time_zone="Europe/Paris", currency="EUR"
    )


@pytest.mark.parametrize(
    ("language", "width"), [("en", 1280), ("fr", 1280), ("es", 1280), ("fr", 390)]
)
def test_every_portal_page_renders_and_passes_axe(live_server, browser, settings, language, width):  # type: ignore[no-untyped-def]
    settings.PUBLIC_URL = live_server.url
    create_demo()
    org = Organisation.objects.get(slug="demo")
    camille = Booking.objects.filter(organisation=org, customer__email=EMAIL)
    paid = camille.filter(state="confirmed").first()
    option = camille.filter(state="option").first()
    assert paid and option
    me = f"{live_server.url}/o/demo/me"
    out = screenshots()
    axe = Axe()
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    pages = [
        ("portal-sign-in", f"{me}/sign-in/", 200),
        ("portal-link-invalid", None, 400),
        ("portal-link", sign_in_url(org, customer_user(org.id, EMAIL)), 200),
        ("portal-home", f"{me}/", 200),
        ("portal-booking-option", f"{me}/bookings/{option.reference}/", 200),
        ("portal-booking-paid", f"{me}/bookings/{paid.reference}/", 200),
        ("portal-tickets", f"{me}/bookings/{paid.reference}/tickets/", 200),
        ("portal-data", f"{me}/data/", 200),
        ("portal-password", f"{me}/password/", 200),
    ]
    problems: list[str] = []
    for name, url, status in pages:
        if name == "portal-link-invalid":
            page.goto(f"{me}/link/?sesame=tampered")
            with page.expect_navigation():
                page.click("main button[type=submit]")
            response_status = 400
        else:
            response = page.goto(url)  # type: ignore[arg-type]
            assert response is not None
            response_status = response.status
        assert response_status == status, (name, language, response_status)
        assert page.evaluate("document.documentElement.lang") == language, name
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"{name}: {overflow}px wider than the screen")
        page.screenshot(path=str(out / f"{name}-{language}-{width}.png"), full_page=True)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        if results.violations_count:
            problems.append(f"{name} ({language}, {width}px):\n{results.generate_report()}")
        if name == "portal-link":
            with page.expect_navigation():
                page.click("main button[type=submit]")
    context.close()
    assert not problems, "\n".join(problems)
