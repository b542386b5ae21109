"""Staff open a request from the bookings list, approve it with a message, and read the
history sentence and the email on the booking page; screenshots in en, fr, es and at 390 px."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.outbox.models import OutboxMessage
from tests.factories import CustomerFactory, MembershipFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(
    os.environ.get("TENTATIVE_SCREENSHOTS")
    or Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
)


def _sign_in(page, url, username):
    page.goto(f"{url}/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-for-tests")
    page.click("button[type=submit]")


def test_approve_a_request_with_a_message_then_read_history_and_email(live_server, page):
    from tentative.notifications.fanout import fan_out

    manager = MembershipFactory(
        role=Role.MANAGER, user__username="ana", user__first_name="Ana", user__last_name="Ruiz"
    )
    org = manager.organisation
    date, ticket = on_sale(org, capacity=10, name="Tarif plein", requires_approval=True)
    customer = CustomerFactory(organisation=org, name="Zoé Martin", email="zoe@example.org")
    request = book(
        staff(org), date, ticket, mode=State.REQUEST, quantity=2, customer_id=customer.id
    )
    fan_out(now=timezone.now())  # the worker: "request received"

    _sign_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/staff/bookings/?state=request")
    page.click(f"text={request.reference}")
    page.wait_for_url(f"**/staff/bookings/{request.reference}/")
    assert "Zoé Martin" in page.inner_text("main")

    page.click("#do-approve button[data-open]")  # opens the confirmation dialog
    page.fill("#approve-message", "See you on the night!")
    page.click("#do-approve dialog button[type=submit]")
    page.wait_for_selector("text=approved.")
    history = page.inner_text("ul.history")
    assert "Approved by Ana Ruiz" in history and "See you on the night!" in history
    assert "#do-approve" not in page.content() and page.locator("#do-approve").count() == 0

    fan_out(now=timezone.now())  # the worker writes the approval email
    approval = OutboxMessage.objects.get(
        booking_id=request.id, kind="email", topic="booking.approved"
    )
    assert "See you on the night!" in approval.payload["text"]
    page.reload()
    emails = page.inner_text("#emails")
    assert approval.payload["subject"] in emails and "zoe@example.org" in emails


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_screenshots_of_the_booking_page(live_server, browser, language):
    from tentative.notifications.fanout import fan_out

    manager = MembershipFactory(role=Role.OWNER, user__username=f"owner-{language}")
    org = manager.organisation
    date, ticket = on_sale(org, capacity=10, name="Tarif plein")
    customer = CustomerFactory(organisation=org, name="Zoé Martin", email="zoe@example.org")
    booking = book(staff(org), date, ticket, quantity=2, customer_id=customer.id)
    fan_out(now=timezone.now())
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
        page = context.new_page()
        _sign_in(page, live_server.url, f"owner-{language}")
        page.goto(f"{live_server.url}/staff/bookings/{booking.reference}/")
        assert booking.reference in page.inner_text("h1")
        # Nothing wider than the screen: a phone scrolls down, never sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"booking-{language}-{width}.png"), full_page=True)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        page.screenshot(path=str(SHOTS / f"booking-forms-{language}-{width}.png"), full_page=True)
        page.goto(f"{live_server.url}/staff/bookings/?q=martin")
        page.screenshot(path=str(SHOTS / f"bookings-search-{language}-{width}.png"), full_page=True)
        context.close()
