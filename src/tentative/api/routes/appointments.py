"""Appointments (issue 13): services and their booking settings, staff members' working
hours and days off, free slots, and requests. Approve, decline and reschedule are the
bookings' own endpoints (`/bookings/{reference}/approve`, `/decline`, `/move`).

Times: free slots are UTC instants in ISO 8601, with the organisation's zone beside them
for display; hours are wall-clock times of that zone. A request's start is an instant with
its offset (`starts_at`) or a local date and time without one (`local_start`), read in the
organisation's zone: one the clocks skip or repeat that night is refused with a 422.
"""

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from pydantic import model_validator

from tentative.api.access import staff_actor
from tentative.api.idempotency import Result, idempotent
from tentative.api.routes.catalog import router as catalog_router
from tentative.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    BodyId,
    BookingOut,
    Id,
    LongText,
    Name,
    When,
    refusals,
)
from tentative.bookings import actions, selectors
from tentative.bookings.errors import (
    AMBIGUOUS_LOCAL,
    NO_FREE_STAFF,
    NONEXISTENT_LOCAL,
    UnbookableTime,
)
from tentative.bookings.models import Booking
from tentative.catalog import selectors as catalog_selectors
from tentative.catalog.access import access_resource, access_service
from tentative.catalog.actions.add_hours_exception import add_hours_exception
from tentative.catalog.actions.create_service import create_service
from tentative.catalog.actions.remove_hours_exception import remove_hours_exception
from tentative.catalog.actions.set_working_hours import set_working_hours
from tentative.catalog.actions.update_service import update_service
from tentative.catalog.models import HoursException, Service
from tentative.core import availability
from tentative.core.states import State
from tentative.shared.errors import InvalidInput

router = Router(tags=["appointments"])

MAX_AVAILABILITY = timedelta(days=62)
WINDOW_MESSAGE = _("Give a window that ends after it starts and spans at most 62 days.")
START_MESSAGE = _("Give the start as starts_at (with its offset) or local_start, not both.")


def _minutes(span: timedelta | None) -> int | None:
    return None if span is None else int(span.total_seconds() // 60)


# --- services ------------------------------------------------------------------------


class ServiceSettingsOut(Schema):
    id: int
    kind: str = Field(description="appointment or room_session")
    name: str
    description: str
    price: Decimal | None
    resource_ids: list[int]
    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    min_participants: int
    max_participants: int
    min_notice_minutes: int
    horizon_days: int
    slot_step_minutes: int | None = Field(description="Empty: one start every duration.")
    requires_approval: bool
    approval_below_hours: int | None = Field(
        description="Approval only for requests less than this many hours ahead; empty: always."
    )
    several_may_request: bool = Field(
        description="Several clients may request the same slot: the engine's "
        "requests_hold_capacity turned around (a pending request holds nothing)."
    )
    requests_hold_capacity: bool
    approval_note: str
    decision_days: int | None
    sold_in_packages: bool


def _service_out(service: Service) -> dict[str, Any]:
    first = service.prices.order_by("id").first()
    return ServiceSettingsOut(
        id=service.id,
        kind=service.kind,
        name=service.name,
        description=service.description,
        price=first.price if first else None,
        resource_ids=sorted(service.resources.values_list("id", flat=True)),
        duration_minutes=_minutes(service.duration) or 0,
        buffer_before_minutes=_minutes(service.buffer_before) or 0,
        buffer_after_minutes=_minutes(service.buffer_after) or 0,
        min_participants=service.min_participants,
        max_participants=service.max_participants,
        min_notice_minutes=_minutes(service.min_notice) or 0,
        horizon_days=service.horizon_days,
        slot_step_minutes=_minutes(service.slot_step),
        requires_approval=service.requires_approval,
        approval_below_hours=service.approval_below_hours,
        several_may_request=service.several_may_request,
        requests_hold_capacity=service.requests_hold_capacity,
        approval_note=service.approval_note,
        decision_days=service.decision_days,
        sold_in_packages=service.sold_in_packages,
    ).model_dump(mode="json")


class ServiceSettingsIn(Schema):
    """Every field optional on update; `name` and `duration_minutes` needed on create."""

    name: Name | None = None
    description: LongText | None = None
    duration_minutes: int | None = Field(None, ge=5, le=24 * 60, strict=True)
    buffer_before_minutes: int | None = Field(None, ge=0, le=24 * 60, strict=True)
    buffer_after_minutes: int | None = Field(None, ge=0, le=24 * 60, strict=True)
    min_participants: int | None = Field(None, ge=1, le=1000, strict=True)
    max_participants: int | None = Field(None, ge=1, le=1000, strict=True)
    min_notice_minutes: int | None = Field(None, ge=0, le=365 * 24 * 60, strict=True)
    horizon_days: int | None = Field(None, ge=1, le=3650, strict=True)
    slot_step_minutes: int | None = Field(None, ge=5, le=24 * 60, strict=True)
    requires_approval: bool | None = None
    approval_below_hours: int | None = Field(None, ge=1, le=24 * 365, strict=True)
    several_may_request: bool | None = Field(
        None, description="Sets requests_hold_capacity to its opposite."
    )
    approval_note: LongText | None = None
    decision_days: int | None = Field(None, ge=1, le=365, strict=True)
    sold_in_packages: bool | None = None
    price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    resource_ids: list[BodyId] | None = Field(None, max_length=500)

    def settings(self) -> dict[str, Any]:
        """The model's fields that were given (`null` clears the nullable ones)."""
        given = self.model_fields_set
        out: dict[str, Any] = {}
        for name in ("name", "description", "min_participants", "max_participants"):
            if name in given and getattr(self, name) is not None:
                out[name] = getattr(self, name)
        for name in ("horizon_days", "requires_approval", "sold_in_packages", "approval_note"):
            if name in given and getattr(self, name) is not None:
                out[name] = getattr(self, name)
        for name in ("approval_below_hours", "decision_days"):
            if name in given:
                out[name] = getattr(self, name)
        for name in ("duration", "buffer_before", "buffer_after", "min_notice"):
            value = getattr(self, f"{name}_minutes")
            if f"{name}_minutes" in given and value is not None:
                out[name] = timedelta(minutes=value)
        if "slot_step_minutes" in given:
            step = self.slot_step_minutes
            out["slot_step"] = None if step is None else timedelta(minutes=step)
        if "several_may_request" in given and self.several_may_request is not None:
            out["requests_hold_capacity"] = not self.several_may_request
        return out


class ServiceCreateIn(ServiceSettingsIn):
    kind: str = Field(Service.Kind.APPOINTMENT, description="appointment or room_session")
    name: Name
    duration_minutes: int = Field(ge=5, le=24 * 60, strict=True)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)


@router.get("/services/{service_id}", response={200: ServiceSettingsOut, **READ_ERRORS})
def read_service(request: HttpRequest, service_id: Id) -> object:
    """A service with its booking settings."""
    return _service_out(access_service(staff_actor(request), service_id))


# On the catalogue's router: it owns `GET /services`, and one path is one router's.
@catalog_router.post(
    "/services",
    response={201: ServiceSettingsOut, **WRITE_ERRORS},
    openapi_extra=refusals((), ("invalid_terms",)),
)
@idempotent
def create(request: HttpRequest, payload: ServiceCreateIn) -> Result:
    service = create_service(
        actor=staff_actor(request),
        kind=payload.kind,
        price=payload.price,
        resource_ids=payload.resource_ids or [],
        settings=payload.settings(),
    )
    return 201, _service_out(service)


@router.post(
    "/services/{service_id}",
    response={200: ServiceSettingsOut, **WRITE_ERRORS},
    openapi_extra=refusals((), ("invalid_terms",)),
)
@idempotent
def update(request: HttpRequest, service_id: Id, payload: ServiceSettingsIn) -> Result:
    """Change only the given settings."""
    service = update_service(
        service_id,
        actor=staff_actor(request),
        settings=payload.settings(),
        price=payload.price,
        resource_ids=payload.resource_ids,
    )
    return 200, _service_out(service)


# --- working hours -------------------------------------------------------------------


class RangeIO(Schema):
    weekday: int = Field(ge=0, le=6, strict=True, description="0 Monday … 6 Sunday")
    starts: time = Field(description="Wall-clock time in the organisation's zone, HH:MM.")
    ends: time = Field(description="HH:MM; 00:00 means midnight at the end of the day.")


class ExceptionIn(Schema):
    kind: str = Field(description="closed (a day off, or some hours of it) or open (extra hours)")
    first_day: date
    last_day: date | None = None
    starts: time | None = None
    ends: time | None = None
    note: Name = ""


class ExceptionOut(ExceptionIn):
    id: int
    last_day: date  # type: ignore[assignment]


class HoursIn(Schema):
    weekly: list[RangeIO] = Field(max_length=7 * 24)


class HoursOut(Schema):
    resource_id: int
    time_zone: str
    weekly: list[RangeIO]
    exceptions: list[ExceptionOut]


def _hours_out(resource_id: int, zone: str) -> dict[str, Any]:
    weekly = catalog_selectors.working_hours_of(resource_id)
    exceptions = catalog_selectors.hours_exceptions_of(resource_id)
    return HoursOut(
        resource_id=resource_id,
        time_zone=zone,
        weekly=[RangeIO(weekday=h.weekday, starts=h.starts, ends=h.ends) for h in weekly],
        exceptions=[
            ExceptionOut(
                id=e.id,
                kind=e.kind,
                first_day=e.first_day,
                last_day=e.last_day,
                starts=e.starts,
                ends=e.ends,
                note=e.note,
            )
            for e in exceptions
        ],
    ).model_dump(mode="json")


@router.get("/resources/{resource_id}/hours", response={200: HoursOut, **READ_ERRORS})
def hours(request: HttpRequest, resource_id: Id) -> object:
    """Weekly working hours, days off and extra hours, in the organisation's zone."""
    actor = staff_actor(request)
    resource = access_resource(actor, resource_id)
    return _hours_out(resource.id, resource.organisation.time_zone)


@router.post(
    "/resources/{resource_id}/hours",
    response={200: HoursOut, **WRITE_ERRORS},
    openapi_extra=refusals((), ("invalid_terms",)),
)
@idempotent
def put_hours(request: HttpRequest, resource_id: Id, payload: HoursIn) -> Result:
    """Replace the whole week."""
    actor = staff_actor(request)
    set_working_hours(
        resource_id,
        actor=actor,
        ranges=[(r.weekday, r.starts, r.ends) for r in payload.weekly],
    )
    resource = access_resource(actor, resource_id)
    return 200, _hours_out(resource.id, resource.organisation.time_zone)


@router.post(
    "/resources/{resource_id}/exceptions",
    response={201: ExceptionOut, **WRITE_ERRORS},
    openapi_extra=refusals((), ("invalid_terms",)),
)
@idempotent
def add_exception(request: HttpRequest, resource_id: Id, payload: ExceptionIn) -> Result:
    """A day off (no times), closed hours, or extra opening hours, over one or more days."""
    if payload.kind not in HoursException.Kind.values:
        raise InvalidInput(_("The kind is closed or open."))
    made = add_hours_exception(
        resource_id,
        actor=staff_actor(request),
        kind=payload.kind,
        first_day=payload.first_day,
        last_day=payload.last_day,
        starts=payload.starts,
        ends=payload.ends,
        note=payload.note,
    )
    return 201, ExceptionOut(
        id=made.id,
        kind=made.kind,
        first_day=made.first_day,
        last_day=made.last_day,
        starts=made.starts,
        ends=made.ends,
        note=made.note,
    ).model_dump(mode="json")


@router.delete(
    "/resources/{resource_id}/exceptions/{exception_id}",
    response={204: None, **WRITE_ERRORS},
    openapi_extra=refusals(),
)
@idempotent
def delete_exception(request: HttpRequest, resource_id: Id, exception_id: Id) -> Result:
    actor = staff_actor(request)
    access_resource(actor, resource_id)
    remove_hours_exception(exception_id, actor=actor)
    return 204, {}


# --- availability --------------------------------------------------------------------


class AvailabilityQuery(Schema):
    start: When
    end: When
    resource_id: Id | None = Field(None, description="A staff member or room; empty: any.")


class FreeSlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    resource_id: int


class SlotsOut(Schema):
    service_id: int
    time_zone: str = Field(description="The organisation's: show times in it, or the visitor's.")
    start: datetime
    end: datetime
    slots: list[FreeSlotOut]


@router.get("/services/{service_id}/availability", response={200: SlotsOut, **READ_ERRORS})
def service_availability(
    request: HttpRequest, service_id: Id, window: Query[AvailabilityQuery]
) -> object:
    """Free start times in [start, end) (at most 62 days), for one staff member or any:
    working hours minus what is booked (buffers included), on the service's slot grid,
    from its minimum notice to its horizon."""
    service = access_service(staff_actor(request), service_id)
    if window.end <= window.start or window.end - window.start > MAX_AVAILABILITY:
        raise InvalidInput(WINDOW_MESSAGE)
    found = selectors.free_starts_of(
        service,
        resource=window.resource_id,
        start=window.start,
        end=window.end,
        now=timezone.now(),
    )
    # Written directly, in the schema's shape and json.dumps's bytes: validating a week of
    # 50 staff members' slots through pydantic took longer than computing them, and so did
    # a datetime and an isoformat per slot; the slots share a few hundred instants, each
    # written once (bench/availability.py; a test holds this equal to json.dumps).
    duration = service.duration // timedelta(microseconds=1)
    texts: dict[int, str] = {}

    def text(us: int) -> str:
        written = texts.get(us)
        if written is None:
            written = texts[us] = _iso(EPOCH + timedelta(microseconds=us))
        return written

    head = json.dumps(
        {
            "service_id": service.id,
            "time_zone": service.organisation.time_zone,
            "start": _iso(window.start),
            "end": _iso(window.end),
        }
    )
    slots = ", ".join(
        [
            f'{{"starts_at": "{text(t)}", "ends_at": "{text(t + duration)}", "resource_id": {r}}}'
            for t, r in found
        ]
    )
    return HttpResponse(f'{head[:-1]}, "slots": [{slots}]}}', content_type="application/json")


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as pydantic writes it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- requests ------------------------------------------------------------------------


class RequestIn(Schema):
    """A customer's appointment: a request when the service needs approval (at this
    notice), else confirmed at once. Held to every rule of the service's times."""

    service_id: BodyId
    resource_id: BodyId | None = Field(None, description="Empty: any staff member free then.")
    starts_at: When | None = None
    local_start: datetime | None = Field(
        None,
        description="A local date and time without an offset (2027-03-28T10:00), read in "
        "the organisation's zone.",
    )
    customer_id: BodyId | None = None
    note: LongText = ""

    @model_validator(mode="after")
    def _one_start(self) -> "RequestIn":
        if (self.starts_at is None) == (self.local_start is None):
            raise ValueError(str(START_MESSAGE))
        if self.local_start is not None and self.local_start.tzinfo is not None:
            raise ValueError("local_start has no offset; use starts_at for one with it")
        return self


def _start(service: Service, payload: RequestIn) -> datetime:
    if payload.starts_at is not None:
        return payload.starts_at
    assert payload.local_start is not None
    zone = service.organisation.zone
    found = availability.from_wall(payload.local_start, zone)
    if isinstance(found, datetime):
        return found
    words = {
        "date": formats.date_format(payload.local_start.date(), "DATE_FORMAT"),
        "time": formats.time_format(payload.local_start.time(), "TIME_FORMAT"),
        "zone": str(zone),
    }
    if found == availability.WallTime.NONEXISTENT:
        raise UnbookableTime(found.value, NONEXISTENT_LOCAL, **words)
    raise UnbookableTime(found.value, AMBIGUOUS_LOCAL, **words)


@router.post(
    "/appointments/requests",
    response={201: BookingOut, **WRITE_ERRORS},
    openapi_extra=refusals(
        ("slot_taken",),
        (
            "outside_hours",
            "not_aligned",
            "day_off",
            "notice",
            "horizon",
            "nonexistent_time",
            "ambiguous_time",
            "no_free_staff",
        ),
    ),
)
@idempotent
def create_request(request: HttpRequest, payload: RequestIn) -> Result:
    """Request an appointment with a staff member, or with whoever is free then."""
    actor = staff_actor(request)
    service = access_service(actor, payload.service_id)
    starts_at = _start(service, payload)
    resource_id = payload.resource_id
    if resource_id is None:
        now = timezone.now()
        free = selectors.free_slots(
            service, start=starts_at, end=starts_at + timedelta(microseconds=1), now=now
        )
        if not free:
            local = starts_at.astimezone(service.organisation.zone)
            refusal = UnbookableTime(
                "no_free_staff",
                NO_FREE_STAFF,
                service=service.name,
                date=formats.date_format(local.date(), "DATE_FORMAT"),
                time=formats.time_format(local.time(), "TIME_FORMAT"),
            )
            refusal.status = 409
            raise refusal
        resource_id = free[0].resource_id
    booking = actions.create_booking(
        actor=actor,
        organisation_id=service.organisation_id,
        mode=State.REQUEST,
        lines=[actions.SlotRequest(service.id, resource_id, starts_at)],
        customer_id=payload.customer_id,
        note=payload.note,
    )
    booking = Booking.objects.prefetch_related("lines").get(id=booking.id)
    booking.paid_in = booking.paid_back = Decimal(0)  # just made: nothing paid yet
    return 201, BookingOut.from_orm(booking).model_dump(mode="json")
