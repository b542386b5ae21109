"""The booking page: summary, lines, history as sentences, emails, and every action."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.outbox.models import OutboxMessage
from tentative.shared.actor import Actor
from tests.factories import (
    CustomerFactory,
    EventDateFactory,
    MembershipFactory,
    OrganisationFactory,
    book,
    book_slot,
    on_sale,
    service,
    staff_member,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def english():
    """Pages activate the reader's language; put the test's back after each."""
    with translation.override("en"):
        yield


def _signed_in(client, org, role=Role.OWNER):
    membership = MembershipFactory(organisation=org, role=role)
    client.force_login(membership.user)
    return Actor.staff(membership)


def _page(client, booking, language="en"):
    response = client.get(
        f"/staff/bookings/{booking.reference}/", headers={"accept-language": language}
    )
    assert response.status_code == 200
    return response.content.decode()


def _snapshot(booking):
    """What must not change when an action is refused."""
    fresh = Booking.objects.get(id=booking.id)
    return (
        fresh.state,
        fresh.deadline_enforced,
        fresh.total,
        [(line.quantity, line.event_date_id) for line in fresh.lines.order_by("id")],
        AuditEntry.objects.filter(booking=fresh).count(),
        OutboxMessage.objects.filter(booking=fresh).count(),
    )


def test_the_page_shows_summary_lines_customer_and_history(client, org):
    owner = _signed_in(client, org)
    evening = datetime(2031, 12, 20, 20, 30, tzinfo=PARIS)
    date, ticket = on_sale(org, starts_at=evening, name="Tarif plein")
    customer = CustomerFactory(organisation=org, name="Zoé Martin", email="zoe@example.org")
    booking = book(owner, date, ticket, quantity=2, customer_id=customer.id)
    page = _page(client, booking)
    assert booking.reference in page and "Zoé Martin" in page and "zoe@example.org" in page
    assert "Tarif plein" in page and "12/20/2031 8:30 p.m." in page
    assert 'class="state state-option"' in page
    assert booking.deadline_rule in page
    assert "Booked as option" in page
    assert "40.00 EUR due" in page
