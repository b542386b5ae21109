"""Reads of bookings shared by every face."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet

from tentative.accounts.models import Customer
from tentative.bookings.availability import FreeSlot, by_start, free_slots, hours_of, slot_refusal
from tentative.bookings.models import Booking, BookingLine

# Availability (issue 13): free start times of a service, for one staff member or room or
# for "any"; why a start cannot be booked; each resource's hours as the core reads them.
__all__ = [
    "DIARY_STATES",
    "FreeSlot",
    "appointments",
    "by_start",
    "free_slots",
    "hours_of",
    "search",
    "slot_refusal",
]

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


# The states a diary shows (issue 13 item 4): what is asked for, held, or firm. Declined,
# expired and cancelled appointments leave the calendar; quotes hold no one's time.
DIARY_STATES = ("request", "option", "confirmed")


def appointments(
    organisation_id: int,
    *,
    start: datetime,
    end: datetime,
    resource_ids: Iterable[int] | None = None,
    states: Iterable[str] = DIARY_STATES,
) -> QuerySet[BookingLine]:
    """The staff members' appointments of an organisation that overlap [start, end), with
    what a calendar writes about each (booking, customer, service, price, staff member):
    one query, by the `line_by_resource` index."""
    lines = (
        BookingLine.objects.filter(
            booking__organisation_id=organisation_id,
            resource__kind="staff",
            booking__state__in=list(states),
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .select_related("booking", "booking__customer", "service", "service_price", "resource")
        .order_by("starts_at", "id")
    )
    if resource_ids is not None:
        lines = lines.filter(resource_id__in=list(resource_ids))
    return lines
