"""Reads of bookings shared by every face."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tentative.accounts.models import Customer
from tentative.bookings.models import Booking

SEARCH_LENGTH = 200


def search(bookings: QuerySet[Booking], text: str, *, organisation_id: int) -> QuerySet[Booking]:
    """Bookings whose reference starts with `text` (as typed: `abc` finds `ABC…`), or whose
    customer's name or email contains it, ignoring case.

    The reference uses its unique index (and, on PostgreSQL, the `varchar_pattern_ops` one
    Django adds beside it); the customers are matched first, in the organisation, by trigram
    indexes on PostgreSQL (accounts migration 0002), then their bookings by the customer
    foreign key's index."""
    text = text.replace("\x00", "").strip()[:SEARCH_LENGTH]
    if not text:
        return bookings
    customers = Customer.objects.filter(organisation_id=organisation_id).filter(
        Q(name__icontains=text) | Q(email__icontains=text)
    )
    return bookings.filter(
        Q(reference__startswith=text.upper()) | Q(customer_id__in=customers.values("id"))
    )
