"""Amounts as people type them, checked against the booking's currency."""

from __future__ import annotations

from decimal import Decimal

from tentative.core.money import Money, minor_units
from tentative.payments.errors import AmountInvalid


def amount_in(value: Decimal, currency: str) -> Money:
    """A positive amount with no more decimals than the currency has (no silent rounding:
    12.345 EUR is a typo, not 12.34)."""
    places = minor_units(currency)
    if not value.is_finite() or value <= 0 or -value.as_tuple().exponent > places:  # type: ignore[operator]
        raise AmountInvalid(places=places)
    return Money(value, currency)
