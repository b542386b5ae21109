"""Rooms and their sessions (issue 14): the rooms with their games, prices and session
times, changed with `POST /rooms/{id}` (only what is sent; whether it sells places too)
and its price categories with `POST /rooms/{id}/prices`; the planning (every session of
a range with its state, and a room that sells places with its places taken); booking a
session with its players per category, from the planning or as the public pages do
(`/sessions/online`); changing the players; naming them. Moves are `/bookings/{ref}/move`.

Thin shells over the actions; every POST takes an `Idempotency-Key`."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from tentative.accounts.actions import CustomerData
from tentative.accounts.models import Organisation
from tentative.api.access import staff_actor
from tentative.api.idempotency import Result, idempotent
from tentative.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    BodyId,
    BodyInt,
    BookingOut,
    Id,
    LongText,
    Reference,
    When,
    refusals,
)
from tentative.bookings import actions
from tentative.bookings import selectors as booking_selectors
from tentative.bookings.access import access_booking_by_reference
from tentative.bookings.actions import MAX_QUANTITY
from tentative.bookings.models import Booking
from tentative.catalog import actions as catalog
from tentative.catalog import selectors as catalog_selectors
from tentative.catalog.models import Resource, Service
from tentative.core.states import State
from tentative.inventory import actions as inventory
from tentative.shared.errors import InvalidInput, NotFound

router = Router(tags=["rooms"])
MAX_DAYS = 62
RANGE_MESSAGE = _("Give a range of days that ends on or after it starts, at most 62 days.")
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
YEARS_MESSAGE = _("Give days between the years 1900 and 2999.")
PLAYERS_REFUSALS = (
    "players_out_of_range",
    "players_unchanged",
    "players_named",
    "unknown_category",
)


class RoomPriceOut(Schema):
    id: int
    name: str
    price: Decimal
    per_group: bool


class RoomRuleOut(Schema):
    weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday.")
    times: list[str] = Field(description="Start times, HH:MM in the organisation's zone.")
    starts_on: date | None
    ends_on: date | None


class RoomGameOut(Schema):
    id: int
    name: str
    duration_minutes: int
    reset_minutes: int
    min_players: int
    max_players: int
    option_days: int | None
    prices: list[RoomPriceOut]
    places_per_session: int | None = Field(
        description="The room sells this many places per session (several groups share it); "
        "null: each session is booked whole."
    )
    places_event_id: int | None = Field(
        description="A room that sells places: the event whose dates are its sessions "
        "(book places with POST /bookings on a date and a ticket type)."
    )


class RoomOut(Schema):
    id: int
    name: str
    games: list[RoomGameOut]
    rules: list[RoomRuleOut]
    closed_days: list[date]


class RoomCategoryIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    per_group: bool = False


class RoomScheduleIn(Schema):
    weekdays: list[Annotated[BodyInt, Field(ge=0, le=6)]] = Field(min_length=1, max_length=7)
    times: str = Field(max_length=400, description="HH:MM separated by spaces.")
    starts_on: date | None = None
    ends_on: date | None = None


class RoomIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    game: str = Field("", max_length=200, description="The game's name; the room's if empty.")
    duration_minutes: int = Field(ge=1, le=24 * 60, strict=True)
    reset_minutes: int = Field(0, ge=0, le=24 * 60, strict=True)
    min_players: int = Field(1, ge=1, le=1000, strict=True)
    max_players: int = Field(6, ge=1, le=1000, strict=True)
    option_days: int = Field(7, ge=1, le=365, strict=True)
    categories: list[RoomCategoryIn] = Field(min_length=1, max_length=20)
    schedules: list[RoomScheduleIn] = Field(default_factory=list, max_length=20)


class RoomChangesIn(Schema):
    """Only what is sent changes; `schedules`, when sent, replaces every rule."""

    name: str | None = Field(None, min_length=1, max_length=200)
    game: str | None = Field(None, max_length=200)
    duration_minutes: int | None = Field(None, ge=1, le=24 * 60, strict=True)
    reset_minutes: int | None = Field(None, ge=0, le=24 * 60, strict=True)
    min_players: int | None = Field(None, ge=1, le=1000, strict=True)
    max_players: int | None = Field(None, ge=1, le=1000, strict=True)
    option_days: int | None = Field(None, ge=0, le=365, strict=True)
    schedules: list[RoomScheduleIn] | None = Field(None, max_length=20)
    places_per_session: int | None = Field(
        None,
        ge=1,
        le=1000,
        strict=True,
        description="Sell this many places per session; null: back to whole-room sessions "
        "(dates already booked stay). Absent: unchanged.",
    )


class RoomPriceIn(Schema):
    id: BodyId | None = Field(None, description="The category changed; absent: a new one.")
    name: str = Field(min_length=1, max_length=100)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    per_group: bool = False


class RoomPricesIn(Schema):
    categories: list[RoomPriceIn] = Field(
        min_length=1,
        max_length=50,
        description="Every category, in order; one left out is removed (retired if it was "
        "sold: sold bookings keep it and their price).",
    )


class RoomClosedDayIn(Schema):
    day: date
    note: str = Field("", max_length=200)
    reopen: bool = False


class PlanningQuery(Schema):
    first: date = Field(description="First day, in the organisation's zone.")
    last: date | None = Field(None, description="Last day (included); the first if omitted.")
    room_id: Id | None = None


class PlanningBookingOut(Schema):
    reference: str
    state: str
    blocks: bool
    lapsed: bool
    players: int
    customer: str | None
    deadline: datetime | None


class PlacesOut(Schema):
    date_id: int
    taken: int
    capacity: int


class SessionOut(Schema):
    room_id: int
    game_id: int | None
    starts_at: datetime
    ends_at: datetime
    status: str = Field(
        description="free, past, or the state of the booking that blocks it: confirmed, "
        "option, request; for a room that sells places: free, full, not_on_sale, past."
    )
    bookable: bool
    scheduled: bool = Field(description="False: a booking at a time the schedule does not offer.")
    bookings: list[PlanningBookingOut]
    places: PlacesOut | None = Field(
        None,
        description="A room that sells places: the session's date and its places taken out of "
        "its capacity (status `full` when none is left, `not_on_sale` before its date exists).",
    )


class SessionBookIn(Schema):
    room_id: BodyId
    starts_at: When
    players: dict[int, Annotated[BodyInt, Field(ge=0, le=MAX_QUANTITY)]] = Field(
        description="Price category id → players.", max_length=50
    )
    mode: str = Field(description="confirmed (firm), quote or option.")
    customer_id: BodyId | None = None
    new_customer_name: str = Field("", max_length=200)
    new_customer_email: str = Field("", max_length=254)
    notify: bool = Field(True, description="Send the confirmation now.")
    note: LongText = ""


class OnlineSessionIn(Schema):
    room_id: BodyId
    starts_at: When
    players: dict[int, Annotated[BodyInt, Field(ge=0, le=MAX_QUANTITY)]] = Field(
        description="Price category id → players.", max_length=50
    )
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    phone: str = Field("", max_length=40)
    language: str = Field("", max_length=8)


class PlayersIn(Schema):
    players: dict[int, Annotated[BodyInt, Field(ge=0, le=MAX_QUANTITY)]] = Field(
        description="Every category's players; absent: none.", max_length=50
    )
    reason: LongText = ""


class PlayerNamesIn(Schema):
    names: dict[int, list[Annotated[str, Field(max_length=200)]]] = Field(
        description="Booking line id → the players' names.", max_length=50
    )


def _room_out(room: Resource, schedule: Any) -> dict[str, Any]:
    return {
        "id": room.id,
        "name": room.name,
        "games": [
            {
                "id": s.id,
                "name": s.name,
                "duration_minutes": int(s.duration.total_seconds() // 60),
                "reset_minutes": int(s.buffer_after.total_seconds() // 60),
                "min_players": s.min_participants,
                "max_players": s.max_participants,
                "option_days": s.deadline_days_after_booking,
                "prices": list(s.prices.all()),
                "places_per_session": s.places_per_session,
                "places_event_id": s.places_event_id,
            }
            for s in schedule.services
        ],
        "rules": [
            {
                "weekdays": [int(d) for d in r.weekdays],
                "times": r.times.split(),
                "starts_on": r.starts_on,
                "ends_on": r.ends_on,
            }
            for r in room.session_rules.all()
        ],
        "closed_days": [c.day for c in room.closed_days.all()],
    }


def _zone(request: HttpRequest) -> Any:
    return Organisation.objects.get(id=staff_actor(request).organisation_id).zone


@router.get("/rooms", response={200: list[RoomOut], **READ_ERRORS})
def rooms(request: HttpRequest) -> object:
    actor = staff_actor(request)
    today = timezone.localdate()
    schedules = catalog_selectors.room_schedules(
        actor.organisation_id,  # type: ignore[arg-type]
        first=today,
        last=today,
        zone=_zone(request),
    )
    found = Resource.objects.filter(id__in=[s.room.id for s in schedules]).prefetch_related(
        "session_rules", "closed_days"
    )
    by_id = {r.id: r for r in found}
    return [_room_out(by_id[s.room.id], s) for s in schedules]


@router.post(
    "/rooms",
    response={201: RoomOut, **WRITE_ERRORS},
    openapi_extra=refusals((), ("invalid_terms",)),
)
@idempotent
def create_room(request: HttpRequest, payload: RoomIn) -> Result:
    actor = staff_actor(request)
    room = catalog.create_room(
        actor.organisation_id,  # type: ignore[arg-type]
        actor=actor,
        spec=catalog.RoomSpec(
            name=payload.name,
            game=payload.game,
            duration=timedelta(minutes=payload.duration_minutes),
            reset=timedelta(minutes=payload.reset_minutes),
            min_players=payload.min_players,
            max_players=payload.max_players,
            option_days=payload.option_days,
            categories=tuple(
                catalog.Category(c.name, c.price, c.per_group) for c in payload.categories
            ),
            schedules=tuple(
                catalog.Schedule(frozenset(s.weekdays), s.times, s.starts_on, s.ends_on)
                for s in payload.schedules
            ),
        ),
    )
    today = timezone.localdate()
    schedule = catalog_selectors.room_schedules(
        room.organisation_id, first=today, last=today, zone=_zone(request), room_ids=[room.id]
    )[0]
    return 201, RoomOut(**_room_out(room, schedule)).model_dump(mode="json")


@router.post(
    "/rooms/{room_id}/closed_days",
    response={200: RoomOut, **WRITE_ERRORS},
    openapi_extra=refusals(),
)
@idempotent
def close_day(request: HttpRequest, room_id: Id, payload: RoomClosedDayIn) -> Result:
    actor = staff_actor(request)
    catalog.close_room_day(
        room_id, payload.day, actor=actor, note=payload.note, reopen=payload.reopen
    )
    _room, game = _room_and_game(actor, room_id)
    inventory.sync_place_dates(game.id, actor=actor)
    return 200, _room_answer(request, room_id)


def _room_answer(request: HttpRequest, room_id: int) -> dict[str, Any]:
    actor = staff_actor(request)
    today = timezone.localdate()
    schedule = catalog_selectors.room_schedules(
        actor.organisation_id,  # type: ignore[arg-type]
        first=today,
        last=today,
        zone=_zone(request),
        room_ids=[room_id],
    )[0]
    room = Resource.objects.prefetch_related("session_rules", "closed_days").get(id=room_id)
    return RoomOut(**_room_out(room, schedule)).model_dump(mode="json")


def _room_and_game(actor: Any, room_id: int) -> tuple[Resource, Service]:
    room = Resource.objects.filter(
        id=room_id, organisation_id=actor.organisation_id, kind=Resource.Kind.ROOM
    ).first()
    game = room.services.filter(kind=Service.Kind.ROOM_SESSION).first() if room else None
    if room is None or game is None:
        raise NotFound()
    return room, game


@router.post(
    "/rooms/{room_id}",
    response={200: RoomOut, **WRITE_ERRORS},
    openapi_extra=refusals((), ("invalid_terms",)),
)
@idempotent
def update_room(request: HttpRequest, room_id: Id, payload: RoomChangesIn) -> Result:
    """Change a room, its game, its weekly rules (replaced as a whole when sent) and whether
    it sells places; what is not sent keeps its value. Bookings already made keep their
    session and price. A room that sells places has its dates made at once (and a day
    further each day by the worker)."""
    actor = staff_actor(request)
    room, game = _room_and_game(actor, room_id)
    sent = payload.model_fields_set
    schedules = (
        tuple(
            catalog.Schedule(frozenset(s.weekdays), s.times, s.starts_on, s.ends_on)
            for s in payload.schedules or []
        )
        if "schedules" in sent
        else tuple(
            catalog.Schedule(frozenset(int(d) for d in r.weekdays), r.times, r.starts_on, r.ends_on)
            for r in room.session_rules.all()
        )
    )

    def minutes(value: int | None, current: timedelta) -> timedelta:
        return current if value is None else timedelta(minutes=value)

    catalog.update_room(
        room.id,
        actor=actor,
        changes=catalog.RoomChanges(
            name=payload.name if payload.name is not None else room.name,
            game=payload.game if payload.game is not None else game.name,
            duration=minutes(payload.duration_minutes, game.duration),
            reset=minutes(payload.reset_minutes, game.buffer_after),
            min_players=payload.min_players or game.min_participants,
            max_players=payload.max_players or game.max_participants,
            option_days=payload.option_days
            if payload.option_days is not None
            else game.deadline_days_after_booking or 0,
            schedules=schedules,
            places=payload.places_per_session
            if "places_per_session" in sent
            else game.places_per_session,
        ),
        # What was not sent is read again under the room's lock: two partial changes at
        # once never undo each other.
        keep=frozenset(
            field
            for name, field in _CHANGE_FIELDS.items()
            if name not in sent or (getattr(payload, name) is None and name != "places_per_session")
        ),
    )
    inventory.sync_place_dates(game.id, actor=actor)
    return 200, _room_answer(request, room.id)


# The API's names of a room's settings → `catalog.RoomChanges`' fields.
_CHANGE_FIELDS = {
    "name": "name",
    "game": "game",
    "duration_minutes": "duration",
    "reset_minutes": "reset",
    "min_players": "min_players",
    "max_players": "max_players",
    "option_days": "option_days",
    "schedules": "schedules",
    "places_per_session": "places",
}


@router.post(
    "/rooms/{room_id}/prices",
    response={200: RoomOut, **WRITE_ERRORS},
    openapi_extra=refusals((), ("invalid_terms",)),
)
@idempotent
def set_prices(request: HttpRequest, room_id: Id, payload: RoomPricesIn) -> Result:
    """Set the room's price categories: add, rename, re-price, per player or per group,
    remove. A refusal names the row: `fields` has `name_<i>` / `price_<i>` (from 0)."""
    actor = staff_actor(request)
    room, game = _room_and_game(actor, room_id)
    catalog.set_room_prices(
        room.id,
        actor=actor,
        rows=tuple(
            catalog.PriceRow(name=c.name, price=c.price, per_group=c.per_group, id=c.id)
            for c in payload.categories
        ),
    )
    inventory.sync_place_dates(game.id, actor=actor)
    return 200, _room_answer(request, room.id)


@router.get("/planning", response={200: list[SessionOut], **READ_ERRORS})
def planning(request: HttpRequest, query: Query[PlanningQuery]) -> object:
    """Every session of the organisation's rooms from `first` to `last` (days in its zone),
    with its state and the bookings on it. Quotes never block: a session with only quotes
    on it is `free`."""
    actor = staff_actor(request)
    last = query.last or query.first
    if last < query.first or (last - query.first).days >= MAX_DAYS:
        raise InvalidInput(RANGE_MESSAGE)
    if not EARLIEST <= query.first <= last <= LATEST:
        # Day 1 or 9999-12-31 in a zone east or west of UTC has no UTC datetime (a 500).
        raise InvalidInput(YEARS_MESSAGE)
    grid = booking_selectors.planning(
        actor.organisation_id,  # type: ignore[arg-type]
        first=query.first,
        last=last,
        zone=_zone(request),
        now=timezone.now(),
        room_ids=[query.room_id] if query.room_id else None,
    )
    return [
        {
            "room_id": cell.room.id,
            "game_id": cell.service.id if cell.service else None,
            "starts_at": cell.starts_at,
            "ends_at": cell.ends_at,
            "status": cell.status,
            "bookable": cell.bookable,
            "scheduled": cell.scheduled,
            "places": (
                {
                    "date_id": cell.places.date_id,
                    "taken": cell.places.taken,
                    "capacity": cell.places.capacity,
                }
                if cell.places is not None
                else None
            ),
            "bookings": [
                {
                    "reference": b.booking.reference,
                    "state": b.booking.state,
                    "blocks": b.blocks,
                    "lapsed": b.lapsed,
                    "players": b.players,
                    "customer": b.booking.customer.name if b.booking.customer else None,
                    "deadline": b.booking.deadline_shown,
                }
                for b in cell.bookings
            ],
        }
        for row in grid.rows
        for cell in row.cells
    ]


def _out(status: int, booking: Booking) -> Result:
    booking = Booking.objects.prefetch_related("lines").get(id=booking.id)
    return status, BookingOut.from_orm(booking).model_dump(mode="json")


@router.post(
    "/sessions",
    response={201: BookingOut, **WRITE_ERRORS},
    openapi_extra=refusals(("slot_taken", "sells_places"), ("not_a_session", *PLAYERS_REFUSALS)),
)
@idempotent
def book_session(request: HttpRequest, payload: SessionBookIn) -> Result:
    """Book a session: FIRM (`confirmed`) blocks it, a `quote` does not, an `option`
    blocks it until its deadline (the game's option days). A new customer (by name) is
    created with the booking, or not at all. A room that sells places is refused
    (`sells_places`): book places with `POST /bookings` on the session's date."""
    actor = staff_actor(request)
    if payload.mode not in [m.value for m in actions.SESSION_MODES]:
        raise InvalidInput(_("A session is booked firm, as a quote or as an option."))
    new = None
    if payload.customer_id is None and payload.new_customer_name.strip():
        new = CustomerData(name=payload.new_customer_name, email=payload.new_customer_email)
    booking = actions.book_session(
        actor=actor,
        organisation_id=actor.organisation_id,  # type: ignore[arg-type]
        room_id=payload.room_id,
        starts_at=payload.starts_at,
        players=payload.players,
        mode=State(payload.mode),
        customer_id=payload.customer_id,
        new_customer=new,
        notify=payload.notify,
        note=payload.note,
    )
    return _out(201, booking)


@router.post(
    "/sessions/online",
    response={201: BookingOut, **WRITE_ERRORS},
    openapi_extra=refusals(
        ("slot_taken",),
        ("not_a_session", "session_started", "too_many_open", *PLAYERS_REFUSALS),
    ),
)
@idempotent
def book_session_online(request: HttpRequest, payload: OnlineSessionIn) -> Result:
    """Book a session for a customer as the public pages do (a partner's site, a kiosk):
    the customer found by email or created; an `option` held 30 minutes for the payment
    (released by itself at that limit; pay it through `/payments`), a `request` for a
    game the organiser approves, `confirmed` when it costs nothing."""
    actor = staff_actor(request)
    booking = actions.book_session_online(
        actor=actor,
        organisation_id=actor.organisation_id,  # type: ignore[arg-type]
        room_id=payload.room_id,
        starts_at=payload.starts_at,
        players=payload.players,
        contact=actions.Contact(
            name=payload.name, email=payload.email, phone=payload.phone, language=payload.language
        ),
    )
    return _out(201, booking)


@router.post(
    "/bookings/{reference}/players",
    response={200: BookingOut, **WRITE_ERRORS},
    openapi_extra=refusals(("illegal_transition", "lapsed"), PLAYERS_REFUSALS),
)
@idempotent
def change_players(request: HttpRequest, reference: Reference, payload: PlayersIn) -> Result:
    """Set every category's players; the total is recomputed (the balance follows: an
    overpayment can be kept as a coupon with `/bookings/{reference}/vouchers/overpayment`)."""
    actor = staff_actor(request)
    booking = access_booking_by_reference(actor, reference)
    return _out(
        200,
        actions.change_players(
            booking.id, actor=actor, players=payload.players, reason=payload.reason
        ),
    )


@router.post(
    "/bookings/{reference}/players/names",
    response={200: BookingOut, **WRITE_ERRORS},
    openapi_extra=refusals(),
)
@idempotent
def name_players(request: HttpRequest, reference: Reference, payload: PlayerNamesIn) -> Result:
    actor = staff_actor(request)
    booking = access_booking_by_reference(actor, reference)
    return _out(200, actions.name_players(booking.id, actor=actor, names=payload.names))


__all__ = ["router"]
