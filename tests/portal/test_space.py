"""The dashboard and the booking page: what awaits the customer, Pay, Cancel, tickets and
the receipt; a customer never sees or changes another's booking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tentative.accounts.models import Customer
from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.payments import actions as payments
from tentative.payments.models import Payment
from tests.factories import CustomerFactory, OrganisationFactory, book, on_sale, staff
from tests.portal.helpers import sign_in, space

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(org):  # type: ignore[no-untyped-def]
    return CustomerFactory(organisation=org, email="ana@example.org", name="Ana Lopez")


@pytest.fixture
def bob(org):  # type: ignore[no-untyped-def]
    return CustomerFactory(organisation=org, email="bob@example.org", name="Bob Stone")


def booked(org, who, mode=State.OPTION, quantity=2, **terms):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=20, **terms)
    return book(staff(org), date, ticket, quantity=quantity, mode=mode, customer_id=who.id)


def page(client, org, reference: str, tail: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"{space(org)}bookings/{reference}/{tail}"


def test_the_dashboard_lists_what_awaits_soonest_deadline_first_with_counts(client, org, ana):
    later = booked(org, ana)
    sooner = booked(org, ana, deadline_days_after_booking=1)
    request = booked(org, ana, mode=State.REQUEST, requires_approval=True)
    firm = booked(org, ana, mode=State.CONFIRMED)  # made by staff, not paid yet
    sign_in(client, org, "ana@example.org")
    text = client.get(space(org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert text.index(sooner.reference) < text.index(later.reference)
    assert "Reservations to pay or confirm" in text and "<strong>2</strong>" in text
    assert "Requests pending approval" in text and "Pending approval" in text
    assert "Bookings with a balance to pay" in text
    for booking in (later, sooner, request, firm):
        assert booking.reference in text


def test_an_option_is_paid_from_the_space_and_becomes_firm(client, org, ana):
    option = booked(org, ana)
    sign_in(client, org, "ana@example.org")
    text = client.get(
        page(client, org, option.reference), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Pay 40.00 EUR" in text and "Held until" in text
    started = client.post(page(client, org, option.reference, "pay/"))
    assert started.status_code == 302 and "/simulated-card/" in started["Location"]
    assert started["Location"].endswith("?from=portal")
    back = client.post(started["Location"], {"choice": "success", "late_minutes": "0"})
    assert back.status_code == 302 and back["Location"].startswith(
        page(client, org, option.reference, "paid/")
    )
    shown = client.get(back["Location"], follow=True).content.decode()
    assert "Paid, thank you!" in shown
    option.refresh_from_db()
    assert option.state == State.CONFIRMED
    assert Payment.objects.get(booking=option).captured == Decimal("40.00")
    tickets = client.get(page(client, org, option.reference, "tickets/")).content.decode()
    assert tickets.count("data:image/png;base64,") == 2
    assert f"{option.reference}-" in tickets
    receipt = client.get(page(client, org, option.reference, "receipt.pdf"))
    assert receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")


def test_a_booking_made_by_staff_is_paid_online(client, org, ana):
    firm = booked(org, ana, mode=State.CONFIRMED)
    sign_in(client, org, "ana@example.org")
    assert client.get(page(client, org, firm.reference, "tickets/")).status_code == 404
    started = client.post(page(client, org, firm.reference, "pay/"))
    back = client.post(started["Location"], {"choice": "success", "late_minutes": "0"})
    client.get(back["Location"])
    assert client.get(page(client, org, firm.reference, "tickets/")).status_code == 200


def test_the_customer_cancels_an_option_with_a_reason(client, org, ana):
    option = booked(org, ana)
    sign_in(client, org, "ana@example.org")
    done = client.post(page(client, org, option.reference, "cancel/"), {"reason": "Ill"})
    assert done.status_code == 302
    option.refresh_from_db()
    assert option.state == State.CANCELLED
    entry = AuditEntry.objects.filter(booking=option, to_state="cancelled").get()
    assert entry.reason == "Ill" and entry.actor_kind == "customer"


def test_a_confirmed_booking_cannot_be_cancelled_by_the_customer(client, org, ana):
    firm = booked(org, ana, mode=State.CONFIRMED)
    sign_in(client, org, "ana@example.org")
    text = client.get(page(client, org, firm.reference)).content.decode()
    assert "contact the organiser" in text
    refused = client.post(page(client, org, firm.reference, "cancel/"), {"reason": ""})
    assert refused.status_code == 403
    firm.refresh_from_db()
    assert firm.state == State.CONFIRMED


def test_a_request_says_pending_approval_and_offers_no_payment(client, org, ana):
    request = booked(org, ana, mode=State.REQUEST, requires_approval=True)
    sign_in(client, org, "ana@example.org")
    text = client.get(page(client, org, request.reference)).content.decode()
    assert "Pending approval" in text and "will not be charged" in text
    assert "portal:pay" not in text and "/pay/" not in text
    assert client.post(page(client, org, request.reference, "pay/")).status_code == 409
    assert not Payment.objects.filter(booking=request).exists()


# --- Security: another customer's booking, by any road, is a 404 and nothing changes. ---


def test_another_customer_s_booking_is_not_found_by_any_road(client, org, ana, bob):
    theirs = booked(org, bob)
    elsewhere_org = OrganisationFactory()
    elsewhere = booked(
        elsewhere_org, CustomerFactory(organisation=elsewhere_org, email="ana@example.org")
    )
    sign_in(client, org, "ana@example.org")
    for reference in (
        theirs.reference,
        theirs.reference.lower(),
        str(theirs.id),
        "ZZZZZZZZ",
        elsewhere.reference,
        "A" * 40,
        "%00",
    ):
        for tail, method in (
            ("", "get"),
            ("tickets/", "get"),
            ("receipt.pdf", "get"),
            ("pay/", "post"),
            ("cancel/", "post"),
            ("paid/x/", "get"),
        ):
            response = getattr(client, method)(page(client, org, reference, tail))
            assert response.status_code == 404, (reference, tail, response.status_code)
    # Another organisation's slug: not signed in there.
    assert (
        client.get(f"/o/{elsewhere_org.slug}/me/bookings/{elsewhere.reference}/").status_code == 302
    )
    assert client.get("/o/no-such-org/me/").status_code == 404
    for booking in (theirs, elsewhere):
        booking.refresh_from_db()
        assert booking.state == State.OPTION
        assert not Payment.objects.filter(booking=booking).exists()


def test_a_payment_of_another_booking_is_not_applied_through_mine(client, org, ana, bob):
    mine, theirs = booked(org, ana), booked(org, bob)
    payment = payments.start_payment(theirs.id, actor=staff(org), amount=Decimal("40"))
    sign_in(client, org, "ana@example.org")
    assert (
        client.get(page(client, org, mine.reference, f"paid/{payment.reference}/")).status_code
        == 404
    )


def test_the_api_is_closed_to_a_signed_in_customer(client, org, ana):
    booking = booked(org, ana)
    sign_in(client, org, "ana@example.org")
    assert client.get(f"/api/v1/bookings/{booking.id}").status_code == 401
    assert client.get("/staff/").status_code in (302, 403)


def test_not_signed_in_a_booking_link_asks_to_sign_in_and_comes_back(client, org, ana):
    option = booked(org, ana)
    response = client.get(page(client, org, option.reference))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{space(org)}sign-in/?next=")
    assert Customer.objects.filter(user__isnull=False).count() == 0
    assert Booking.objects.filter(id=option.id, state=State.OPTION).exists()


def test_coming_back_for_a_desk_payment_is_not_found(client, org, ana):
    firm = booked(org, ana, mode=State.CONFIRMED)
    cash = payments.record_payment(firm.id, actor=staff(org), amount=Decimal("10"))
    sign_in(client, org, "ana@example.org")
    assert (
        client.get(page(client, org, firm.reference, f"paid/{cash.reference}/")).status_code == 404
    )


def test_the_dashboard_s_queries_do_not_grow_with_the_bookings(client, org, ana):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    booked(org, ana)
    sign_in(client, org, "ana@example.org")
    with CaptureQueriesContext(connection) as few:
        assert client.get(space(org)).status_code == 200
    for mode in (State.OPTION, State.REQUEST, State.CONFIRMED, State.QUOTE) * 3:
        booked(org, ana, mode=mode, requires_approval=mode == State.REQUEST)
    with CaptureQueriesContext(connection) as many:
        assert client.get(space(org)).status_code == 200
    assert len(many) == len(few) <= 12


def test_the_dashboard_prints_links_amounts_and_dates_as_the_template_tags_would(client, org, ana):
    """views._print computes them once per distinct value (docs/portal.md, "Measured"): held
    equal to `{% url %}`, `|floatformat:2` and `|date` in each language."""
    from django.template import engines
    from django.utils import timezone, translation

    from tentative.portal.space import dashboard, space_for

    booked(org, ana)
    booked(org, ana, quantity=3, deadline_days_after_booking=1)
    booked(org, ana, mode=State.CONFIRMED, quantity=5)
    sign_in(client, org, "ana@example.org")
    reference = engines["django"].from_string(
        "{% url 'portal:booking' slug b.reference %}|{{ b.total|floatformat:2 }}|"
        '{{ b.first_at|date:"DATETIME_FORMAT" }}'
    )
    deadline = engines["django"].from_string('{{ a.deadline|date:"DATETIME_FORMAT" }}')
    user = Customer.objects.get(id=ana.id).user
    for language in ("en", "fr", "es"):
        text = client.get(space(org), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        with translation.override(language), timezone.override(org.zone):
            board = dashboard(space_for(org, user), now=timezone.now())
            assert len(board.bookings) == 3 and len(board.awaiting) == 3
            for row in board.bookings:
                url, total, when = reference.render({"b": row, "slug": org.slug}).split("|")
                assert f'<a class="ref" href="{url}">{row.reference}</a>' in text
                assert f'<td class="amount">{total} {row.currency}</td>' in text
                assert f"<td>{when}</td>" in text
            for item in board.awaiting:
                assert deadline.render({"a": item}) in text
