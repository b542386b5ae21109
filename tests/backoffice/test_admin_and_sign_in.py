"""The Django admin is the platform operator's, and read-only for bookings, capacity and
audit data; the sign-in page limits failed attempts; settings refuse a currency change."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from tentative.accounts.models import LoginFailure
from tentative.audit.models import AuditEntry
from tentative.bookings.models import Booking, BookingLine
from tentative.catalog.models import Event, EventDate, TicketType
from tentative.core.permissions import Role
from tentative.demo import create_demo
from tentative.inventory.models import CapacityPool, Hold, TimeClaim
from tests.factories import MembershipFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db

READ_ONLY = [
    Booking,
    BookingLine,
    CapacityPool,
    Hold,
    TimeClaim,
    AuditEntry,
    Event,
    EventDate,
    TicketType,
]


@pytest.fixture
def operator(client):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_superuser("op", password="op-pass-123")
    client.force_login(user)
    return user


@pytest.mark.parametrize("model", READ_ONLY)
def test_the_admin_never_adds_changes_or_deletes_booking_capacity_or_audit_rows(operator, model):
    request = RequestFactory().get("/admin/")
    request.user = operator
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_deleting_a_booking_from_the_admin_is_refused_and_nothing_moves(client, org, operator):
    date, ticket = on_sale(org, capacity=10)
    booking = book(staff(org), date, ticket, quantity=10)
    page = client.get(f"/admin/bookings/booking/{booking.id}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    refused = client.post(f"/admin/bookings/booking/{booking.id}/delete/", {"post": "yes"})
    assert refused.status_code == 403
    assert Booking.objects.filter(id=booking.id).exists()
    assert CapacityPool.objects.get(event_date=date, ticket_type=None).taken == 10
    pool = CapacityPool.objects.get(event_date=date, ticket_type=None)
    edit = client.post(f"/admin/inventory/capacitypool/{pool.id}/change/", {"capacity": "50"})
    assert edit.status_code == 403


def test_organisation_staff_never_reach_the_admin_even_as_superusers(client, org):
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(membership.user)
    assert client.get("/admin/").status_code == 302  # to the admin's login
    membership.user.is_staff = membership.user.is_superuser = True
    membership.user.save()
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/bookings/booking/").status_code == 302


def test_the_demo_owner_is_staff_not_superuser_and_an_operator_is_printed(client):
    logins = create_demo()
    owner = get_user_model().objects.get(username="owner")
    assert not owner.is_superuser and not owner.is_staff
    operator = get_user_model().objects.get(username="operator")
    assert operator.is_superuser and not operator.memberships.exists()
    assert any(v.startswith("operator / ") for v in logins.values())
    assert client.login(username="operator", password="operator-demo-pass")
    assert client.get("/admin/").status_code == 200
    client.logout()
    assert client.login(username="owner", password="owner-demo-pass")
    assert client.get("/admin/").status_code == 302


def test_sign_in_is_refused_after_five_failures_even_with_the_right_password(client, org):
    membership = MembershipFactory(organisation=org)
    name = membership.user.username
    for _ in range(5):
        wrong = client.post("/staff/login/", {"username": name, "password": "nope"})
        assert wrong.status_code == 200
    assert LoginFailure.objects.count() == 5
    blocked = client.post(
        "/staff/login/",
        {"username": name, "password": "pw-for-tests"},
        headers={"accept-language": "fr"},
    )
    assert blocked.status_code == 200
    text = blocked.content.decode()
    assert "15 minutes" in text and f'value="{name}"' in text
    assert "_auth_user_id" not in client.session
    # Another address is not blocked, and a success clears that address's failures.
    other = client.post(
        "/staff/login/", {"username": name, "password": "pw-for-tests"}, REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 302


def test_the_settings_page_refuses_a_currency_change_once_bookings_exist(client, org):
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(membership.user)
    date, ticket = on_sale(org)
    book(staff(org), date, ticket)
    response = client.post(
        "/staff/settings/",
        {
            "name": org.name,
            "time_zone": "Europe/Paris",
            "currency": "USD",
            "default_language": "en",
            "deadline_policy": "strict",
            "deadline_at_limit": "release",
            "quote_validity_days": "30",
            "languages": ["en", "fr", "es"],
            "checkout_hold_minutes": "15",
            "public_max_places_per_order": "10",
            "public_max_open_per_customer": "5",
        },
    )
    assert response.status_code == 409
    assert "cannot change once bookings exist" in response.content.decode()
    org.refresh_from_db()
    assert org.currency == "EUR"


def test_forgot_password_answers_the_same_for_any_address(client):
    known = MembershipFactory()
    known.user.email = "known@example.org"
    known.user.save()
    a = client.post("/staff/password/forgot/", {"email": "known@example.org"})
    b = client.post("/staff/password/forgot/", {"email": "unknown@example.org"})
    assert a.status_code == b.status_code == 200
    pages = [[t.name for t in r.templates if t.name.startswith("backoffice/")] for r in (a, b)]
    assert pages[0] == pages[1]
    assert b"is on its way" in a.content and b"is on its way" in b.content
    bad = client.post("/staff/password/forgot/", {"email": "<script>"})
    assert bad.status_code == 422 and b"&lt;script&gt;" in bad.content
