"""The staff dashboard's counters, counted by one query each time (never cached numbers)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q

from tentative.bookings.models import LINE_WORDS, Booking, BookingLine
from tentative.core.states import State
from tentative.notifications.tickets import qr_png, ticket_codes

EXPIRING_WITHIN = timedelta(hours=48)


def dashboard_counts(organisation_id: int, *, now: datetime) -> dict[str, int]:
    """Pending requests, options whose deadline falls within 48 h, and overdue options.

    "Overdue" counts every option past its shown deadline: under the flexible policy they
    wait for staff; under the strict one they are about to be released by the sweep.
    """
    option = Q(state=State.OPTION.value)
    request = Q(state=State.REQUEST.value)
    # Appointment requests (issue 13): the calendar's "pending" filter; in the same query.
    with_staff = Exists(
        BookingLine.objects.filter(booking_id=OuterRef("pk"), resource__kind="staff")
    )
    return Booking.objects.filter(organisation_id=organisation_id).aggregate(
        pending_requests=Count("id", filter=request),
        pending_appointments=Count("id", filter=request & Q(with_staff)),
        expiring_soon=Count(
            "id",
            filter=option & Q(deadline_shown__gt=now, deadline_shown__lte=now + EXPIRING_WITHIN),
        ),
        overdue=Count("id", filter=option & Q(deadline_shown__lte=now)),
    )


def tickets_of(booking: Booking) -> list[tuple[str, BookingLine]]:
    """A confirmed booking's tickets, (code, line) each, as its confirmation email lists
    them (the same codes the door reads): the personal space shows them with a QR code."""
    if booking.state != State.CONFIRMED.value:
        return []
    lines = list(booking.lines.select_related(*LINE_WORDS).order_by("id"))
    return [(t.code, t.line) for t in ticket_codes(booking, lines)]


def ticket_qr_png(code: str) -> bytes:
    return qr_png(code)
