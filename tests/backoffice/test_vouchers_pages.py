"""The staff coupon list, a voucher's ledger in sentences, and a booking's money actions
(redeem, overpayment → coupon, cancel with money), each refusal shown in the reader's
language with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tentative.bookings import actions as bookings
from tentative.bookings.models import Booking
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.payments import actions
from tentative.payments.models import Voucher, VoucherEntry
from tentative.payments.selectors import voucher_balance
from tentative.shared.actor import Actor
from tests.factories import CustomerFactory, MembershipFactory, OrganisationFactory, book, on_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client, org):  # type: ignore[no-untyped-def]
    membership = MembershipFactory(organisation=org, role=Role.OWNER)
    client.force_login(membership.user)
    return Actor.staff(membership)


def test_the_list_shows_each_code_with_what_is_left_and_sends_it(client, org, owner):
    date, ticket = on_sale(org)
    who = CustomerFactory(organisation=org)
    booking = book(owner, date, ticket, quantity=2, mode=State.OPTION, customer_id=who.id)
    voucher = actions.issue_voucher(
        actor=owner, kind="coupon", amount=Decimal("1234.5"), booking_id=booking.id
    )
    actions.redeem_voucher(booking.id, voucher.code, actor=owner)
    page = client.get("/staff/vouchers/", headers={"accept-language": "fr"}).content.decode()
    assert voucher.code in page
    assert (
        '<td class="num">1194,50 EUR</td>' in page
    )  # the reader's locale, the currency's decimals
    assert "non envoyé" in page and booking.reference in page
    sent = client.post(f"/staff/vouchers/{voucher.code}/send/")
    assert sent.status_code == 302
    assert Voucher.objects.get(id=voucher.id).sent_at is not None
    detail = client.get(
        f"/staff/vouchers/{voucher.code.lower()}/", headers={"accept-language": "en"}
    )
    text = detail.content.decode()
    assert f"{owner.label} issued it with 1234.50 EUR." in text
    assert f"40.00 EUR paid booking {booking.reference}" in text


def test_issuing_from_the_page_and_its_refusals(client, org, owner):
    made = client.post("/staff/vouchers/", {"kind": "gift", "amount": "50", "method": "cash"})
    assert made.status_code == 302
    gift = Voucher.objects.get()
    assert (gift.kind, voucher_balance(gift).amount) == ("gift", Decimal("50"))
    refused = client.post(
        "/staff/vouchers/", {"kind": "gift", "amount": "50"}, headers={"accept-language": "es"}
    )
    assert refused.status_code == 422 and "forma de pago" in refused.content.decode()
    typo = client.post("/staff/vouchers/", {"kind": "coupon", "amount": "10.005"})
    assert typo.status_code == 422 and Voucher.objects.count() == 1


def test_another_organisations_voucher_is_a_404(client, org, owner):
    stranger = Actor.staff(MembershipFactory(organisation=OrganisationFactory()))
    theirs = actions.issue_voucher(actor=stranger, kind="coupon", amount=Decimal("5"))
    assert client.get(f"/staff/vouchers/{theirs.code}/").status_code == 404
    assert client.post(f"/staff/vouchers/{theirs.code}/send/").status_code == 404


def test_a_bookings_money_page_redeems_keeps_an_overpayment_and_cancels(client, org, owner):
    date, ticket = on_sale(org)  # 20.00 each
    booking = book(owner, date, ticket, quantity=3, mode=State.CONFIRMED)
    gift = actions.issue_voucher(actor=owner, kind="gift", amount=Decimal("25"), method="cash")
    url = f"/staff/bookings/{booking.reference.lower()}/money/"
    page = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "60.00 EUR still due" in page and "Pay with a coupon" in page
    wrong = client.post(url + "redeem/", {"code": "NOPE-NOPE-NOPE-NOPE"})
    assert wrong.status_code == 404 and VoucherEntry.objects.count() == 1
    assert client.post(url + "redeem/", {"code": gift.code}).status_code == 302
    actions.record_payment(booking.id, actor=owner, amount=Decimal("35"))
    bookings.change_quantity(booking.id, actor=owner, line_id=booking.lines.all()[0].id, quantity=2)
    page = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "20.00 EUR overpaid" in page
    too_much = client.post(url + "coupon/", {"amount": "20.01"})
    assert too_much.status_code == 409 and Voucher.objects.count() == 1
    assert client.post(url + "coupon/", {"amount": "20"}).status_code == 302
    coupon = Voucher.objects.get(kind="coupon")
    assert voucher_balance(coupon).amount == 20 and coupon.sent_at is None
    refused = client.post(url + "cancel/", {"reason": "rain", "refund": "15.01"})
    assert refused.status_code == 409
    assert Booking.objects.get(id=booking.id).state == State.CONFIRMED
    done = client.post(url + "cancel/", {"reason": "rain", "refund": "15", "recredit": "on"})
    assert done.status_code == 302
    assert Booking.objects.get(id=booking.id).state == State.CANCELLED
    assert voucher_balance(gift).amount == Decimal("25")
    after = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "pay it back to the customer yourself" in after
