"""A booking's money, read from its payments: what is due, captured, refunded, and owed."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from tentative.bookings.models import Booking
from tentative.core.money import Balance, Money
from tentative.payments.models import Payment
from tentative.payments.providers import PROVIDERS


def balance(booking: Booking) -> Balance:
    """DESIGN §2.1: balance = total due − captured + refunded, in the booking's currency."""
    sums = booking.payments.aggregate(captured=Sum("captured"), refunded=Sum("refunded"))
    currency = booking.currency

    def money(value: Decimal | None) -> Money:
        return Money(value or Decimal(0), currency)

    return Balance(
        due=money(booking.total), captured=money(sums["captured"]), refunded=money(sums["refunded"])
    )


def refunds_online(payment: Payment) -> bool:
    """Whether money refunded from `payment` goes back through its provider; if not, staff
    pay it back themselves (cash, a card terminal, a transfer)."""
    return PROVIDERS[payment.provider].capabilities.refunds_online
