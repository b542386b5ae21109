"""The staff bookings list: every kind of offer, in the organisation's time zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from tentative.core.states import State
from tentative.shared.actor import Actor
from tests.factories import MembershipFactory, book, book_slot, on_sale, service, staff_member

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def test_the_list_shows_tickets_and_appointments_at_the_organisations_local_time(client, org):
    evening = datetime(2031, 7, 14, 20, 30, tzinfo=PARIS)  # 18:30 UTC in summer
    date, ticket = on_sale(org, starts_at=evening)
    alice = staff_member(org, "Alice Dupont")
    haircut = service(org, alice)
    membership = MembershipFactory(organisation=org)
    owner = Actor.staff(membership)
    book(owner, date, ticket, mode=State.CONFIRMED)
    book_slot(owner, haircut, alice, datetime(2031, 1, 10, 9, 0, tzinfo=PARIS))
    client.force_login(membership.user)
    page = client.get("/staff/bookings/", headers={"accept-language": "fr"}).content.decode()
    assert "14/07/2031 20:30" in page and "18:30" not in page  # Paris, not UTC
    assert "10/01/2031 09:00" in page
    assert "Alice Dupont" in page and haircut.name in page
    english = client.get("/staff/bookings/", headers={"accept-language": "en"}).content.decode()
    assert "07/14/2031 8:30 p.m." in english


def test_the_time_zone_does_not_leak_into_the_next_request(client, org):
    membership = MembershipFactory(organisation=org)
    client.force_login(membership.user)
    client.get("/staff/bookings/")
    assert timezone.get_current_timezone_name() == "UTC"
    assert timedelta(0) == timezone.get_current_timezone().utcoffset(datetime(2031, 7, 14))


def test_each_booking_shows_its_payment_status_and_what_is_due(client, org):
    from decimal import Decimal

    from tentative.payments import actions as payments

    date, ticket = on_sale(org)  # 20.00 each
    membership = MembershipFactory(organisation=org)
    owner = Actor.staff(membership)
    paid = book(owner, date, ticket, quantity=2, mode=State.CONFIRMED)
    part = book(owner, date, ticket, quantity=2, mode=State.CONFIRMED)
    book(owner, date, ticket, quantity=1, mode=State.CONFIRMED)
    payments.record_payment(paid.id, actor=owner, amount=Decimal("40"))
    payments.record_payment(part.id, actor=owner, amount=Decimal("15"))
    client.force_login(membership.user)
    page = client.get("/staff/bookings/", headers={"accept-language": "en"}).content.decode()
    assert page.count('class="badge paid-paid"') == 1
    assert page.count('class="badge paid-partially_paid"') == 1
    assert page.count('class="badge paid-unpaid"') == 1
    assert "25.00 EUR due" in page and "20.00 EUR due" in page
    french = client.get("/staff/bookings/", headers={"accept-language": "fr"}).content.decode()
    assert "Payé" in french


def test_a_booking_that_owes_nothing_shows_no_payment_status(client, org):
    date, ticket = on_sale(org)
    membership = MembershipFactory(organisation=org)
    owner = Actor.staff(membership)
    book(owner, date, ticket, mode=State.QUOTE)
    client.force_login(membership.user)
    page = client.get("/staff/bookings/", headers={"accept-language": "en"}).content.decode()
    assert 'class="paid' not in page and " due" not in page


@pytest.mark.parametrize(
    ("language", "countdown", "by"),
    [
        ("en", "Decide within 1\xa0day, 23\xa0hours", "by 03/04/2031 10 a.m."),
        ("fr", "Décider d’ici 1\xa0jour, 23\xa0heures", "avant le 04/03/2031 10:00"),
        ("es", "Decidir en 1\xa0día, 23\xa0horas", "antes del 04/03/2031 10:00"),
    ],
)
def test_each_pending_request_shows_decide_within(client, org, language, countdown, by):
    """The countdown of issue 10 item 4, from a frozen clock, in the organisation's zone."""
    import time_machine

    start = datetime(2031, 3, 2, 10, 0, tzinfo=PARIS)
    date, ticket = on_sale(
        org, starts_at=start + timedelta(days=20), requires_approval=True, decision_days=2
    )
    membership = MembershipFactory(organisation=org)
    owner = Actor.staff(membership)
    with time_machine.travel(start, tick=False):
        request = book(owner, date, ticket, mode=State.REQUEST)
        book(owner, date, ticket, mode=State.OPTION)  # no countdown for an option
    # The page activates the reader's language; `override` puts back the test's after it.
    with time_machine.travel(start + timedelta(hours=1), tick=False), translation.override("en"):
        client.force_login(membership.user)  # a session of that time
        page = client.get(
            "/staff/bookings/", headers={"accept-language": language}
        ).content.decode()
    assert page.count('class="decide"') == 1
    assert countdown in page, page[page.find("decide") - 200 : page.find("decide") + 300]
    assert by in page, page[page.find("decide") : page.find("decide") + 300]
    assert request.reference in page
    with (
        time_machine.travel(start + timedelta(days=2, minutes=1), tick=False),
        translation.override("en"),
    ):
        late = client.get(
            "/staff/bookings/", headers={"accept-language": language}
        ).content.decode()
    assert 'class="decide decide-late"' in late


def test_a_request_with_its_card_authorised_says_so_and_until_when(client, org, settings):
    import time_machine

    from tentative.payments import actions as payments
    from tentative.payments.providers import simulated

    settings.SIMULATED_AUTHORISATION_DAYS = 2
    start = datetime(2031, 3, 2, 10, 0, tzinfo=PARIS)
    date, ticket = on_sale(
        org,
        starts_at=start + timedelta(days=20),
        requires_approval=True,
        approval_charge="authorise",
        decision_days=2,
    )
    membership = MembershipFactory(organisation=org)
    owner = Actor.staff(membership)
    with time_machine.travel(start, tick=False):
        request = book(owner, date, ticket, mode=State.REQUEST)
        book(owner, date, ticket, mode=State.REQUEST)  # not authorised
        payment = payments.authorise_request(request.id, actor=owner)
        note = simulated.checkout(payment, simulated.Choice.SUCCESS, now=timezone.now())
        payments.apply_notification("simulated", note)  # type: ignore[arg-type]
        client.force_login(membership.user)
        with translation.override("en"):
            page = client.get(
                "/staff/bookings/", headers={"accept-language": "fr"}
            ).content.decode()
    assert page.count("Carte autorisée") == 1 and "jusqu’au 04/03/2031 10:00" in page


def _many(org, owner, n: int) -> None:  # type: ignore[no-untyped-def]
    """n bookings of every kind the list shows: tickets of two events, an appointment,
    requests, a payment on some, customers with names."""
    from decimal import Decimal

    from tentative.payments import actions as payments
    from tests.factories import CustomerFactory

    date, ticket = on_sale(org, capacity=1000)
    wait, ask = on_sale(org, capacity=1000, requires_approval=True)
    alice = staff_member(org, f"Alice {n}")
    haircut = service(org, alice)
    for i in range(n):
        customer = CustomerFactory(organisation=org, name=f"Dupont {n}-{i}").id
        if i % 3 == 2:
            book(owner, wait, ask, mode=State.REQUEST, customer_id=customer)
        else:
            made = book(owner, date, ticket, mode=State.CONFIRMED, customer_id=customer)
            if i % 2:
                payments.record_payment(made.id, actor=owner, amount=Decimal("5"))
    book_slot(owner, haircut, alice, timezone.now() + timedelta(days=5 + n))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, 13),
        ({"page": "2"}, 13),
        ({"q": "dupont"}, 11),
        ({"q": "REFERENCE"}, 11),
        ({"state": "request"}, 10),
    ],
    ids=["first page", "second page", "a name", "a reference's start", "a state"],
)
def test_the_list_costs_the_same_queries_for_3_or_30_bookings(client, org, query, expected):
    """Session, user, membership, count, the page's ids, its rows (with customer, money and
    the authorisation's end), their lines and each of the lines' words (dates with their
    events, ticket types, services, prices, staff or rooms: one query each, only for the
    kinds on the page); a search adds the "is it a whole reference?" look-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    membership = MembershipFactory(organisation=org)
    owner = Actor.staff(membership)
    client.force_login(membership.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/staff/bookings/", query)
        assert response.status_code == 200
        return len(queries)

    _many(org, owner, 3)
    if query.get("q") == "REFERENCE":  # the start of a ticket booking's reference
        from tentative.bookings.models import Booking

        first = Booking.objects.filter(organisation=org).order_by("id").first()
        query = {"q": first.reference[:7].lower()}
    few = count()
    _many(org, owner, 30)
    many = count()
    assert few == many == expected, (few, many)
