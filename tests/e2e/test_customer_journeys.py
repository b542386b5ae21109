"""The customer journeys of issue 12, end to end, driven only through the pages.

Debian's Chromium (Playwright) against the live app, a real SMTP server (aiosmtpd) for
every email, the worker's work run between the steps (`drain`). Nothing is made with the
engine behind the pages' back: the demo organisation is the starting point, as a new user
finds it after `tentative demo`.

1. A visitor requests an approval ticket of the gala (charged after approval) through the
   public checkout, is told they will not be charged, and receives the "request received"
   email with a link to their personal space; staff accept it on the Pending orders page;
   the customer receives the payment link, pays it with the simulated card, and receives
   the confirmation with the tickets, whose QR codes decode to the tickets' codes.
2. A visitor reserves a cinema ticket with the deadline shown; follows the reservation
   email's link to the personal space, asks for a sign-in link there, signs in from the
   link in that email, sees the reservation on the dashboard with its deadline, pays it
   from the space and sees it confirmed with its tickets. The same sign-in link, opened a
   second time, is refused with a page that says what to do next.

Screenshots of each step: artifacts/screenshots/journey-*.png.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import formats, timezone, translation

from tentative.accounts.models import Organisation
from tentative.bookings.models import Booking
from tentative.catalog.models import Event, TicketType
from tentative.core.states import State
from tentative.demo import AGENT, create_demo
from tentative.notifications.selectors import tickets_of
from tentative.payments.models import Payment, PaymentRequest
from tentative.worker.loop import drain
from tests.e2e.test_staff_pages import WCAG, screenshots
from tests.notifications.conftest import smtp  # noqa: F401  (the fixture)
from tests.notifications.helpers import decode_qr, html_of, parts, text_of

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """A screenshot of the step, and axe-core's WCAG 2.1 A/AA rules with no violation."""
    page.screenshot(path=str(screenshots() / f"journey-{name}.png"), full_page=True)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert not results.violations_count, f"{name}:\n{results.generate_report()}"


def mail_to(inbox, address: str, since: int) -> list[EmailMessage]:  # type: ignore[no-untyped-def]
    return [m for m in inbox.received[since:] if m["To"] == address]


def one_link(text: str, pattern: str) -> str:
    found = re.findall(pattern, text)
    assert len(found) == 1, (pattern, text)
    return found[0]


def shown(value, org: Organisation, language: str = "en") -> str:  # type: ignore[no-untyped-def]
    """A date and time as the pages write it: the organisation's zone, the reader's format."""
    with translation.override(language):
        return formats.date_format(timezone.localtime(value, org.zone), "DATETIME_FORMAT")


@pytest.fixture
def demo(live_server, settings, smtp):  # type: ignore[no-untyped-def]  # noqa: F811
    settings.PUBLIC_URL = live_server.url
    create_demo()
    drain()  # the demo's own emails go first
    return Organisation.objects.get(slug="demo")


def test_a_requested_ticket_is_accepted_paid_from_the_emailed_link_and_its_qr_arrives(
    demo,
    live_server,
    browser,
    smtp,  # noqa: F811
):
    org = demo
    base = live_server.url
    gala = Event.objects.get(organisation=org, name="Gala 18+ (sur validation)")
    entry = TicketType.objects.get(event=gala, approval_charge="after_approval")
    date = gala.dates.order_by("starts_at").first()
    assert date is not None
    email = "noor.visitor@example.org"
    since = len(smtp.received)

    # The visitor, on a phone: the event page, *Request* on the entry ticket, the form.
    visitor = browser.new_context(locale="en-GB", viewport=PHONE)
    page = visitor.new_page()
    page.goto(f"{base}/o/demo/events/{gala.id}/")
    row = page.locator(f"#date-{date.id} li.ticket", has=page.locator(f"input[value='{entry.id}']"))
    assert "nous validons chaque demande" in row.inner_text()  # the online description
    row.locator("input[name=quantity]").fill("2")
    shot(page, "1-event")
    row.locator("button[value=request]").click()
    page.wait_for_url("**/checkout/**")
    assert "You will not be charged unless your request is accepted." in page.inner_text("main")
    page.fill("#id_name", "Noor Visitor")
    page.fill("#id_email", email)
    shot(page, "1-checkout")
    page.click("text=Send my request")
    page.wait_for_url("**/done/**")
    main = page.inner_text("main")
    assert "Request sent — you will not be charged unless it is accepted." in main
    shot(page, "1-request-sent")
    booking = Booking.objects.get(organisation=org, customer__email=email)
    assert (booking.state, booking.checkout_mode) == (State.REQUEST, "request")
    assert booking.reference in main
    assert not Payment.objects.filter(booking=booking).exists()  # nothing charged

    # The "request received" email, with the link to the booking in the personal space.
    drain()
    [received] = mail_to(smtp, email, since)
    assert booking.reference in str(received["Subject"])
    body = text_of(received)
    assert "You will not be charged before it is approved." in body
    space = one_link(body, r"http://\S+/o/demo/me/\S+/")
    assert space == f"{base}/o/demo/me/bookings/{booking.reference}/"

    # Staff sign in and accept it on the Pending orders page.
    desk = browser.new_context(locale="en-GB")
    staff_page = desk.new_page()
    staff_page.goto(f"{base}/staff/login/")
    staff_page.fill("input[name=username]", AGENT[0])
    staff_page.fill("input[name=password]", AGENT[1])
    staff_page.click("button[type=submit]")
    staff_page.wait_for_url("**/staff/")
    staff_page.click("text=Pending orders")
    staff_page.wait_for_url("**/staff/pending/**")
    assert booking.reference in staff_page.inner_text("main")
    assert email in staff_page.inner_text("main")
    staff_page.check(f"#pick-{booking.id}")
    shot(staff_page, "1-staff-pending")
    staff_page.click("button[value=accept]")
    staff_page.wait_for_selector("text=Decision recorded.")
    assert "Accepted: 1" in staff_page.inner_text("main")
    shot(staff_page, "1-staff-accepted")
    desk.close()
    booking.refresh_from_db()
    assert booking.state == State.OPTION  # charged after approval: awaiting payment

    # The worker sends the payment link (and says the request is approved).
    since = len(smtp.received)
    drain()
    link = PaymentRequest.objects.get(booking=booking)
    [request_mail] = [m for m in mail_to(smtp, email, since) if "payment for" in str(m["Subject"])]
    body = text_of(request_mail)
    url = one_link(body, r"http://\S+/pay/\S+/")
    assert url == f"{base}/pay/{link.token}/"
    assert f"Please pay {booking.total} EUR" in body
    assert f"{base}/o/demo/me/bookings/{booking.reference}/" in body

    # The customer opens it and pays with the simulated card.
    page.goto(url)
    shot(page, "1-pay-link")
    page.click("main button.primary")
    page.wait_for_url("**/simulated-card/**")
    shot(page, "1-simulated-card")
    page.check("input[value=success]")
    page.click("button.primary")
    page.wait_for_url(f"**/pay/{link.token}/?payment=*")
    assert "Paid, thank you!" in page.inner_text("main")
    shot(page, "1-paid")
    booking.refresh_from_db()
    assert booking.state == State.CONFIRMED
    # The page leads to the booking in the personal space (signing in first).
    page.click("text=See my booking")
    page.wait_for_url(
        re.compile(rf"/me/sign-in/\?next=%2Fo%2Fdemo%2Fme%2Fbookings%2F{booking.reference}%2F$")
    )

    # The confirmation, with a QR code per ticket that decodes to the ticket's code.
    since = len(smtp.received)
    drain()
    [confirmed] = [m for m in mail_to(smtp, email, since) if "is confirmed" in str(m["Subject"])]
    codes = [code for code, _line in tickets_of(booking)]
    assert len(codes) == 2
    images = parts(confirmed, "image/png")
    assert [decode_qr(p.get_content()) for p in images] == [[code] for code in codes]
    assert all(code in text_of(confirmed) for code in codes)
    assert all(f"cid:{p['Content-ID'].strip('<>')}" in html_of(confirmed) for p in images)
    visitor.close()


def test_a_reservation_is_held_then_paid_from_the_personal_space(demo, live_server, browser, smtp):  # type: ignore[no-untyped-def]  # noqa: F811
    org = demo
    base = live_server.url
    cinema = Event.objects.get(organisation=org, name="Ciné plein air")
    email = "lea.visitor@example.org"
    since = len(smtp.received)

    # The visitor reserves one place on the first date that has places left.
    visitor = browser.new_context(locale="en-GB", viewport=PHONE)
    page = visitor.new_page()
    page.goto(f"{base}/o/demo/events/{cinema.id}/")
    page.locator("button[value=reserve]").first.click()
    page.wait_for_url("**/checkout/**")
    shot(page, "2-checkout")
    page.fill("#id_name", "Léa Visitor")
    page.fill("#id_email", email)
    page.locator("form:not(.lang) button[type=submit]").last.click()
    page.wait_for_url("**/done/**")
    booking = Booking.objects.get(organisation=org, customer__email=email)
    assert (booking.state, booking.checkout_mode) == (State.OPTION, "reserve")
    deadline = shown(booking.deadline_shown, org)
    assert f"Your reservation is held until {deadline.rstrip('.')}." in page.inner_text("main")
    assert ".." not in page.inner_text("main")
    shot(page, "2-reserved")
    visitor.close()

    # The reservation email links to the booking in the personal space.
    drain()
    [held] = mail_to(smtp, email, since)
    assert "is held" in str(held["Subject"])
    space = one_link(text_of(held), r"http://\S+/o/demo/me/\S+/")
    assert space == f"{base}/o/demo/me/bookings/{booking.reference}/"

    # Later, from the mail client: the link asks to sign in, which emails a one-time link.
    customer = browser.new_context(locale="en-GB", viewport=PHONE)
    page = customer.new_page()
    page.goto(space)
    page.wait_for_url("**/me/sign-in/**")
    page.fill("input[name=email]", email)
    page.click("main button[type=submit]")
    page.wait_for_selector("p.done")
    shot(page, "2-sign-in-sent")
    since = len(smtp.received)
    drain()
    [sign_in] = mail_to(smtp, email, since)
    assert "sign-in link" in str(sign_in["Subject"])
    sign_in_link = one_link(text_of(sign_in), r"http://\S+/o/demo/me/link/\S+")
    page.goto(sign_in_link)
    shot(page, "2-sign-in-link")
    page.click("main button[type=submit]")
    page.wait_for_url(space)  # back where the reservation email pointed

    # The dashboard: the reservation awaits, with its deadline.
    page.goto(f"{base}/o/demo/me/")
    awaiting = page.locator(".awaiting-list li", has=page.locator(f"text={booking.reference}"))
    assert awaiting.count() == 1
    assert f"Deadline: {deadline}" in awaiting.inner_text()
    assert "Pay before the deadline" in awaiting.inner_text()
    shot(page, "2-dashboard")

    # Pay it from the space with the simulated card.
    awaiting.locator(f"a:text-is('{booking.reference}')").click()
    page.wait_for_url(space)
    assert deadline in page.inner_text("main")
    shot(page, "2-booking")
    page.click(f"text=Pay {booking.total} EUR")
    page.wait_for_url("**/simulated-card/**")
    page.check("input[value=success]")
    page.click("button.primary")
    page.wait_for_url(f"**/me/bookings/{booking.reference}/**")
    assert "Paid, thank you!" in page.inner_text("main")
    booking.refresh_from_db()
    assert booking.state == State.CONFIRMED
    shot(page, "2-paid")
    page.click("text=Your tickets")
    page.wait_for_url(f"**/me/bookings/{booking.reference}/tickets/")
    [(code, _line)] = tickets_of(booking)
    assert code in page.inner_text("main")
    assert page.locator("figure.ticket img").count() == 1
    assert page.evaluate("document.querySelector('figure.ticket img').naturalWidth") > 100
    shot(page, "2-tickets")
    page.goto(f"{base}/o/demo/me/")
    assert page.locator(".awaiting-list li", has_text=booking.reference).count() == 0
    customer.close()

    # The same emailed link, opened a second time (another browser): refused, and the page
    # says what to do next.
    again = browser.new_context(locale="en-GB", viewport=PHONE)
    page = again.new_page()
    page.goto(sign_in_link)
    with page.expect_navigation() as navigation:
        page.click("main button[type=submit]")
    response = navigation.value
    assert response is not None and response.status == 400
    main = page.inner_text("main")
    assert "This sign-in link cannot be used" in main
    assert "Ask for a new sign-in link" in main
    shot(page, "2-link-reused")
    page.click("text=Ask for a new sign-in link")  # and back to the booking after it
    page.wait_for_url(f"**/me/sign-in/?next=/o/demo/me/bookings/{booking.reference}/")
    assert "Open it within" not in page.inner_text("main")  # nothing asked yet
    page.goto(space)  # still signed out
    page.wait_for_url("**/me/sign-in/**")
    again.close()
