"""The planning of room sessions (seed 004): every room's sessions over a range of days,
each with the bookings on it and what they mean for the slot.

A session is *free* unless a booking blocks it: a firm booking, an option (until its
enforced limit: one past it whose action there is "release" no longer blocks, DESIGN §2.2
invariant 6, even before the sweep runs), or a request that holds. Quotes never block: they
are listed on the session, which stays free. Bookings at a time that is not on the schedule
(moved there by staff, or on a day closed since) appear as sessions of their own, so that
nothing booked is ever hidden.

Seven queries whatever the range, the rooms or the bookings (pinned by a test): the rooms,
their rules, their closed days, their games and the games' prices, then every line of those
rooms in the range, then the live bookings among theirs with their customers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tentative.bookings.models import Booking, BookingLine
from tentative.catalog.models import Resource, Service
from tentative.catalog.selectors import RoomSchedule, room_schedules
from tentative.core.deadlines import AtLimit, lapsed
from tentative.core.states import State

LIVE = (State.QUOTE, State.REQUEST, State.OPTION, State.CONFIRMED)
BLOCKING_ORDER = {State.CONFIRMED: 0, State.OPTION: 1, State.REQUEST: 2}


class Status:
    FREE = "free"
    FIRM = "confirmed"
    OPTION = "option"
    REQUEST = "request"
    PAST = "past"
    CLOSED = "closed"


@dataclass
class SessionBooking:
    booking: Booking
    players: int
    blocks: bool
    lapsed: bool  # an option past its enforced limit: shown, but it no longer blocks


@dataclass
class Cell:
    room: Resource
    service: Service | None
    starts_at: datetime
    ends_at: datetime
    scheduled: bool
    past: bool
    bookings: list[SessionBooking] = field(default_factory=list)

    @property
    def blocking(self) -> SessionBooking | None:
        holders = [b for b in self.bookings if b.blocks]
        holders.sort(key=lambda b: BLOCKING_ORDER.get(b.booking.state_enum, 9))
        return holders[0] if holders else None

    @property
    def quotes(self) -> list[SessionBooking]:
        return [b for b in self.bookings if b.booking.state == State.QUOTE]

    @property
    def others(self) -> list[SessionBooking]:
        """Bookings on the session that do not block it: quotes, lapsed options, requests
        that hold nothing."""
        return [b for b in self.bookings if not b.blocks]

    @property
    def status(self) -> str:
        holder = self.blocking
        if holder is not None:
            return holder.booking.state
        return Status.PAST if self.past else Status.FREE

    @property
    def bookable(self) -> bool:
        return self.blocking is None and not self.past and self.service is not None


@dataclass
class RoomRow:
    schedule: RoomSchedule
    cells: list[Cell]

    @property
    def room(self) -> Resource:
        return self.schedule.room

    def on(self, day: date, zone: ZoneInfo) -> list[Cell]:
        return [c for c in self.cells if c.starts_at.astimezone(zone).date() == day]


@dataclass
class Planning:
    first: date
    last: date
    zone: ZoneInfo
    rows: list[RoomRow]

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def planning(
    organisation_id: int,
    *,
    first: date,
    last: date,
    zone: ZoneInfo,
    now: datetime,
    room_ids: list[int] | None = None,
) -> Planning:
    schedules = room_schedules(
        organisation_id, first=first, last=last, zone=zone, room_ids=room_ids
    )
    by_room = {s.room.id: s for s in schedules}
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    # The lines alone, as tuples, by the (resource, start) index; then their live bookings
    # by primary key. One query joining the two made PostgreSQL hash the whole bookings
    # table (a sequential scan growing with every year of history) for the thousand lines
    # of a week, and built three model instances per line (docs/rooms.md, "Measured").
    lines = list(
        BookingLine.objects.filter(
            resource_id__in=list(by_room), starts_at__gte=start, starts_at__lt=end
        )
        .order_by("starts_at", "booking_id", "id")
        .values_list("booking_id", "resource_id", "starts_at", "service_id", "quantity")
    )
    bookings = (
        Booking.objects.filter(
            organisation_id=organisation_id,
            state__in=[s.value for s in LIVE],
            id__in={line[0] for line in lines},
        )
        .select_related("customer")
        .in_bulk()
        if lines
        else {}
    )
    booked: dict[int, dict[datetime, dict[int, SessionBooking]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    services: dict[tuple[int, datetime], int | None] = {}
    for booking_id, room_id, starts_at, service_id, quantity in lines:
        booking = bookings.get(booking_id)
        if booking is None:  # not live
            continue
        services.setdefault((room_id, starts_at), service_id)
        entry = booked[room_id][starts_at].get(booking_id)
        if entry is None:
            gone = booking.holds_capacity and lapsed(
                booking.deadline_enforced, AtLimit(booking.at_limit), now
            )
            entry = SessionBooking(booking, 0, booking.holds_capacity and not gone, gone)
            booked[room_id][starts_at][booking_id] = entry
        entry.players += quantity
    rows = []
    for schedule in schedules:
        cells: dict[datetime, Cell] = {}
        for session in schedule.sessions:
            cells[session.starts_at] = Cell(
                room=schedule.room,
                service=session.service,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                scheduled=True,
                past=session.starts_at <= now,
            )
        room_id = schedule.room.id
        for starts_at, entries in booked.get(room_id, {}).items():
            cell = cells.get(starts_at)
            if cell is None:
                service = next(
                    (s for s in schedule.services if s.id == services[(room_id, starts_at)]),
                    None,
                )
                ends = starts_at + (service.duration if service else timedelta(hours=1))
                cell = cells[starts_at] = Cell(
                    room=schedule.room,
                    service=service,
                    starts_at=starts_at,
                    ends_at=ends,
                    scheduled=False,
                    past=starts_at <= now,
                )
            cell.bookings = list(entries.values())
        rows.append(RoomRow(schedule, [cells[k] for k in sorted(cells)]))
    return Planning(first, last, zone, rows)
