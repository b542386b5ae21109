"""Money and balances: Decimal amounts with a currency, never floats.

Payment status is separate from the booking state: balance = total due - captured + refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

# ISO 4217 minor units for currencies that do not use two decimals.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "XOF": 0, "XAF": 0, "BHD": 3, "KWD": 3}


class CurrencyMismatch(ValueError):
    pass


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency, 2)


@dataclass(frozen=True, order=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money needs a Decimal amount")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")
        exponent = Decimal(1).scaleb(-minor_units(self.currency))
        object.__setattr__(self, "amount", self.amount.quantize(exponent, ROUND_HALF_EVEN))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERPAID = "overpaid"


@dataclass(frozen=True)
class Balance:
    due: Money  # total of the booking
    captured: Money
    refunded: Money

    @property
    def outstanding(self) -> Money:
        """Positive: the customer owes this; negative: we owe the customer."""
        return self.due - self.captured + self.refunded

    @property
    def status(self) -> PaymentStatus:
        net_paid = self.captured - self.refunded
        if net_paid.amount <= 0:
            return PaymentStatus.PAID if self.due.amount <= 0 else PaymentStatus.UNPAID
        if net_paid < self.due:
            return PaymentStatus.PARTIALLY_PAID
        return PaymentStatus.PAID if net_paid == self.due else PaymentStatus.OVERPAID


class RefundTooLarge(ValueError):
    pass


def check_refund(captured: Money, refunded: Money, amount: Money) -> None:
    """Refunds never exceed what was captured (DESIGN §2.2 invariant 4)."""
    if amount.amount <= 0:
        raise ValueError("a refund must be positive")
    if refunded + amount > captured:
        raise RefundTooLarge(f"refund {amount} exceeds the {captured - refunded} left to refund")
