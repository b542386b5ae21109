"""Rooms and their sessions (issue 14): the rooms with their games, prices and session
times; the planning (every session of a range with its state); booking a session with its
players per category, from the planning or as the public pages do (`/sessions/online`);
changing the players; naming them. Moves are `/bookings/{ref}/move`.

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
from tentative.catalog.models import Resource
from tentative.core.states import State
from tentative.shared.errors import InvalidInput

router = Router(tags=["rooms"])
MAX_DAYS = 62
RANGE_MESSAGE = _("Give a range of days that ends on or after it starts, at most 62 days.")
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


class SessionOut(Schema):
    room_id: int
    game_id: int | None
    starts_at: datetime
    ends_at: datetime
    status: str = Field(
        description="free, past, or the state of the booking that blocks it: confirmed, "
        "option, request."
    )
    bookable: bool
    scheduled: bool = Field(description="False: a booking at a time the schedule does not offer.")
    bookings: list[PlanningBookingOut]


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
    today = timezone.localdate()
    schedule = catalog_selectors.room_schedules(
        actor.organisation_id,  # type: ignore[arg-type]
        first=today,
        last=today,
        zone=_zone(request),
        room_ids=[room_id],
    )[0]
    room = Resource.objects.prefetch_related("session_rules", "closed_days").get(id=room_id)
    return 200, RoomOut(**_room_out(room, schedule)).model_dump(mode="json")


@router.get("/planning", response={200: list[SessionOut], **READ_ERRORS})
def planning(request: HttpRequest, query: Query[PlanningQuery]) -> object:
    """Every session of the organisation's rooms from `first` to `last` (days in its zone),
    with its state and the bookings on it. Quotes never block: a session with only quotes
    on it is `free`."""
    actor = staff_actor(request)
    last = query.last or query.first
    if last < query.first or (last - query.first).days >= MAX_DAYS:
        raise InvalidInput(RANGE_MESSAGE)
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
    openapi_extra=refusals(("slot_taken",), ("not_a_session", *PLAYERS_REFUSALS)),
)
@idempotent
def book_session(request: HttpRequest, payload: SessionBookIn) -> Result:
    """Book a session: FIRM (`confirmed`) blocks it, a `quote` does not, an `option`
    blocks it until its deadline (the game's option days). A new customer (by name) is
    created with the booking, or not at all."""
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
