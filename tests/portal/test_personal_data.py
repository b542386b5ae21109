"""Personal data: the customer downloads it and asks for erasure; staff anonymise; the
retention job purges what is older than the organisation's retention period."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from tentative.accounts.actions import anonymise_customer, request_erasure
from tentative.accounts.errors import ErasureBlocked
from tentative.accounts.jobs import purge_expired_personal_data
from tentative.accounts.models import Customer, ErasureRequest
from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking, BookingLine, Participant
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.payments import actions as payments
from tentative.shared.errors import Forbidden
from tests.factories import CustomerFactory, MembershipFactory, book, on_sale, staff
from tests.portal.helpers import sign_in, space

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(org):  # type: ignore[no-untyped-def]
    return CustomerFactory(
        organisation=org, email="ana@example.org", name="Ana Lopez", phone="+33 1"
    )


def firm_paid(org, who, *, days=30):  # type: ignore[no-untyped-def]
    date, ticket = on_sale(org, capacity=10, starts_at=timezone.now() + timedelta(days=days))
    booking = book(staff(org), date, ticket, quantity=1, mode=State.CONFIRMED, customer_id=who.id)
    payments.record_payment(booking.id, actor=staff(org), amount=Decimal("20"), method="cash")
    Participant.objects.create(
        line=BookingLine.objects.get(booking=booking), name="Ana Lopez", email="ana@example.org"
    )
    answers = {"1": {"label": "Diet", "value": "vegan"}}
    Booking.objects.filter(id=booking.id).update(answers=answers)
    return booking


def test_the_customer_downloads_their_data(client, org, ana):
    booking = firm_paid(org, ana)
    CustomerFactory(organisation=org, email="bob@example.org")
    sign_in(client, org, "ana@example.org")
    response = client.get(f"{space(org)}data/export.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = json.loads(response.content)
    assert [c["name"] for c in body["customers"]] == ["Ana Lopez"]
    (only,) = body["bookings"]
    assert only["reference"] == booking.reference
    assert only["payments"][0]["captured"] == "20.000"
    assert only["answers"] == {"1": {"label": "Diet", "value": "vegan"}}
    assert only["lines"][0]["attendees"] == [{"name": "Ana Lopez", "email": "ana@example.org"}]
    assert "bob@example.org" not in response.content.decode()


def test_asking_for_erasure_is_recorded_once_and_staff_see_it(client, org, ana):
    sign_in(client, org, "ana@example.org")
    refused = client.post(f"{space(org)}data/erase/", {"note": "bye"})
    assert refused.status_code == 422  # the confirmation box is required
    assert not ErasureRequest.objects.exists()
    for _ in range(2):
        assert (
            client.post(f"{space(org)}data/erase/", {"note": "bye", "confirm": "on"}).status_code
            == 302
        )
    request = ErasureRequest.objects.get()
    assert request.customer == ana and request.status == "pending" and request.note == "bye"
    owner = MembershipFactory(organisation=org, role=Role.OWNER)
    staff_client = client.__class__()
    staff_client.force_login(owner.user)
    page = staff_client.get(f"/staff/customers/{ana.id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "asked on" in page.content.decode()


def test_staff_cannot_file_an_erasure_request_for_a_customer(org, ana):
    with pytest.raises(Forbidden):
        request_erasure(ana.id, actor=staff(org))


def test_anonymising_is_refused_while_a_booking_is_open_or_unpaid(org, ana):
    date, ticket = on_sale(org, capacity=10)
    option = book(staff(org), date, ticket, quantity=1, customer_id=ana.id)
    with pytest.raises(ErasureBlocked) as refused:
        anonymise_customer(ana.id, actor=staff(org))
    assert option.reference in refused.value.text
    ana.refresh_from_db()
    assert ana.name == "Ana Lopez" and ana.anonymised_at is None


def test_an_agent_may_not_anonymise(org, ana):
    with pytest.raises(Forbidden):
        anonymise_customer(ana.id, actor=staff(org, Role.AGENT))


def test_staff_anonymise_a_past_paid_customer_from_the_customer_page(client, org, ana):
    booking = firm_paid(org, ana, days=1)
    sign_in(client, org, "ana@example.org")
    user = get_user_model().objects.get(customer=ana)
    owner = MembershipFactory(organisation=org, role=Role.OWNER)
    staff_client = client.__class__()
    staff_client.force_login(owner.user)
    url = f"/staff/customers/{ana.id}/anonymise/"
    # Its date is still to come: refused, said on the page.
    refused = staff_client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "cannot be erased" in refused.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        assert staff_client.post(url).status_code == 302
    ana.refresh_from_db()
    assert (ana.name, ana.email, ana.phone) == ("—", "", "")
    assert ana.anonymised_at is not None
    assert not Participant.objects.filter(line__booking=booking).exclude(name="").exists()
    assert Booking.objects.get(id=booking.id).answers == {}
    assert AuditEntry.objects.filter(action="customer.anonymise", data__customer=ana.id).exists()
    assert not AuditEntry.objects.filter(data__name="Ana Lopez").exists()
    user.refresh_from_db()
    assert not user.is_active and user.email == ""
    # Their session no longer opens the space.
    assert client.get(space(org)).status_code == 302


def test_the_retention_job_anonymises_customers_whose_bookings_are_old_enough(org, ana):
    org.retention_days = 30
    org.save()
    firm_paid(org, ana, days=1)
    kept = CustomerFactory(organisation=org, name="Kept")
    firm_paid(org, kept, days=20)
    now = timezone.now()
    assert purge_expired_personal_data(now + timedelta(days=20)) == 0
    with time_machine.travel(now + timedelta(days=32), tick=False):
        assert purge_expired_personal_data(timezone.now()) == 1
    assert Customer.objects.get(id=ana.id).anonymised_at is not None
    assert Customer.objects.get(id=kept.id).name == "Kept"
    assert purge_expired_personal_data(now + timedelta(days=32)) == 0  # done once


def test_without_retention_days_nothing_is_purged(org, ana):
    firm_paid(org, ana, days=1)
    assert purge_expired_personal_data(timezone.now() + timedelta(days=3000)) == 0
    assert Customer.objects.get(id=ana.id).name == "Ana Lopez"


def test_an_unpaid_past_booking_keeps_the_customer_from_the_purge(org, ana):
    org.retention_days = 1
    org.save()
    date, ticket = on_sale(org, capacity=10, starts_at=timezone.now() + timedelta(days=1))
    book(staff(org), date, ticket, quantity=1, mode=State.CONFIRMED, customer_id=ana.id)
    assert purge_expired_personal_data(timezone.now() + timedelta(days=5)) == 0
    assert Customer.objects.get(id=ana.id).anonymised_at is None
