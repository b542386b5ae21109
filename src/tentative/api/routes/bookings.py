"""Bookings: create in each mode, read, list, and every action. Thin shells over actions."""

from collections.abc import Sequence
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from tentative.accounts.models import Customer
from tentative.api.access import staff_actor
from tentative.api.idempotency import Result, idempotent
from tentative.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApproveIn,
    AuditOut,
    BookingIn,
    BookingOut,
    CustomerIn,
    CustomerOut,
    DecideIn,
    DecideOut,
    ExtendIn,
    Id,
    MoveIn,
    QuantityIn,
    ReasonIn,
    Reference,
    TargetIn,
    TextInt,
    When,
    refusals,
)
from tentative.bookings import actions
from tentative.bookings.access import (
    access_booking_by_reference,
    ids_by_reference,
    visible_bookings,
)
from tentative.bookings.models import Booking
from tentative.core.states import State
from tentative.payments import selectors as payment_selectors

router = Router(tags=["bookings"])
MAX_PAGE = 200
MAX_OFFSET = 10**9  # far past any real list, far below what SQL's LIMIT/OFFSET can hold


class Page(LimitOffsetPagination):
    """Ninja's limit/offset, bounded: an unbounded integer reached SQL and failed there."""

    class Input(Schema):
        limit: TextInt = Field(50, ge=1, le=MAX_PAGE)
        offset: TextInt = Field(0, ge=0, le=MAX_OFFSET)


# What a booking action can meet: the state machine, a lapsed deadline, places or a slot
# taken again.
ACTION_CONFLICTS = ("illegal_transition", "lapsed", "sold_out", "slot_taken")
ACTION_INVALID = ("reason_required", "deadline_unreachable")


def _mutation(  # type: ignore[no-untyped-def]
    path: str,
    status: int,
    out: type[Schema],
    conflicts: Sequence[str] = ACTION_CONFLICTS,
    invalid: Sequence[str] = ACTION_INVALID,
):
    """A POST documented with its errors and the Idempotency-Key header."""
    return router.post(
        path,
        response={status: out, **WRITE_ERRORS},
        openapi_extra=refusals(conflicts, invalid),
    )


def _out(status: int, booking: Booking) -> Result:
    booking = Booking.objects.prefetch_related("lines").get(id=booking.id)
    return status, BookingOut.from_orm(booking).model_dump(mode="json")


@_mutation(
    "/bookings",
    201,
    BookingOut,
    conflicts=("sold_out", "slot_taken"),
    invalid=("not_reservable", "deadline_unreachable"),
)
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
                reserve_id=line.reserve_id,
            )
            for line in payload.lines
        ]
        + [
            actions.SlotRequest(
                service_id=slot.service_id,
                resource_id=slot.resource_id,
                starts_at=slot.starts_at,
                quantity=slot.quantity,
                price_id=slot.price_id,
                participants=tuple((p.name, p.email) for p in slot.participants),
            )
            for slot in payload.slots
        ],
        customer_id=payload.customer_id,
        channel=payload.channel,
        language=payload.language,
        note=payload.note,
    )
    booking.paid_in = booking.paid_back = Decimal(0)  # just made: nothing paid yet (no query)
    return 201, BookingOut.from_orm(booking).model_dump(mode="json")


class BookingFilters(Schema):
    state: State | None = None
    event_date_id: Id | None = None
    customer_id: Id | None = None
    created_after: When | None = None
    created_before: When | None = None


@router.get("/bookings", response={200: list[BookingOut], **READ_ERRORS})
@paginate(Page)
def list_bookings(request: HttpRequest, filters: Query[BookingFilters]) -> object:
    bookings = visible_bookings(staff_actor(request)).prefetch_related("lines").order_by("-id")
    bookings = payment_selectors.with_decide_by(payment_selectors.with_money(bookings))
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


@_mutation("/bookings/decide", 200, DecideOut, conflicts=(), invalid=())
@idempotent
def decide(request: HttpRequest, payload: DecideIn) -> Result:
    """Accept or refuse many pending requests at once (up to 1,000): one outcome per
    reference, in the order given. Accepting follows the offer as `approve` does (an
    option awaiting payment when it is charged after approval, else confirmed); places
    are given first come first served by booking time."""
    actor = staff_actor(request)
    references = list(dict.fromkeys(r.upper() for r in payload.references))
    ids = ids_by_reference(actor, references)
    decided = (
        {
            d.booking_id: d
            for d in actions.decide_requests(
                list(ids.values()),
                decision=actions.Decision(payload.decision),
                actor=actor,
                message=payload.message,
            )
        }
        if ids
        else {}
    )
    outcomes = []
    for reference in references:
        found = decided.get(ids.get(reference, 0))
        outcome = found.outcome.value if found else actions.Outcome.NOT_FOUND.value
        outcomes.append(
            {"reference": reference, "outcome": outcome, "state": found.state if found else ""}
        )
    counts: dict[str, int] = {}
    for row in outcomes:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    return 200, {"outcomes": outcomes, "counts": counts}


def _booking(request: HttpRequest, reference: str):  # type: ignore[no-untyped-def]
    # References are upper case; people read them over the phone and type them in lower case.
    return access_booking_by_reference(staff_actor(request), reference.upper())


@router.get("/bookings/{reference}", response={200: BookingOut, **READ_ERRORS})
def read(request: HttpRequest, reference: Reference) -> object:
    return _booking(request, reference)


@router.get("/bookings/{reference}/audit", response={200: list[AuditOut], **READ_ERRORS})
def audit(request: HttpRequest, reference: Reference) -> object:
    return _booking(request, reference).audit.all()


def _booking_id(request: HttpRequest, reference: str) -> int:
    return int(_booking(request, reference).id)


@_mutation(
    "/bookings/{reference}/approve",
    200,
    BookingOut,
    invalid=(*ACTION_INVALID, "charged_after_approval"),
)
@idempotent
def approve(request: HttpRequest, reference: Reference, payload: ApproveIn) -> Result:
    """A request becomes an option awaiting payment when its offer is charged after
    approval (the card authorised with it is then captured, or a payment request sent),
    else confirmed."""
    booking = actions.approve_booking(
        _booking_id(request, reference),
        actor=staff_actor(request),
        target=State(payload.target) if payload.target else None,
        reason=payload.reason,
    )
    return _out(200, booking)


@_mutation("/bookings/{reference}/convert", 200, BookingOut)
@idempotent
def convert(request: HttpRequest, reference: Reference, payload: TargetIn) -> Result:
    booking = actions.convert_booking(
        _booking_id(request, reference),
        actor=staff_actor(request),
        target=State(payload.target),
        reason=payload.reason,
    )
    return _out(200, booking)


@_mutation("/bookings/{reference}/reinstate", 200, BookingOut)
@idempotent
def reinstate(request: HttpRequest, reference: Reference, payload: TargetIn) -> Result:
    booking = actions.reinstate_booking(
        _booking_id(request, reference),
        actor=staff_actor(request),
        target=State(payload.target),
        reason=payload.reason,
    )
    return _out(200, booking)


@_mutation("/bookings/{reference}/extend", 200, BookingOut)
@idempotent
def extend(request: HttpRequest, reference: Reference, payload: ExtendIn) -> Result:
    booking = actions.extend_booking(
        _booking_id(request, reference),
        actor=staff_actor(request),
        until=payload.until,
        reason=payload.reason,
    )
    return _out(200, booking)


@_mutation("/bookings/{reference}/move", 200, BookingOut)
@idempotent
def move(request: HttpRequest, reference: Reference, payload: MoveIn) -> Result:
    """Another date and/or ticket type (tickets), or another time, staff member or room;
    all or nothing: a full date or ticket type refuses it (409 sold_out)."""
    booking = actions.move_booking(
        _booking_id(request, reference),
        actor=staff_actor(request),
        to=actions.Destination(
            event_date_id=payload.event_date_id,
            starts_at=payload.starts_at,
            resource_id=payload.resource_id,
            ticket_type_id=payload.ticket_type_id,
            line_id=payload.line_id,
        ),
        reason=payload.reason,
        message=payload.message,
        notify=payload.notify,
    )
    return _out(200, booking)


@_mutation("/bookings/{reference}/change_quantity", 200, BookingOut)
@idempotent
def change_quantity(request: HttpRequest, reference: Reference, payload: QuantityIn) -> Result:
    """More places or players are checked like a new booking; fewer go back at once."""
    booking = actions.change_quantity(
        _booking_id(request, reference),
        actor=staff_actor(request),
        line_id=payload.line_id,
        quantity=payload.quantity,
        reason=payload.reason,
    )
    return _out(200, booking)


def _simple(name: str, action):  # type: ignore[no-untyped-def]
    """decline, confirm, expire, cancel: a booking and an optional reason."""

    @idempotent
    def endpoint(request: HttpRequest, reference: Reference, payload: ReasonIn) -> Result:
        booking = action(
            _booking_id(request, reference), actor=staff_actor(request), reason=payload.reason
        )
        return _out(200, booking)

    endpoint.__name__ = name
    _mutation(f"/bookings/{{reference}}/{name}", 200, BookingOut)(endpoint)


_simple("decline", actions.decline_booking)
_simple("confirm", actions.confirm_booking)
_simple("expire", actions.expire_booking)
_simple("cancel", actions.cancel_booking)


@_mutation("/customers", 201, CustomerOut, conflicts=(), invalid=())
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
