"""The desk in a real browser: selling at the box office from a reserve (a customer created
on the spot, a name on each place, then the payment taken), checking a ticket in twice
(the second says "already used"), and every desk page in en/fr/es at a desk's width and a
phone's (390 px), with nothing wider than the screen but the tables. Screenshots go to
$TENTATIVE_SCREENSHOTS (default: artifacts/screenshots/ at the repository's root)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from tentative.bookings.models import Booking, Participant
from tentative.checkin.models import CheckIn
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory.actions import create_reserve, set_allocation
from tentative.notifications.tickets import ticket_codes
from tentative.payments.models import Payment
from tentative.shared.actor import Actor
from tests.factories import CustomerFactory, MembershipFactory, OrganisationFactory, on_sale

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def screenshots() -> Path:
    out = Path(os.environ.get("TENTATIVE_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture
def theatre():  # type: ignore[no-untyped-def]
    org = OrganisationFactory(name="Théâtre du Nord")
    owner = MembershipFactory(organisation=org, role=Role.OWNER, user__username="patron")
    agent = MembershipFactory(organisation=org, role=Role.AGENT, user__username="guichet")
    date, ticket = on_sale(org, capacity=50, name="Tarif plein", price=Decimal("25"))
    reserve = create_reserve(org.id, actor=Actor.staff(owner), name="Artistes")
    set_allocation(
        reserve.id,
        actor=Actor.staff(owner),
        event_date_id=date.id,
        ticket_type_id=ticket.id,
        quantity=6,
    )
    return {"org": org, "agent": agent, "date": date, "ticket": ticket, "reserve": reserve}


def sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_selector("main")


def test_selling_at_the_box_office_from_a_reserve(live_server, page, theatre):
    date, ticket, reserve = theatre["date"], theatre["ticket"], theatre["reserve"]
    sign_in(page, live_server.url, "guichet")
    page.click("nav.main >> text=Box office")
    page.fill("#id_new_name", "Compagnie Bleue")
    page.fill("#id_new_email", "bleue@example.org")
    page.select_option("#id_offer", f"{date.id}:{ticket.id}")
    page.select_option("#id_source", str(reserve.id))
    page.fill("#id_quantity", "2")
    page.fill("#id_names", "Ana Ruiz\nBruno Petit")
    page.check("input[name=mode][value=confirmed]")
    page.click("form.stack button[type=submit]")

    page.wait_for_url("**/payments/")
    booking = Booking.objects.get()
    assert booking.reference in page.inner_text("main")
    assert booking.state == State.CONFIRMED and booking.customer.name == "Compagnie Bleue"
    assert booking.lines.get().holds.get().pool.reserve_id == reserve.id
    assert sorted(Participant.objects.values_list("name", flat=True)) == ["Ana Ruiz", "Bruno Petit"]

    # Take the money at the desk.
    page.fill("form[action$='/payments/record/'] input[name=amount]", "50")
    page.click("form[action$='/payments/record/'] button[type=submit]")
    page.wait_for_load_state()
    assert Payment.objects.get(booking=booking).captured == Decimal("50")

    # The attendee list shows both names.
    page.goto(f"{live_server.url}/staff/dates/{date.id}/attendees/")
    text = page.inner_text("main")
    assert "Ana Ruiz" in text and "Bruno Petit" in text and booking.reference in text


def test_checking_a_ticket_in_twice(live_server, page, theatre):
    from tentative.bookings import actions as booking_actions
    from tentative.payments import actions as payment_actions

    date, ticket = theatre["date"], theatre["ticket"]
    desk = Actor.staff(theatre["agent"])
    booking = booking_actions.create_booking(
        actor=desk,
        organisation_id=theatre["org"].id,
        mode=State.CONFIRMED,
        lines=[booking_actions.LineRequest(date.id, ticket.id, 1, participants=(("Zoé", ""),))],
    )
    payment_actions.record_payment(booking.id, actor=desk, amount=Decimal("25"), method="cash")
    code = ticket_codes(booking, list(booking.lines.all()))[0].code

    sign_in(page, live_server.url, "guichet")
    page.goto(f"{live_server.url}/staff/check-in/?date={date.id}")
    page.fill("#id_code", code)
    page.click("#scan-form button[type=submit]")
    assert "Valid" in page.inner_text(".scan-outcome")
    assert "1 of 1 checked in" in page.inner_text("main")
    page.fill("#id_code", code)
    page.click("#scan-form button[type=submit]")
    assert "Already used" in page.inner_text(".scan-outcome")
    assert "First used:" in page.inner_text(".scan-result")
    assert CheckIn.objects.count() == 1
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(
        path=str(screenshots() / "desk-check-in-already-used-en-390.png"), full_page=True
    )


def test_the_desk_pages_in_three_languages_at_two_widths(live_server, browser, theatre):
    from tentative.bookings import actions as booking_actions
    from tentative.checkin.actions import check_in

    date, ticket = theatre["date"], theatre["ticket"]
    desk = Actor.staff(theatre["agent"])
    customer = CustomerFactory(organisation=theatre["org"], name="Camille Martin")
    booking = booking_actions.create_booking(
        actor=desk,
        organisation_id=theatre["org"].id,
        mode=State.CONFIRMED,
        lines=[
            booking_actions.LineRequest(
                date.id, ticket.id, 3, participants=(("Zoé Blanc", ""), ("Léon Roux", ""))
            )
        ],
        customer_id=customer.id,
    )
    from tentative.payments import actions as payment_actions

    payment_actions.record_payment(booking.id, actor=desk, amount=Decimal("75"), method="cash")
    check_in(actor=desk, code=ticket_codes(booking, list(booking.lines.all()))[0].code, nonce="s1")
    pages = {
        "customers": "/staff/customers/",
        "customer": f"/staff/customers/{customer.id}/",
        "customer-new": "/staff/customers/new/",
        "box-office": "/staff/box-office/",
        "attendees": f"/staff/dates/{date.id}/attendees/",
        "check-in": f"/staff/check-in/?date={date.id}",
    }
    out = screenshots()
    for language in ("en", "fr", "es"):
        for width in (390, 1280):
            context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
            page = context.new_page()
            sign_in(page, live_server.url, "guichet")
            for name, path in pages.items():
                response = page.goto(live_server.url + path)
                assert response is not None and response.status == 200, (name, language)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, (language, width, name, overflow)
                page.screenshot(
                    path=str(out / f"desk-{name}-{language}-{width}.png"), full_page=True
                )
            # A refused form, as the desk sees it.
            page.goto(live_server.url + "/staff/box-office/")
            page.fill("#id_quantity", "-3")
            page.click("form.stack button[type=submit]")
            assert page.locator("#id_quantity-error").is_visible()
            page.screenshot(
                path=str(out / f"desk-box-office-refused-{language}-{width}.png"), full_page=True
            )
            context.close()
