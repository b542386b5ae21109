"""Bookings: create in each mode, read, list, and every action. Thin shells over actions."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from tentative.accounts.models import Customer
from tentative.api.access import staff_actor
from tentative.api.idempotency import Result, idempotent
from tentative.api.schemas import (
    AuditOut,
    BookingIn,
    BookingOut,
    CustomerIn,
    CustomerOut,
    ErrorOut,
    ExtendIn,
    Id,
    ReasonIn,
    TargetIn,
)
from tentative.bookings import actions
from tentative.bookings.access import access_booking_by_reference, visible_bookings
from tentative.bookings.models import Booking
from tentative.core.states import State

router = Router(tags=["bookings"])
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 413, 422)}


def _out(status: int, booking: Booking) -> Result:
    booking = Booking.objects.prefetch_related("lines").get(id=booking.id)
    return status, BookingOut.from_orm(booking).model_dump(mode="json")


@router.post("/bookings", response={201: BookingOut, **ERRORS})
@idempotent
def create(request: HttpRequest, payload: BookingIn) -> Result:
    actor = staff_actor(request)
    booking = actions.create_booking(
        actor=actor,
        organisation_id=actor.organisation_id,  # type: ignore[arg-type]
        mode=State(payload.mode),
        lines=[
            actions.LineRequest(
                event_date_id=line.event_date_id,
                ticket_type_id=line.ticket_type_id,
                quantity=line.quantity,
                participants=tuple((p.name, p.email) for p in line.participants),
            )
            for line in payload.lines
        ],
        customer_id=payload.customer_id,
        channel=payload.channel,
        language=payload.language,
        note=payload.note,
    )
    return 201, BookingOut.from_orm(booking).model_dump(mode="json")


class BookingFilters(Schema):
    state: State | None = None
    event_date_id: Id | None = None
    customer_id: Id | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@router.get("/bookings", response=list[BookingOut])
@paginate(LimitOffsetPagination)
def list_bookings(request: HttpRequest, filters: Query[BookingFilters]) -> object:
    bookings = visible_bookings(staff_actor(request)).prefetch_related("lines").order_by("-id")
    if filters.state:
        bookings = bookings.filter(state=filters.state.value)
    if filters.event_date_id:
        bookings = bookings.filter(lines__event_date_id=filters.event_date_id).distinct()
    if filters.customer_id:
        bookings = bookings.filter(customer_id=filters.customer_id)
    if filters.created_after:
        bookings = bookings.filter(created_at__gte=filters.created_after)
    if filters.created_before:
        bookings = bookings.filter(created_at__lt=filters.created_before)
    return bookings


@router.get("/bookings/{reference}", response={200: BookingOut, **ERRORS})
def read(request: HttpRequest, reference: str) -> object:
    return access_booking_by_reference(staff_actor(request), reference[:12])


@router.get("/bookings/{reference}/audit", response={200: list[AuditOut], **ERRORS})
def audit(request: HttpRequest, reference: str) -> object:
    return access_booking_by_reference(staff_actor(request), reference[:12]).audit.all()


def _booking_id(request: HttpRequest, reference: str) -> int:
    return access_booking_by_reference(staff_actor(request), reference[:12]).id


@router.post("/bookings/{reference}/approve", response={200: BookingOut, **ERRORS})
@idempotent
def approve(request: HttpRequest, reference: str, payload: TargetIn) -> Result:
    booking = actions.approve_booking(
        _booking_id(request, reference),
        actor=staff_actor(request),
        target=State(payload.target),
        reason=payload.reason,
    )
    return _out(200, booking)


@router.post("/bookings/{reference}/convert", response={200: BookingOut, **ERRORS})
@idempotent
def convert(request: HttpRequest, reference: str, payload: TargetIn) -> Result:
    booking = actions.convert_booking(
        _booking_id(request, reference),
        actor=staff_actor(request),
        target=State(payload.target),
        reason=payload.reason,
    )
    return _out(200, booking)


@router.post("/bookings/{reference}/reinstate", response={200: BookingOut, **ERRORS})
@idempotent
def reinstate(request: HttpRequest, reference: str, payload: TargetIn) -> Result:
    booking = actions.reinstate_booking(
        _booking_id(request, reference),
        actor=staff_actor(request),
        target=State(payload.target),
        reason=payload.reason,
    )
    return _out(200, booking)


@router.post("/bookings/{reference}/extend", response={200: BookingOut, **ERRORS})
@idempotent
def extend(request: HttpRequest, reference: str, payload: ExtendIn) -> Result:
    booking = actions.extend_booking(
        _booking_id(request, reference),
        actor=staff_actor(request),
        until=payload.until,
        reason=payload.reason,
    )
    return _out(200, booking)


def _simple(name: str, action):  # type: ignore[no-untyped-def]
    """decline, confirm, expire, cancel: a booking and an optional reason."""

    @idempotent
    def endpoint(request: HttpRequest, reference: str, payload: ReasonIn) -> Result:
        booking = action(
            _booking_id(request, reference), actor=staff_actor(request), reason=payload.reason
        )
        return _out(200, booking)

    endpoint.__name__ = name
    router.post(f"/bookings/{{reference}}/{name}", response={200: BookingOut, **ERRORS})(endpoint)


_simple("decline", actions.decline_booking)
_simple("confirm", actions.confirm_booking)
_simple("expire", actions.expire_booking)
_simple("cancel", actions.cancel_booking)


@router.post("/customers", response={201: CustomerOut, **ERRORS})
@idempotent
def create_customer(request: HttpRequest, payload: CustomerIn) -> Result:
    actor = staff_actor(request)
    customer = Customer.objects.create(
        organisation_id=actor.organisation_id,
        name=payload.name,
        email=payload.email,
        kind=payload.kind,
        language=payload.language,
    )
    return 201, CustomerOut.from_orm(customer).model_dump(mode="json")
