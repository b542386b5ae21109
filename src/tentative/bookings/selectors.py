"""Reads of bookings shared by every face."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet, Sum

from tentative.accounts.models import Customer
from tentative.bookings.availability import (
    FreeSlot,
    by_start,
    free_slots,
    free_starts_of,
    hours_of,
    slot_refusal,
)
from tentative.bookings.models import Booking, BookingLine
from tentative.core.deadlines import AtLimit
from tentative.core.states import State
from tentative.inventory.models import CapacityPool, Hold

# Availability (issue 13): free start times of a service, for one staff member or room or
# for "any"; why a start cannot be booked; each resource's hours as the core reads them.
__all__ = [
    "DIARY_STATES",
    "FreeSlot",
    "appointments",
    "by_start",
    "free_slots",
    "free_starts_of",
    "hours_of",
    "search",
    "slot_refusal",
]

LAPSABLE = [State.QUOTE.value, State.REQUEST.value, State.OPTION.value]

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


@dataclass(frozen=True)
class DateAvailability:
    """Places a visitor may still take on one date: the date's own pool and, per ticket
    type with a quota, the quota's. A hint read without locks; the take decides."""

    date_id: int
    on_sale: bool
    free: int
    quotas: dict[int, int]  # ticket type id -> places left in its quota on this date

    def for_type(self, ticket_type_id: int) -> int:
        if not self.on_sale:
            return 0
        return max(0, min(self.free, self.quotas.get(ticket_type_id, self.free)))


def availability(date_ids: Iterable[int], *, now: datetime) -> dict[int, DateAvailability]:
    """Free places per date and ticket type for general sale (reserves are not public).

    Places held by options past their enforced limit whose action there is "release" count
    as free (invariant 6: the next booking reclaims them even before the sweep runs), so
    a lapsed checkout hold shows its places again at once. Two queries for any number of
    dates."""
    ids = sorted(set(date_ids))
    pools = list(
        CapacityPool.objects.filter(event_date_id__in=ids, reserve=None).values_list(
            "id", "event_date_id", "ticket_type_id", "capacity", "taken", "set_aside"
        )
    )
    lapsed = dict(
        Hold.objects.filter(
            pool_id__in=[row[0] for row in pools],
            line__booking__holds_capacity=True,
            line__booking__state__in=LAPSABLE,
            line__booking__at_limit=AtLimit.RELEASE.value,
            line__booking__deadline_enforced__lte=now,
        )
        .values_list("pool_id")
        .annotate(back=Sum("quantity"))
        .values_list("pool_id", "back")
    )
    found: dict[int, DateAvailability] = {
        date_id: DateAvailability(date_id, on_sale=False, free=0, quotas={}) for date_id in ids
    }
    general: dict[int, int] = {}
    quotas: dict[int, dict[int, int]] = {}
    for pool_id, date_id, ticket_type_id, capacity, taken, set_aside in pools:
        free = capacity - taken - set_aside + lapsed.get(pool_id, 0)
        if ticket_type_id is None:
            general[date_id] = free
        else:
            quotas.setdefault(date_id, {})[ticket_type_id] = free
    for date_id, free in general.items():
        found[date_id] = DateAvailability(
            date_id, on_sale=True, free=max(0, free), quotas=quotas.get(date_id, {})
        )
    return found


def checkout_hold(organisation_id: int, token: str) -> Booking | None:
    """The booking a public checkout token names (None: unknown, tampered or used)."""
    if not token or len(token) > 64 or "\x00" in token:
        return None
    return (
        Booking.objects.filter(organisation_id=organisation_id, checkout_token=token)
        .select_related("organisation")
        .first()
    )


def hold_lapsed(booking: Booking, now: datetime) -> bool:
    """Whether a checkout hold can no longer be completed: ended, or past its limit."""
    if booking.state not in (State.OPTION.value, State.REQUEST.value):
        return True
    return booking.deadline_enforced is not None and booking.deadline_enforced <= now


def submitted(organisation_id: int, reference: str) -> Booking | None:
    """A booking submitted through the public checkout (its done page)."""
    if "\x00" in reference:
        return None
    return (
        Booking.objects.filter(organisation_id=organisation_id, reference=reference)
        .exclude(checkout_mode="")
        .select_related("customer", "organisation")
        .first()
    )


# The planning of room sessions (bookings/planning.py), read by every face.
# Session photos (bookings/photos.py): a booking's, a day's.
from tentative.bookings.photos import PhotoRow, booking_photos, day_photos  # noqa: E402
from tentative.bookings.planning import Cell, Planning, RoomRow, SessionBooking, planning  # noqa: E402

__all__ = [
    "Cell",
    "PhotoRow",
    "Planning",
    "RoomRow",
    "SessionBooking",
    "booking_photos",
    "day_photos",
    "planning",
    "search",
]
