"""What a confirmed booking's email carries: a code and a QR image per ticket, and an .ics.

A ticket's code is `<booking reference>-<line id>-<n>` (n from 1 to the line's quantity): it
can be read over the phone, and the door scanner finds the line from it without a lookup
table. The .ics has one VEVENT per dated line, with a TZID in the organisation's time zone
and the matching VTIMEZONE, so a calendar shows the wall-clock time the customer booked.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar
import segno

from tentative.bookings.models import Booking, BookingLine

# More tickets than this in one email are listed by code only (a group booking of 800 does
# not want 800 images); the codes are all in the text part either way.
MAX_QR_IMAGES = 100


@dataclass(frozen=True)
class Ticket:
    code: str
    line: BookingLine


def code_of(reference: str, line_id: int, number: int) -> str:
    return f"{reference}-{line_id}-{number}"


def ticket_codes(booking: Booking, lines: list[BookingLine]) -> list[Ticket]:
    return [
        Ticket(code_of(booking.reference, line.id, n), line)
        for line in sorted(lines, key=lambda ln: ln.id)
        for n in range(1, line.quantity + 1)
    ]


# What `ticket_codes` writes, read back by the door (typed or scanned): the reference's
# alphabet (no 0/O, 1/I), the line id and the place's number.
_CODE = re.compile(r"([A-Z2-9]{4,12})-(\d{1,18})-(\d{1,6})")


@dataclass(frozen=True)
class TicketCode:
    reference: str
    line_id: int
    number: int


def parse_code(text: str) -> TicketCode | None:
    """A ticket code as typed or scanned (any case, spaces around), or None if it cannot be
    one. The code is not signed: the booking's reference (40 random bits) is the secret."""
    match = _CODE.fullmatch((text or "").strip().upper())
    if match is None:
        return None
    return TicketCode(match[1], int(match[2]), int(match[3]))


def qr_png(code: str) -> bytes:
    """A plain QR code (never a micro QR: door scanners and phones read the full kind)."""
    buffer = io.BytesIO()
    segno.make(code, micro=False, error="m").save(buffer, kind="png", scale=5, border=4)
    return buffer.getvalue()


# An appointment's .ics says where the booking stands (issue 13 item 5): a request is
# TENTATIVE, a declined, expired or cancelled one CANCELLED, so the customer's calendar
# app updates or removes the event it already has (same UID, higher SEQUENCE).
ICS_STATUS = {
    "request": "TENTATIVE",
    "option": "TENTATIVE",
    "quote": "TENTATIVE",
    "confirmed": "CONFIRMED",
    "declined": "CANCELLED",
    "expired": "CANCELLED",
    "cancelled": "CANCELLED",
}


def ics(
    booking: Booking,
    lines: list[BookingLine],
    *,
    zone: ZoneInfo,
    now: datetime,
    status: str | None = None,
) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Tentative//bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    # Each later email of the booking carries a higher sequence (seconds since it was
    # made), so a calendar app takes the new time over the one it imported before.
    sequence = max(0, int((now - booking.created_at).total_seconds()))
    for line in sorted(lines, key=lambda ln: ln.id):
        event = icalendar.Event()
        event.add("uid", f"{booking.reference}-{line.id}@tentative")
        event.add("dtstamp", now.astimezone(UTC))
        if status is not None:
            event.add("status", status)
            event.add("sequence", sequence)
        event.add("dtstart", line.starts_at.astimezone(zone))
        event.add("dtend", line.ends_at.astimezone(zone))
        event.add("summary", line.title)
        if line.resource_id:
            event.add("location", line.resource_name)
        event.add("description", f"{line.quantity} × {line.item} — {booking.reference}")
        calendar.add_component(event)
    years = [ln.starts_at.year for ln in lines] or [now.year]
    # Only the years the booking spans: the VTIMEZONE stays a few lines long.
    calendar.add_missing_timezones(
        first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 1, 12, 31)
    )
    return calendar.to_ical()
