"""Create a booking as a quote, a request, an option or a firm booking.

The hot path of the product: a handful of statements, and the pool rows locked last and
briefly (inserts first, then the conditional updates, then commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tentative import compiled
from tentative.accounts.models import Customer, Organisation
from tentative.audit import trail as audit
from tentative.bookings.access import check_may
from tentative.bookings.actions._capacity import refuse_if_sold_out, take
from tentative.bookings.actions._deadline import Offer, deadline_fields
from tentative.bookings.actions._step import STARTED, now_or
from tentative.bookings.errors import NotReservable
from tentative.bookings.models import Booking, BookingLine, Channel, Participant
from tentative.catalog.messages import NOT_ON_SALE_MESSAGE
from tentative.catalog.models import EventDate, TicketType
from tentative.core import states
from tentative.core.states import Action, State
from tentative.inventory import capacity, reserves
from tentative.inventory.access import check_may_draw
from tentative.inventory.models import Hold
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.shared.actor import Actor, ActorKind, check_organisation
from tentative.shared.errors import InvalidInput, NotFound
from tentative.shared.transactions import action_transaction, at_the_end

MAX_QUANTITY = 1000

MODE_MESSAGE = _("A booking is created as a quote, a request, an option or a confirmed booking.")
PAID_MESSAGE = _("A confirmed booking needs a payment; reserve or request it instead.")
LINES_MESSAGE = _("A booking needs at least one line.")
QUANTITY_MESSAGE = _("Each quantity must be between 1 and %(max)s.")
DUPLICATE_MESSAGE = _("The same ticket type and date appear twice; put them on one line.")
APPROVAL_MESSAGE = _("“%(name)s” must be approved by the organiser: send a request.")


@dataclass(frozen=True)
class LineRequest:
    event_date_id: int
    ticket_type_id: int
    quantity: int
    participants: tuple[tuple[str, str], ...] = field(default=())  # (name, email)
    # Book from this capacity reserve (staff with access) instead of general sale.
    reserve_id: int | None = None


def create_booking(
    *,
    actor: Actor,
    organisation_id: int,
    mode: State,
    lines: list[LineRequest],
    customer_id: int | None = None,
    channel: str = Channel.WEB,
    language: str | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Booking:
    now = now_or(now)
    check_organisation(actor, organisation_id)
    check_may(actor, Action.CREATE, None)
    try:
        states.transition(None, Action.CREATE, mode)
    except states.IllegalTransition:
        raise InvalidInput(MODE_MESSAGE) from None
    if actor.kind == ActorKind.CUSTOMER:
        if mode == State.CONFIRMED:
            raise InvalidInput(PAID_MESSAGE)
        customer_id = actor.customer_id
    _check_lines(lines)
    check_may_draw(actor, organisation_id, (line.reserve_id for line in lines))

    organisation, offers, pools, free = _load(organisation_id, lines, now)
    if actor.kind == ActorKind.CUSTOMER:
        _check_customer_mode(mode, [offers[line][1] for line in lines])
    customer = _customer(organisation_id, customer_id)
    language = language or (customer.language if customer else "") or organisation.default_language
    requests_hold = all(offers[line][1].requests_hold_capacity for line in lines)
    holds = states.takes_capacity(mode, requests_hold=requests_hold)
    deadline = deadline_fields(
        mode, organisation, [offers[line] for line in lines], now=now, language=language
    )
    demand = [(pool_id, line.quantity) for line in lines for pool_id in pools[line]]
    if holds:
        refuse_if_sold_out(demand, free, now=now)

    with action_transaction():
        booking = Booking(
            organisation=organisation,
            customer=customer,
            channel=channel,
            language=language,
            state=mode.value,
            holds_capacity=holds,
            requests_hold=requests_hold,
            total=sum((offers[line][1].price * line.quantity for line in lines), start=Decimal(0)),
            currency=organisation.currency,
            note=note,
            created_at=now,
            updated_at=now,
            **deadline,
        )
        compiled.insert([booking])
        booking_lines = [
            BookingLine(
                booking=booking,
                event_date_id=line.event_date_id,
                ticket_type_id=line.ticket_type_id,
                quantity=line.quantity,
                unit_price=offers[line][1].price,
            )
            for line in lines
        ]
        compiled.insert(booking_lines)
        participants = [
            Participant(line=booking_line, name=name, email=email)
            for booking_line, line in zip(booking_lines, lines, strict=True)
            for name, email in line.participants
        ]
        compiled.insert(participants)
        hold_rows = [
            Hold(line=booking_line, pool_id=pool_id, quantity=line.quantity)
            for booking_line, line in zip(booking_lines, lines, strict=True)
            for pool_id in pools[line]
        ]
        compiled.insert(hold_rows)
        audit.record(booking, actor=actor, action=Action.CREATE.value, at=now)
        outbox.emit(booking, topics.BOOKING_CREATED, actor=actor, at=now)
        if holds:
            # Last before COMMIT, so the pool rows stay locked for one UPDATE and the commit.
            at_the_end(lambda: take(demand, now=now))
    # Hand the lines back as if prefetched: the caller renders them without another query.
    booking._prefetched_objects_cache = {"lines": booking_lines}  # type: ignore[attr-defined]
    return booking


def _check_lines(lines: list[LineRequest]) -> None:
    if not lines:
        raise InvalidInput(LINES_MESSAGE)
    for line in lines:
        if not 0 < line.quantity <= MAX_QUANTITY:
            raise InvalidInput(QUANTITY_MESSAGE, max=MAX_QUANTITY)
    if len({(ln.event_date_id, ln.ticket_type_id, ln.reserve_id) for ln in lines}) != len(lines):
        raise InvalidInput(DUPLICATE_MESSAGE)


def _load(
    organisation_id: int, lines: list[LineRequest], now: datetime
) -> tuple[Organisation, dict[LineRequest, Offer], dict[LineRequest, list[int]], dict[int, int]]:
    """The organisation, each line's date and ticket type, the pools it must fit, and how
    many places each pool had free when read.

    Two queries on the hot path, both compiled once: ticket types with their event and
    organisation, then every pool of the dates with their times. Each line picks its pools
    in `reserves.line_pools`: its date's pool and, where set, its ticket type's quota (or,
    for a draw, the reserve's).
    """
    wanted = sorted({line.ticket_type_id for line in lines})
    types = {t.id: t for t in compiled.read_by_ids(TicketType, wanted, "event", "organisation")}
    rows = capacity.pools_of_dates(line.event_date_id for line in lines)
    offers, pools = {}, {}
    for line in lines:
        ticket_type = types.get(line.ticket_type_id)
        mine = [p for p in rows if p.event_date_id == line.event_date_id]
        date = _date_of(mine[0]) if mine else None
        if (
            ticket_type is None
            or ticket_type.event.organisation_id != organisation_id
            or (date is not None and date.event_id != ticket_type.event_id)
        ):
            raise NotFound()
        if date is None:
            # Only on this rare path: tell an unknown date from one that is not on sale.
            if not EventDate.objects.filter(
                id=line.event_date_id, event=ticket_type.event
            ).exists():
                raise NotFound()
            raise InvalidInput(NOT_ON_SALE_MESSAGE)
        if date.starts_at <= now:
            raise InvalidInput(STARTED)
        offers[line] = (date, ticket_type)
        pools[line] = reserves.line_pools(line, mine)  # a draw: the reserve's pool only
        if not pools[line]:
            raise InvalidInput(NOT_ON_SALE_MESSAGE)
    free = {pool.id: pool.free for pool in rows}
    return ticket_type.event.organisation, offers, pools, free


def _date_of(pool: capacity.PoolOfDate) -> EventDate:
    return EventDate(
        id=pool.event_date_id,
        event_id=pool.event_id,
        starts_at=pool.starts_at,
        ends_at=pool.ends_at,
    )


def _check_customer_mode(mode: State, ticket_types: list[TicketType]) -> None:
    for ticket_type in ticket_types:
        if ticket_type.requires_approval and mode != State.REQUEST:
            raise InvalidInput(APPROVAL_MESSAGE, name=ticket_type.name)
        if mode == State.OPTION and not ticket_type.reservable:
            raise NotReservable(name=ticket_type.name)


def _customer(organisation_id: int, customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    try:
        return Customer.objects.get(id=customer_id, organisation_id=organisation_id)
    except Customer.DoesNotExist:
        raise NotFound() from None
