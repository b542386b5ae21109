"""Capacity reserves (seed 002): set them up, move places in and out, read the date report.

Thin shells over `tentative.inventory.actions`; rights are checked there. Booking from a
reserve is `POST /bookings` with `reserve_id` on a line.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import AfterValidator, ConfigDict, model_validator

from tentative.accounts.models import StaffMembership
from tentative.api.access import access_event_date, staff_actor
from tentative.api.idempotency import Result, idempotent
from tentative.api.schemas import (
    FUTURE,
    READ_ERRORS,
    WHEN,
    WRITE_ERRORS,
    BodyId,
    BodyInt,
    Id,
    Name,
    When,
    refusals,
)
from tentative.inventory import actions
from tentative.inventory.access import access_reserve, may_draw, visible_reserves
from tentative.inventory.actions import MAX_PLACES, Resized
from tentative.inventory.actions.configure_reserve import UNSET
from tentative.inventory.models import CapacityPool, Reserve, ReserveDate
from tentative.inventory.selectors import date_report

router = Router(tags=["reserves"])

Kind = Literal["with_access", "without_access"]
Audience = Literal["all_staff", "selected"]
CancelledTo = Literal["reserve", "general"]
Places = Annotated[BodyInt, Field(ge=0, le=MAX_PLACES)]
Hours = Annotated[BodyInt, Field(ge=1, le=366 * 24)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("cannot be blank")
    return value


ReserveName = Annotated[Name, Field(min_length=1), AfterValidator(_not_blank)]


class ReserveIn(Schema):
    name: ReserveName
    kind: Kind = "with_access"
    audience: Audience = "all_staff"
    member_ids: list[BodyId] = Field(default_factory=list, max_length=1000)
    cancelled_places_to: CancelledTo = "reserve"
    release_before_hours: Hours | None = None


class RenameIn(Schema):
    name: ReserveName


class RestrictIn(Schema):
    audience: Audience
    member_ids: list[BodyId] = Field(default_factory=list, max_length=1000)


class ConfigureIn(Schema):
    """Only the fields sent change; `release_before_hours: null` removes the default."""

    kind: Kind | None = None
    cancelled_places_to: CancelledTo | None = None
    release_before_hours: Hours | None = None


class AllocationIn(Schema):
    event_date_id: BodyId
    ticket_type_id: BodyId
    quantity: Places


class ReleaseIn(Schema):
    event_date_id: BodyId
    ticket_type_id: BodyId
    quantity: Places | None = None  # null: every place not booked


class ScheduleIn(Schema):
    """`release_at`, or `hours_before` the date starts; neither cancels the release. The two
    exclude each other: sending both (not null) is a 422."""

    model_config = ConfigDict(
        # What a generated client can check: not both present with values.
        json_schema_extra={
            "not": {
                "required": ["release_at", "hours_before"],
                "properties": {
                    "release_at": {"type": "string"},
                    "hours_before": {"type": "integer"},
                },
            }
        }
    )

    event_date_id: BodyId
    release_at: When | None = Field(
        None, description="When the places go back to general sale. " + WHEN + FUTURE
    )
    hours_before: Hours | None = Field(
        None,
        description=(
            "Or this many hours before the date starts; that moment must be in the future "
            "(422 otherwise). Not together with `release_at`."
        ),
    )

    @model_validator(mode="after")
    def _one_of(self) -> "ScheduleIn":
        if self.release_at is not None and self.hours_before is not None:
            raise ValueError("give either release_at or hours_before, not both")
        return self


class MemberOut(Schema):
    id: int  # the staff membership
    username: str


class AllocationOut(Schema):
    event_date_id: int
    ticket_type_id: int
    assigned: int
    drawn: int
    left: int


class ReserveDateOut(Schema):
    event_date_id: int
    release_at: datetime | None
    released_at: datetime | None
    released: int


class ReserveOut(Schema):
    id: int
    name: str
    kind: Kind
    audience: Audience
    members: list[MemberOut]
    cancelled_places_to: CancelledTo
    release_before_hours: float | None
    created_at: datetime
    archived_at: datetime | None
    may_book: bool  # whether the caller may book from it now
    allocations: list[AllocationOut]
    dates: list[ReserveDateOut]


class ResizedOut(Schema):
    reserve_id: int
    before: int
    after: int
    drawn: int
    released: int


class ReportLineOut(Schema):
    ticket_type_id: int
    ticket_type_name: str
    assigned: int
    drawn: int
    left: int


class ReportReserveOut(Schema):
    reserve_id: int
    name: str
    kind: Kind
    assigned: int
    drawn: int
    left: int
    released: int
    release_at: datetime | None
    released_at: datetime | None
    lines: list[ReportLineOut]


class DateReportOut(Schema):
    """`capacity = sold + held + left_in_reserves + free`."""

    event_date_id: int
    on_sale: bool
    capacity: int
    sold: int
    held: int
    set_aside: int
    left_in_reserves: int
    free: int
    reserves: list[ReportReserveOut]


def _mutation(  # type: ignore[no-untyped-def]
    path: str,
    status: int,
    out: type[Schema],
    conflicts: Sequence[str] = ("reserve_archived",),
    invalid: Sequence[str] = (),
):
    return router.post(
        path,
        response={status: out, **WRITE_ERRORS},
        openapi_extra=refusals(conflicts, invalid),
    )


def _detailed(reserves: QuerySet[Reserve]) -> QuerySet[Reserve]:
    """Members, pools and dates in three queries for any number of reserves."""
    return reserves.prefetch_related(
        Prefetch("members", StaffMembership.objects.select_related("user").order_by("id")),
        Prefetch("pools", CapacityPool.objects.order_by("event_date_id", "ticket_type_id")),
        Prefetch("dates", ReserveDate.objects.order_by("event_date_id")),
    )


def _reserve_out(request: HttpRequest, reserve_id: int) -> dict[str, Any]:
    actor = staff_actor(request)
    access_reserve(actor, reserve_id)  # scoped, or 404
    return _serialise(actor, _detailed(visible_reserves(actor)).get(id=reserve_id))


def _serialise(actor: Any, reserve: Reserve) -> dict[str, Any]:
    members = reserve.members.all()
    before = reserve.release_before
    return ReserveOut(
        id=reserve.id,
        name=reserve.name,
        kind=reserve.kind,  # type: ignore[arg-type]
        audience=reserve.audience,  # type: ignore[arg-type]
        members=[MemberOut(id=m.id, username=m.user.get_username()) for m in members],
        cancelled_places_to=reserve.cancelled_places_to,  # type: ignore[arg-type]
        release_before_hours=before.total_seconds() / 3600 if before else None,
        created_at=reserve.created_at,
        archived_at=reserve.archived_at,
        may_book=may_draw(actor, reserve),
        allocations=[
            AllocationOut(
                event_date_id=p.event_date_id,
                ticket_type_id=p.ticket_type_id,  # type: ignore[arg-type]
                assigned=p.capacity,
                drawn=p.taken,
                left=p.capacity - p.taken,
            )
            for p in reserve.pools.all()
        ],
        dates=[
            ReserveDateOut(
                event_date_id=row.event_date_id,
                release_at=row.release_at,
                released_at=row.released_at,
                released=row.released,
            )
            for row in reserve.dates.all()
        ],
    ).model_dump(mode="json")


def _resized(reserve_id: int, resized: Resized) -> Result:
    return 200, ResizedOut(
        reserve_id=reserve_id,
        before=resized.before,
        after=resized.after,
        drawn=resized.drawn,
        released=resized.released,
    ).model_dump(mode="json")


def _hours(hours: int | None) -> timedelta | None:
    return None if hours is None else timedelta(hours=hours)


@router.get("/reserves", response={200: list[ReserveOut], **READ_ERRORS})
def list_reserves(request: HttpRequest, archived: bool = False) -> object:
    actor = staff_actor(request)
    reserves = visible_reserves(actor).filter(archived_at__isnull=not archived).order_by("name")
    return [_serialise(actor, reserve) for reserve in _detailed(reserves)[:500]]


@router.get("/reserves/{reserve_id}", response={200: ReserveOut, **READ_ERRORS})
def read_reserve(request: HttpRequest, reserve_id: Id) -> object:
    return _reserve_out(request, reserve_id)


@_mutation("/reserves", 201, ReserveOut, conflicts=(), invalid=("reserve_name_taken",))
@idempotent
def create_reserve(request: HttpRequest, payload: ReserveIn) -> Result:
    actor = staff_actor(request)
    reserve = actions.create_reserve(
        actor.organisation_id,  # type: ignore[arg-type]
        actor=actor,
        name=payload.name,
        kind=payload.kind,
        audience=payload.audience,
        member_ids=payload.member_ids,
        cancelled_places_to=payload.cancelled_places_to,
        release_before=_hours(payload.release_before_hours),
    )
    return 201, _reserve_out(request, reserve.id)


@_mutation("/reserves/{reserve_id}/rename", 200, ReserveOut, invalid=("reserve_name_taken",))
@idempotent
def rename_reserve(request: HttpRequest, reserve_id: Id, payload: RenameIn) -> Result:
    actions.rename_reserve(reserve_id, actor=staff_actor(request), name=payload.name)
    return 200, _reserve_out(request, reserve_id)


@_mutation("/reserves/{reserve_id}/restrict", 200, ReserveOut)
@idempotent
def restrict_reserve(request: HttpRequest, reserve_id: Id, payload: RestrictIn) -> Result:
    actions.restrict_reserve(
        reserve_id,
        actor=staff_actor(request),
        audience=payload.audience,
        member_ids=payload.member_ids,
    )
    return 200, _reserve_out(request, reserve_id)


@_mutation("/reserves/{reserve_id}/configure", 200, ReserveOut)
@idempotent
def configure_reserve(request: HttpRequest, reserve_id: Id, payload: ConfigureIn) -> Result:
    sent = payload.model_fields_set
    actions.configure_reserve(
        reserve_id,
        actor=staff_actor(request),
        kind=payload.kind if payload.kind is not None else UNSET,
        cancelled_places_to=(
            payload.cancelled_places_to if payload.cancelled_places_to is not None else UNSET
        ),
        release_before=(
            _hours(payload.release_before_hours) if "release_before_hours" in sent else UNSET
        ),
    )
    return 200, _reserve_out(request, reserve_id)


@_mutation("/reserves/{reserve_id}/archive", 200, ReserveOut, conflicts=())
@idempotent
def archive_reserve(request: HttpRequest, reserve_id: Id) -> Result:
    actions.archive_reserve(reserve_id, actor=staff_actor(request))
    return 200, _reserve_out(request, reserve_id)


@_mutation(
    "/reserves/{reserve_id}/allocation",
    200,
    ResizedOut,
    conflicts=("reserve_archived", "not_enough_free", "below_drawn"),
)
@idempotent
def set_allocation(request: HttpRequest, reserve_id: Id, payload: AllocationIn) -> Result:
    resized = actions.set_allocation(
        reserve_id,
        actor=staff_actor(request),
        event_date_id=payload.event_date_id,
        ticket_type_id=payload.ticket_type_id,
        quantity=payload.quantity,
    )
    return _resized(reserve_id, resized)


@_mutation(
    "/reserves/{reserve_id}/release",
    200,
    ResizedOut,
    conflicts=("reserve_archived", "reserve_empty", "release_too_many"),
)
@idempotent
def release_places(request: HttpRequest, reserve_id: Id, payload: ReleaseIn) -> Result:
    resized = actions.release_places(
        reserve_id,
        actor=staff_actor(request),
        event_date_id=payload.event_date_id,
        ticket_type_id=payload.ticket_type_id,
        quantity=payload.quantity,
    )
    return _resized(reserve_id, resized)


@_mutation("/reserves/{reserve_id}/schedule", 200, ReserveDateOut)
@idempotent
def schedule_release(request: HttpRequest, reserve_id: Id, payload: ScheduleIn) -> Result:
    actor = staff_actor(request)
    release_at = payload.release_at
    if payload.hours_before is not None:
        date = access_event_date(actor, payload.event_date_id)
        release_at = date.starts_at - timedelta(hours=payload.hours_before)
    row = actions.schedule_release(
        reserve_id, actor=actor, event_date_id=payload.event_date_id, release_at=release_at
    )
    return 200, ReserveDateOut(
        event_date_id=row.event_date_id,
        release_at=row.release_at,
        released_at=row.released_at,
        released=row.released,
    ).model_dump(mode="json")


@router.get("/dates/{date_id}/reserves", response={200: DateReportOut, **READ_ERRORS})
def report(request: HttpRequest, date_id: Id) -> object:
    """Per event date: capacity, sold, held, each reserve (assigned / drawn / left), free."""
    report = date_report(access_event_date(staff_actor(request), date_id))
    return DateReportOut(
        event_date_id=report.event_date.id,
        on_sale=report.on_sale,
        capacity=report.capacity,
        sold=report.sold,
        held=report.held,
        set_aside=report.set_aside,
        left_in_reserves=report.left_in_reserves,
        free=report.free,
        reserves=[
            ReportReserveOut(
                reserve_id=r.reserve_id,
                name=r.reserve_name,
                kind=r.kind,  # type: ignore[arg-type]
                assigned=r.assigned,
                drawn=r.drawn,
                left=r.left,
                released=r.released,
                release_at=r.release_at,
                released_at=r.released_at,
                lines=[
                    ReportLineOut(
                        ticket_type_id=line.ticket_type_id,
                        ticket_type_name=line.ticket_type_name,
                        assigned=line.assigned,
                        drawn=line.drawn,
                        left=line.left,
                    )
                    for line in r.lines
                ],
            )
            for r in report.reserves
        ],
    )
