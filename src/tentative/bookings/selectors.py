"""Reads of bookings shared by every face."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tentative.accounts.models import Customer
from tentative.bookings.models import Booking

SEARCH_LENGTH = 200


def search(bookings: QuerySet[Booking], text: str, *, organisation_id: int) -> QuerySet[Booking]:
    """Bookings whose reference starts with `text` (as typed: `abc` finds `ABC…`), or whose
    customer's name or email contains it, ignoring case.

    The answer is a UNION of two indexed lookups, each keeping `bookings`' own filters: the
    reference by its unique index (and, on PostgreSQL, the `varchar_pattern_ops` one Django
    adds beside it); the customers, matched first in the organisation (trigram indexes on
    PostgreSQL, accounts migration 0003), then their bookings by the customer foreign key's
    index. Not one OR across two tables, with which PostgreSQL scans every booking of the
    organisation (measured: 15 ms per 50,000 bookings), nor `id IN (the union)`, which
    joined the union back to all of them (bench/bookings_list.py: 58 ms). Being a UNION, the
    result may only be ordered, counted, sliced or narrowed to columns (`values_list`)."""
    text = text.replace("\x00", "").strip()[:SEARCH_LENGTH]
    if not text:
        return bookings
    customers = Customer.objects.filter(organisation_id=organisation_id).filter(
        Q(name__icontains=text) | Q(email__icontains=text)
    )
    mine = bookings.filter(organisation_id=organisation_id)
    ordering = bookings.query.order_by
    by_reference = mine.order_by().filter(reference__startswith=text.upper())
    by_customer = mine.order_by().filter(customer_id__in=customers.values("id"))
    return by_reference.union(by_customer).order_by(*ordering)
