from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tentative.core.money import (
    Balance,
    CurrencyMismatch,
    Money,
    PaymentStatus,
    RefundTooLarge,
    check_refund,
)

amounts = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)


def eur(value: str | Decimal) -> Money:
    return Money(Decimal(value), "EUR")


def test_amounts_are_rounded_to_the_currency():
    assert eur("1.005").amount == Decimal("1.00")  # banker's rounding
    assert Money(Decimal("1500.4"), "JPY").amount == Decimal("1500")


def test_currencies_do_not_mix():
    with pytest.raises(CurrencyMismatch):
        eur("1") + Money(Decimal(1), "USD")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]


@given(amounts, amounts, amounts)
def test_balance_is_due_minus_captured_plus_refunded(due, captured, refunded):
    balance = Balance(eur(due), eur(captured), eur(refunded))
    assert balance.outstanding == eur(due - captured + refunded)


def test_payment_status():
    assert Balance(eur("50"), eur("0"), eur("0")).status == PaymentStatus.UNPAID
    assert Balance(eur("50"), eur("20"), eur("0")).status == PaymentStatus.PARTIALLY_PAID
    assert Balance(eur("50"), eur("50"), eur("0")).status == PaymentStatus.PAID
    assert Balance(eur("50"), eur("80"), eur("0")).status == PaymentStatus.OVERPAID
    assert Balance(eur("50"), eur("80"), eur("30")).status == PaymentStatus.PAID


@given(amounts, amounts, amounts)
def test_refunds_never_exceed_what_was_captured(captured, refunded, amount):
    if refunded > captured or amount <= 0:
        return
    try:
        check_refund(eur(captured), eur(refunded), eur(amount))
    except RefundTooLarge:
        assert refunded + amount > captured
    else:
        assert refunded + amount <= captured
