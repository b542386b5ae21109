"""Issue 10: for any sequence of payments, refunds and quantity changes, the booking's
balance is total due − captured + refunded, to the currency's minor unit, in EUR, JPY
(no decimals) and BHD (three): checked against a model kept by the test, after every step.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tentative.bookings import actions as bookings
from tentative.core.money import minor_units
from tentative.core.states import State
from tentative.payments import actions, errors
from tentative.payments.selectors import balance
from tests.factories import OrganisationFactory, book, on_sale, staff

PRICES = {"EUR": Decimal("12.50"), "JPY": Decimal("1500"), "BHD": Decimal("7.25")}

step = st.one_of(
    st.tuples(st.just("pay"), st.integers(1, 5000)),
    st.tuples(st.just("refund"), st.integers(1, 5000)),
    st.tuples(st.just("quantity"), st.integers(1, 6)),
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(currency=st.sampled_from(sorted(PRICES)), steps=st.lists(step, max_size=12))
def test_the_balance_follows_every_payment_refund_and_quantity_change(currency, steps):
    org = OrganisationFactory(currency=currency)
    date, ticket = on_sale(org, capacity=50, price=PRICES[currency])
    owner = staff(org)
    booking = book(owner, date, ticket, quantity=2, mode=State.CONFIRMED)
    line_id = booking.lines.all()[0].id
    unit = Decimal(1).scaleb(-minor_units(currency))  # the smallest amount of the currency
    quantity, captured, refunded, payments = 2, Decimal(0), Decimal(0), []
    for kind, size in steps:
        amount = unit * size
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
