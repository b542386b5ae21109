"""End to end (issue 14), in a real browser: from the planning, staff book an OPTION on a
free session, send a payment link; the customer pays it with the simulated card and the
option turns FIRM; staff reduce the players and keep the overpayment as a coupon (not
sent); staff move the booking to another session. axe-core on each page, screenshots."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.payments.models import PaymentRequest, Voucher
from tentative.shared.actor import Actor
from tentative.worker.loop import drain
from tests.e2e.test_staff_pages import WCAG, screenshots
from tests.factories import CustomerFactory, MembershipFactory
from tests.rooms.factories import escape_room

pytestmark = pytest.mark.django_db(transaction=True)


def _axe(page, axe: Axe, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(screenshots() / f"rooms-flow-{name}.png"), full_page=True)
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, results.generate_report()


def test_option_from_the_planning_paid_by_link_then_fewer_players_and_a_move(
    live_server, browser, settings
):  # type: ignore[no-untyped-def]
    settings.PUBLIC_URL = live_server.url
    member = MembershipFactory(role=Role.OWNER, user__username="escape-owner")
    org = member.organisation
    vault = escape_room(org, Actor.staff(member))
    who = CustomerFactory(organisation=org, name="Claire Dubois", email="claire@example.org")
    day = timezone.localtime(timezone.now(), org.zone).date() + timedelta(days=3)
    axe = Axe()

    staff = browser.new_context(locale="en-GB").new_page()
    staff.goto(f"{live_server.url}/staff/login/?next=/staff/planning/?day={day.isoformat()}")
    staff.fill("input[name=username]", "escape-owner")
    staff.fill("input[name=password]", "pw-for-tests")
    staff.click("button[type=submit]")
    staff.wait_for_url("**/staff/planning/**")
    _axe(staff, axe, "planning")

    # A free session, reached with the keyboard: its link is focusable and opens the form.
    free = staff.locator("table.planning-day a.session-free").first
    free.focus()
    staff.keyboard.press("Enter")
    staff.wait_for_url("**/staff/planning/book/**")
    _axe(staff, axe, "book")
    staff.select_option("#id_customer", str(who.id))
    adult_field = staff.locator("input[name^=players_]").first
    adult_field.fill("4")
    staff.check("input[name=mode][value=option]")
    staff.click("button:has-text('Book')")
    staff.wait_for_selector("text=created")
    option = Booking.objects.get(customer=who)
    assert option.state == State.OPTION and option.holds_capacity
    assert option.total == Decimal("120.00")
    first_start = option.lines.get().starts_at

    # The payments tab: a link for the whole amount, emailed or copied; the customer pays.
    staff.click("nav.session-tabs >> text=Payments")
    staff.wait_for_url(f"**/staff/bookings/{option.reference}/payments/")
    assert staff.input_value("#id_amount") == "120.00"
    staff.click("text=Create the link")
    staff.wait_for_selector("text=Payment link created")
    link = PaymentRequest.objects.get(booking=option)
    customer = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    pay = customer.new_page()
    pay.goto(f"{live_server.url}/pay/{link.token}/")
    pay.click("button.primary")
    pay.wait_for_url("**/simulated-card/**")
    pay.check("input[value=success]")
    pay.click("button.primary")
    pay.wait_for_url(f"**/pay/{link.token}/?payment=*")
    customer.close()
    drain()
    option.refresh_from_db()
    assert option.state == State.CONFIRMED  # the option turned firm when paid

    # Fewer players: the overpayment is shown, the coupon made on confirmation, not sent.
    staff.goto(f"{live_server.url}/staff/bookings/{option.reference}/players/")
    staff.locator("input[name^=players_]").first.fill("3")
    staff.click("button:has-text('Change the players')")
    staff.wait_for_selector("text=Players changed.")
    assert "30.00 EUR" in staff.inner_text("#session-money")
    _axe(staff, axe, "players")
    assert not Voucher.objects.exists()
    staff.click("button:has-text('Create the coupon')")
    staff.wait_for_selector("text=it is not sent yet")
    coupon = Voucher.objects.get(booking=option)
    assert coupon.sent_at is None

    # Move it to another session of the room, without emailing the change.
    staff.goto(f"{live_server.url}/staff/bookings/{option.reference}/session/move/")
    _axe(staff, axe, "move")
    choices = staff.locator("#id_to option").all()
    staff.select_option("#id_to", choices[-1].get_attribute("value"))
    staff.uncheck("#id_notify")
    staff.click("button:has-text('Move the booking')")
    staff.wait_for_selector("text=Booking moved.")
    moved = Booking.objects.get(id=option.id)
    assert moved.lines.get().starts_at != first_start and moved.state == State.CONFIRMED
    assert moved.lines.get().resource_id == vault.id
