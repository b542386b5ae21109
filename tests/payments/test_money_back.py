"""Money going back (seed 004): an overpayment after fewer places kept as a coupon that is
not sent, and a cancellation that refunds, issues a coupon and re-credits vouchers in one
step, all or nothing, with balance = due − captured + refunded true throughout."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tentative.bookings import actions as bookings
from tentative.bookings.errors import IllegalTransition
from tentative.bookings.models import Booking
from tentative.core.money import PaymentStatus
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.notifications.fanout import fan_out
from tentative.outbox.models import OutboxMessage
from tentative.payments import actions, errors
from tentative.payments.models import Payment, Refund, Voucher, VoucherEntry
from tentative.payments.selectors import balance, voucher_balance
from tentative.shared.errors import Forbidden
from tests.factories import CustomerFactory, book, on_sale, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(org):
    """Four places at 20.00, paid 80.00: 50.00 by card terminal, 30.00 in cash."""
    date, ticket = on_sale(org, capacity=10)
    who = CustomerFactory(organisation=org)
    owner = staff(org)
    booking = book(owner, date, ticket, quantity=4, mode=State.CONFIRMED, customer_id=who.id)
    actions.record_payment(booking.id, actor=owner, amount=Decimal("50"), method="terminal")
    actions.record_payment(booking.id, actor=owner, amount=Decimal("30"), method="cash")
    return booking


def written() -> tuple[int, ...]:
    return (
        Refund.objects.count(),
        Voucher.objects.count(),
        VoucherEntry.objects.count(),
        OutboxMessage.objects.count(),
        Booking.objects.filter(state=State.CANCELLED).count(),
    )


def fewer(booking, quantity):  # type: ignore[no-untyped-def]
    line = booking.lines.all()[0]
    bookings.change_quantity(
        booking.id, actor=staff(booking.organisation), line_id=line.id, quantity=quantity
    )
    booking.refresh_from_db()


def test_an_overpayment_becomes_a_coupon_that_is_not_sent(org, paid):
    fewer(paid, 3)
    assert balance(paid).status == PaymentStatus.OVERPAID
    assert balance(paid).outstanding.amount == Decimal("-20")
    voucher = actions.refund_to_voucher(paid.id, actor=staff(org))
    paid.refresh_from_db()
    assert balance(paid).status == PaymentStatus.PAID and balance(paid).outstanding.amount == 0
    assert voucher_balance(voucher).amount == Decimal("20")
    assert (voucher.kind, voucher.booking_id, voucher.sent_at) == ("coupon", paid.id, None)
    # The coupon is a refund of the payments, pointing at the coupon: no "refunded" email.
    entry = voucher.entries.get()
    assert entry.refund is not None and entry.refund.amount == Decimal("20")
    fan_out(now=timezone.now())
    emails = OutboxMessage.objects.filter(kind="email")
    assert not emails.filter(payload__template="refunded").exists()
    assert not OutboxMessage.objects.filter(kind="email", topic="voucher.sent").exists()


def test_part_of_an_overpayment_as_a_coupon_and_never_more_than_it(org, paid):
    fewer(paid, 2)  # 40.00 overpaid
    voucher = actions.refund_to_voucher(paid.id, Decimal("15"), actor=staff(org))
    assert voucher_balance(voucher).amount == 15
    assert balance(paid).outstanding.amount == Decimal("-25")
    before = written()
    with pytest.raises(errors.CouponTooLarge) as refused:
        actions.refund_to_voucher(paid.id, Decimal("25.01"), actor=staff(org))
    assert "25.00" in refused.value.text and written() == before


def test_no_overpayment_no_coupon(org, paid):
    with pytest.raises(errors.CouponTooLarge):
        actions.refund_to_voucher(paid.id, actor=staff(org))
    with pytest.raises(Forbidden):
        actions.refund_to_voucher(paid.id, actor=staff(org, Role.AGENT))
    assert Voucher.objects.count() == 0


def test_cancel_with_a_refund_and_a_coupon_in_one_step(org, paid):
    result = actions.cancel_with_money(
        paid.id,
        actor=staff(org),
        reason="storm",
        refund_amount=Decimal("60"),
        coupon_amount=Decimal("20"),
    )
    paid.refresh_from_db()
    assert paid.state == State.CANCELLED
    # 60 refunded: 50 from the terminal payment, 10 from the cash; the coupon holds 20 cash.
    assert sorted(r.amount for r in result.refunds) == [Decimal("10"), Decimal("50")]
    assert result.pay_back_yourself == Decimal("60")  # both offline: staff pay it back
    assert result.coupon is not None and voucher_balance(result.coupon).amount == 20
    assert sum(p.refunded for p in Payment.objects.filter(booking=paid)) == Decimal("80")
    event = OutboxMessage.objects.get(topic="booking.cancelled", booking=paid)
    assert (event.payload["refund"], event.payload["coupon"]) == ("60.00", result.coupon.code)
    fan_out(now=timezone.now())
    mails = OutboxMessage.objects.filter(kind="email", booking=paid).exclude(
        topic="booking.created"
    )
    assert [m.payload["template"] for m in mails] == ["cancelled"]
    text = mails[0].payload["text"]
    assert "refunding 60.00 EUR" in text and result.coupon.code in text and "20.00" in text
    assert Voucher.objects.get(id=result.coupon.id).sent_at is not None


def test_cancel_refusing_more_than_was_paid_changes_nothing(org, paid):
    before = written()
    with pytest.raises(errors.MoneyBackTooLarge):
        actions.cancel_with_money(
            paid.id,
            actor=staff(org),
            refund_amount=Decimal("60"),
            coupon_amount=Decimal("20.01"),
        )
    assert written() == before
    assert Booking.objects.get(id=paid.id).state == State.CONFIRMED


def test_a_refused_cancellation_refunds_nothing(org, paid):
    actions.cancel_with_money(paid.id, actor=staff(org), reason="first")
    before = written()
    with pytest.raises(IllegalTransition):
        actions.cancel_with_money(paid.id, actor=staff(org), refund_amount=Decimal("10"))
    assert written() == before


def test_cancel_recredits_the_vouchers_that_paid_when_ticked(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    booking = book(owner, date, ticket, quantity=2, mode=State.OPTION)
    gift = actions.issue_voucher(actor=owner, kind="gift", amount=Decimal("25"), method="cash")
    actions.redeem_voucher(booking.id, gift.code, actor=owner)
    actions.record_payment(booking.id, actor=owner, amount=Decimal("15"), method="card")
    actions.record_payment(booking.id, actor=owner, amount=Decimal("15"))
    assert voucher_balance(gift).amount == 0
    result = actions.cancel_with_money(
        booking.id,
        actor=owner,
        reason="ill",
        refund_amount=Decimal("15"),
        recredit_vouchers=True,
    )
    assert voucher_balance(gift).amount == Decimal("25")
    assert [r.amount for r in result.recredited] == [Decimal("25")]
    assert balance(booking).captured.amount == balance(booking).refunded.amount == 40


def test_cancel_without_recredit_leaves_the_voucher_spent(org):
    date, ticket = on_sale(org, capacity=10)
    owner = staff(org)
    booking = book(owner, date, ticket, quantity=1, mode=State.OPTION)
    gift = actions.issue_voucher(actor=owner, kind="gift", amount=Decimal("20"), method="cash")
    actions.redeem_voucher(booking.id, gift.code, actor=owner)
    actions.cancel_with_money(booking.id, actor=owner, reason="changed mind")
    assert voucher_balance(gift).amount == 0
    assert Booking.objects.get(id=booking.id).state == State.CANCELLED


def test_an_agent_may_not_give_money_back_when_cancelling(org, paid):
    with pytest.raises(Forbidden):
        actions.cancel_with_money(paid.id, actor=staff(org, Role.AGENT), refund_amount=Decimal("1"))
