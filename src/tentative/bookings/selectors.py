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
    mine = Booking.objects.filter(organisation_id=organisation_id)
    # A UNION of two indexed lookups, not one OR across two tables: with an OR PostgreSQL
    # scans every booking of the organisation (measured: 15 ms per 50,000 bookings).
    by_reference = mine.filter(reference__startswith=text.upper()).values("id")
    by_customer = mine.filter(customer_id__in=customers.values("id")).values("id")
    return bookings.filter(id__in=by_reference.union(by_customer))


# The planning of room sessions (bookings/planning.py), read by every face.
from tentative.bookings.planning import Cell, Planning, RoomRow, SessionBooking, planning  # noqa: E402

__all__ = ["Cell", "Planning", "RoomRow", "SessionBooking", "planning", "search"]
