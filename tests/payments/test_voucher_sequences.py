"""Issue 10, "must prove": for any sequence of captures, refunds, quantity changes and
coupons (redemptions, refunds of a redemption back onto its voucher, overpayments kept as
a coupon), the booking's balance is total due − captured + refunded to the currency's
minor unit, in EUR, JPY (no decimals) and BHD (three), and no voucher is ever below zero:
checked against a model kept by the test after every step, and the ledgers in SQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum, Window
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tentative.bookings import actions as bookings
from tentative.core.money import minor_units
from tentative.core.states import State
from tentative.payments import actions, errors
from tentative.payments.models import VoucherEntry
from tentative.payments.selectors import balance, voucher_balance
from tests.factories import OrganisationFactory, book, on_sale, staff

PRICES = {"EUR": Decimal("12.50"), "JPY": Decimal("1500"), "BHD": Decimal("7.25")}
VOUCHERS = 2

step = st.one_of(
    st.tuples(st.just("pay"), st.integers(1, 5000), st.just(0)),
    st.tuples(st.just("refund"), st.integers(1, 5000), st.just(0)),
    st.tuples(st.just("quantity"), st.integers(1, 6), st.just(0)),
    st.tuples(st.just("redeem"), st.integers(0, 5000), st.integers(0, VOUCHERS - 1)),
    st.tuples(st.just("unredeem"), st.integers(1, 5000), st.just(0)),
    st.tuples(st.just("coupon"), st.integers(0, 5000), st.just(0)),
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(currency=st.sampled_from(sorted(PRICES)), steps=st.lists(step, max_size=14))
def test_the_balance_follows_payments_refunds_quantities_and_coupons(currency, steps):
    org = OrganisationFactory(currency=currency)
    date, ticket = on_sale(org, capacity=50, price=PRICES[currency])
    owner = staff(org)
    booking = book(owner, date, ticket, quantity=2, mode=State.CONFIRMED)
    line_id = booking.lines.all()[0].id
    unit = Decimal(1).scaleb(-minor_units(currency))  # the smallest amount of the currency
    start = PRICES[currency] * 3
    vouchers = [
        actions.issue_voucher(actor=owner, kind="coupon", amount=start) for _ in range(VOUCHERS)
    ]
    held = {v.id: start for v in vouchers}  # the model of each voucher's balance
    coupons: list = []
    quantity, captured, refunded = 2, Decimal(0), Decimal(0)
    payments: list[list] = []  # [payment, left to refund]
    redemptions: list[list] = []  # [payment, left to refund, voucher id]
    for kind, size, which in steps:
        amount = unit * size
        due = PRICES[currency] * quantity
        outstanding = due - captured + refunded
        if kind == "pay":
            payments.append(
                [actions.record_payment(booking.id, actor=owner, amount=amount), amount]
            )
            captured += amount
        elif kind == "refund" and payments:
            payment, left = payments[-1]
            if amount > left:
                with pytest.raises(errors.RefundTooLarge):
                    actions.refund_payment(payment.reference, actor=owner, amount=amount)
            else:
                actions.refund_payment(payment.reference, actor=owner, amount=amount)
                payments[-1][1] -= amount
                refunded += amount
        elif kind == "quantity" and size != quantity:
            bookings.change_quantity(booking.id, actor=owner, line_id=line_id, quantity=size)
            quantity = size
        elif kind == "redeem":
            voucher = vouchers[which]
            wanted = amount or None  # 0: the default, as much as it can
            expected = min(held[voucher.id], outstanding) if wanted is None else wanted
            if held[voucher.id] <= 0:
                with pytest.raises(errors.VoucherEmpty):
                    actions.redeem_voucher(booking.id, voucher.code, wanted, actor=owner)
            elif outstanding <= 0:
                with pytest.raises(errors.NothingDue):
                    actions.redeem_voucher(booking.id, voucher.code, wanted, actor=owner)
            elif expected > held[voucher.id]:
                with pytest.raises(errors.VoucherTooLarge):
                    actions.redeem_voucher(booking.id, voucher.code, wanted, actor=owner)
            elif expected > outstanding:
                with pytest.raises(errors.AboveOutstanding):
                    actions.redeem_voucher(booking.id, voucher.code, wanted, actor=owner)
            else:
                payment = actions.redeem_voucher(booking.id, voucher.code, wanted, actor=owner)
                assert payment.captured == expected
                redemptions.append([payment, expected, voucher.id])
                held[voucher.id] -= expected
                captured += expected
        elif kind == "unredeem" and redemptions:
            payment, left, voucher_id = redemptions[-1]
            if amount <= left:
                actions.refund_payment(payment.reference, actor=owner, amount=amount)
                redemptions[-1][1] -= amount
                held[voucher_id] += amount  # a refund goes back onto the voucher
                refunded += amount
        elif kind == "coupon":
            money_left = sum((p[1] for p in payments), Decimal(0))
            overpaid = min(-outstanding, money_left)
            wanted = amount or None
            expected = overpaid if wanted is None else wanted
            if overpaid <= 0 or expected > overpaid:
                with pytest.raises(errors.CouponTooLarge):
                    actions.refund_to_voucher(booking.id, wanted, actor=owner)
            else:
                coupon = actions.refund_to_voucher(booking.id, wanted, actor=owner)
                coupons.append((coupon, expected))
                refunded += expected
                rest = expected
                for entry in payments:  # the action takes from the oldest payment first
                    part = min(entry[1], rest)
                    entry[1] -= part
                    rest -= part
        booking.refresh_from_db()
        now = balance(booking)
        due = PRICES[currency] * quantity
        assert (now.due.amount, now.captured.amount, now.refunded.amount) == (
            due,
            captured,
            refunded,
        )
        assert now.outstanding.amount == due - captured + refunded
        assert -now.outstanding.amount.as_tuple().exponent <= minor_units(currency)  # type: ignore[operator]
        for voucher in vouchers:
            assert voucher_balance(voucher).amount == held[voucher.id] >= 0
        for coupon, amount in coupons:
            assert voucher_balance(coupon).amount == amount
    # In SQL: no voucher's running balance ever went below zero.
    running = VoucherEntry.objects.annotate(
        run=Window(Sum("amount"), partition_by="voucher_id", order_by="id")
    )
    lowest = min((e.run for e in running), default=Decimal(0))
    assert lowest >= 0
