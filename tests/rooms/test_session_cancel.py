"""Cancelling a session booking with its money, from the session's "Cancel" tab: refund and
coupon (whole or part), vouchers re-credited, the notice about offline refunds; too much
back is refused next to the field that asked for it, and nothing changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.payments import actions as payments
from tentative.payments import selectors as payment_selectors
from tentative.payments.models import Refund, Voucher
from tentative.shared.actor import Actor
from tests.factories import CustomerFactory, MembershipFactory, OrganisationFactory
from tests.rooms.factories import book, escape_room, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def owner(client, org):
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(membership.user)
    return Actor.staff(membership)


@pytest.fixture
def paid(org, owner):
    """4 adults at 30.00: 100.00 in cash and 20.00 with a coupon."""
    room = escape_room(org, owner)
    customer = CustomerFactory(organisation=org, email="lea@example.org")
    booking = book(
        owner, room, in_days(org, 2, "10:00"), 4, mode=State.CONFIRMED, customer_id=customer.id
    )
    payments.record_payment(booking.id, actor=owner, amount=Decimal("100.00"))
    coupon = payments.issue_voucher(
        actor=owner, kind=Voucher.Kind.COUPON, amount=Decimal("20.00"), currency=booking.currency
    )
    payments.redeem_voucher(booking.id, coupon.code, None, actor=owner)
    booking.refresh_from_db()
    return booking, coupon


def url(booking: Booking) -> str:
    return f"/staff/bookings/{booking.reference}/session/cancel/"


def test_the_cancel_tab_says_what_was_paid_and_how_refunds_are_made(paid, client):
    booking, _ = paid
    page = client.get(url(booking)).content.decode()
    assert "Cancel and refund" in page and 'aria-current="page">Cancel<' in page
    assert "refunded by you, at the till, on the terminal or from the bank" in page
    assert "Re-credit coupons and gift vouchers" in page


def test_a_coupon_larger_than_what_was_paid_is_refused_next_to_its_field(paid, client):
    booking, _ = paid
    response = client.post(url(booking), {"coupon": "150.00", "reason": "Ill"})
    assert response.status_code == 409
    form = response.context["form"]
    assert "at most" in form.errors["coupon"][0] and "refund" not in form.errors
    booking.refresh_from_db()
    assert booking.state == State.CONFIRMED
    assert not Refund.objects.filter(payment__booking=booking).exists()
    assert Voucher.objects.filter(booking=booking).count() == 0
    response = client.post(url(booking), {"refund": "101.00"})
    assert response.status_code == 409 and "refund" in response.context["form"].errors


def test_cancel_with_a_partial_refund_a_coupon_and_vouchers_recredited(paid, client):
    booking, used = paid
    response = client.post(
        url(booking),
        {"refund": "40.00", "coupon": "30.00", "recredit": "on", "reason": "Ill"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "cancelled" in page and "pay it back to the customer yourself" in page
    booking.refresh_from_db()
    assert booking.state == State.CANCELLED
    coupon = Voucher.objects.get(booking=booking)
    assert payment_selectors.voucher_balance(coupon).amount == Decimal("30.00")
    assert payment_selectors.voucher_balance(used).amount == Decimal("20.00")
    balance = payment_selectors.balance(booking)
    assert balance.refunded.amount == Decimal("90.00")  # 40 back, 30 as coupon, 20 re-credited


def test_another_organisations_staff_gets_404(paid, client):
    booking, _ = paid
    client.force_login(MembershipFactory(organisation=OrganisationFactory()).user)
    assert client.get(url(booking)).status_code == 404
    assert client.post(url(booking), {"refund": "10.00"}).status_code == 404
    booking.refresh_from_db()
    assert booking.state == State.CONFIRMED
