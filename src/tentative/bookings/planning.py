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

A room that sells places (docs/rooms.md "Whole room, or places") shows each session with
its places taken out of its capacity, read from the dates' pools in one more query (only
when such a room is on the page); a date booked at a time the schedule no longer offers is
shown as a session of its own, like an off-schedule booking.
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
from tentative.inventory.models import CapacityPool

LIVE = (State.QUOTE, State.REQUEST, State.OPTION, State.CONFIRMED)
BLOCKING_ORDER = {State.CONFIRMED: 0, State.OPTION: 1, State.REQUEST: 2}


class Status:
    FREE = "free"
    FIRM = "confirmed"
    OPTION = "option"
    REQUEST = "request"
    PAST = "past"
    CLOSED = "closed"
    FULL = "full"  # a session that sells places, every place taken
    NOT_ON_SALE = "not_on_sale"  # a session that sells places, beyond the dates made yet


@dataclass(frozen=True)
class Places:
    """A session of a room that sells places: its date and what its pool holds."""

    date_id: int
    taken: int
    capacity: int
    set_aside: int = 0  # kept for a capacity reserve: not for sale either

    @property
    def full(self) -> bool:
        return self.taken + self.set_aside >= self.capacity


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
    # Set when the room sells places and the session is on sale (a date exists for it).
    places: Places | None = None

    @property
    def sells_places(self) -> bool:
        return self.service is not None and self.service.places_per_session is not None

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
        if self.past:
            return Status.PAST
        if self.sells_places and self.places is None:
            return Status.NOT_ON_SALE
        return Status.FULL if self.places is not None and self.places.full else Status.FREE

    @property
    def bookable(self) -> bool:
        if self.sells_places:
            return self.places is not None and not self.places.full and not self.past
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
    places = _places(schedules, start, end)
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
        for service in schedule.services:
            for starts_at, count in places.get(service.places_event_id or 0, {}).items():
                cell = cells.get(starts_at)
                if cell is None or cell.service is None or cell.service.id != service.id:
                    if not count.taken:
                        continue  # a date nobody booked, no longer on the schedule
                    cell = cells[starts_at] = Cell(
                        room=schedule.room,
                        service=service,
                        starts_at=starts_at,
                        ends_at=starts_at + service.duration,
                        scheduled=False,
                        past=starts_at <= now,
                    )
                cell.places = count
        rows.append(RoomRow(schedule, [cells[k] for k in sorted(cells)]))
    return Planning(first, last, zone, rows)


def _places(
    schedules: list[RoomSchedule], start: datetime, end: datetime
) -> dict[int, dict[datetime, Places]]:
    """event id → session start → its places, for the games that sell places."""
    events = [
        s.places_event_id
        for schedule in schedules
        for s in schedule.services
        if s.places_event_id is not None
    ]
    if not events:
        return {}
    found: dict[int, dict[datetime, Places]] = defaultdict(dict)
    for event_id, starts_at, date_id, taken, capacity, set_aside in CapacityPool.objects.filter(
        event_date__event_id__in=events,
        event_date__starts_at__gte=start,
        event_date__starts_at__lt=end,
        ticket_type=None,
        reserve=None,
    ).values_list(
        "event_date__event_id",
        "event_date__starts_at",
        "event_date_id",
        "taken",
        "capacity",
        "set_aside",
    ):
        found[event_id][starts_at] = Places(date_id, taken, capacity, set_aside)
    return found
