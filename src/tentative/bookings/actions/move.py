"""Move a booking to another date, time, staff member or room (seed 003 "reschedule",
seed 004 "move a booking to another slot"), or one ticket line to another ticket type of
its event (a customer who wanted "Tarif réduit" and was booked at "Tarif plein").

All or nothing, in one transaction: what the moved lines consumed is given back, the lines
point at their new offer, and the new places or time are taken last before COMMIT like any
take, so a move that cannot be done (sold out, slot taken, past, not offered there) rolls
back and leaves the booking exactly where it was, and one that succeeds never double-books.
The state does not change; a booking that holds nothing (a quote, a request that does not
hold) just records its new wish, and is checked when it comes to hold; a request is refused
a time a live booking already holds, as at its creation.

Prices stay those of the booking when only the date or time changes: a move is not a new
sale. A line that changes ticket type takes that type's price, and the booking's total
follows (what it means for money, a balance due or an overpayment, is the payments'
business: they read the new total, as after a change of quantity).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from tentative import compiled
from tentative.bookings.actions._capacity import refuse_if_taken, take
from tentative.bookings.actions._deadline import option_deadline
from tentative.bookings.actions._step import lock_and_check, move, now_or
from tentative.bookings.errors import DeadlineUnreachable
from tentative.bookings.models import Booking, BookingLine
from tentative.bookings.offers import (
    AnyRequest,
    LineRequest,
    Offer,
    SlotRequest,
    SlotRules,
    resolve,
)
from tentative.core.states import Action, State
from tentative.inventory import capacity, claims
from tentative.inventory.access import check_may_draw
from tentative.inventory.models import Hold, TimeClaim
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.errors import InvalidInput, NotFound
from tentative.shared.transactions import action_transaction, at_the_end

NOWHERE = _(
    "Say where to move it: another date or ticket type, or another time, staff member or room."
)
WRONG_KIND = _(
    "A ticket moves to another date or ticket type; an appointment or a session to another time."
)
WHICH_LINE = _("Say which line changes ticket type.")
SAME_PLACE = _("The booking is already there.")


@dataclass(frozen=True)
class Destination:
    """Where to: a ticket line goes to another date of its event and/or another ticket
    type of it; a timed line to another start time and/or another resource that offers its
    service. Unset fields stay. `line_id` moves that line only (the others stay where they
    are); a change of ticket type names it unless the booking has one ticket line."""

    event_date_id: int | None = None
    starts_at: datetime | None = None
    resource_id: int | None = None
    ticket_type_id: int | None = None
    line_id: int | None = None


def move_booking(
    booking_id: int,
    *,
    actor: Actor,
    to: Destination,
    reason: str = "",
    message: str = "",
    notify: bool = True,
    now: datetime | None = None,
) -> Booking:
    """`reason` is a private note for staff (the audit trail); `message` is what the
    customer reads in the "moved" email, sent unless `notify` is off (seed 003)."""
    now = now_or(now)
    if to == Destination() or to == Destination(line_id=to.line_id):
        raise InvalidInput(NOWHERE)
    with action_transaction():
        booking, step = lock_and_check(
            booking_id, actor=actor, action=Action.MOVE, reason=reason, now=now
        )
        lines = list(booking.lines.select_related("service").order_by("id"))
        moving = _moving(lines, to)
        drawn = _drawn_reserves(lines)
        wanted = [
            _request(line, to if line.id in moving else Destination(), drawn.get(line.id))
            for line in lines
        ]
        if all(_same(line, request) for line, request in zip(lines, wanted, strict=True)):
            raise InvalidInput(SAME_PLACE)
        check_may_draw(actor, booking.organisation_id, (r for r in drawn.values() if r))
        # Staff reschedule within the staff member's hours, off the customers' grid.
        rules = SlotRules.CUSTOMER if actor.kind == ActorKind.CUSTOMER else SlotRules.STAFF
        sold = frozenset(line.service_price_id for line in lines if line.service_price_id)
        offers = resolve(
            booking.organisation_id, wanted, now=now, rules=rules, sold_prices=sold
        ).offers
        if booking.state == State.REQUEST.value and not booking.holds_capacity:
            # As at creation: a request that holds nothing may not wish for a time a live
            # booking holds, since it could never be approved there.
            refuse_if_taken((offer.claim for offer in offers if offer.claim), now=now)
        before = _describe(lines)
        total_before = booking.total
        if booking.holds_capacity:
            capacity.give_back_bookings([booking.id])
        time = _rewrite(lines, offers)
        _new_deadline(booking, offers, now=now)
        booking.total = sum((line.amount for line in lines), start=Decimal(0))
        if booking.holds_capacity:
            # Through the inventory like any take, last before COMMIT: a full date or ticket
            # type refuses the move (SoldOut) and the transaction leaves everything as it was.
            demand = capacity.held_by_booking(booking.id)
            at_the_end(lambda: take(demand, time, now=now))
        data: dict[str, Any] = {"from": before, "to": _describe(lines)}
        if booking.total != total_before:
            data["total"] = {"from": str(total_before), "to": str(booking.total)}
        return move(
            booking,
            step,
            actor=actor,
            now=now,
            reason=reason,
            data=data,
            event={"message": message, "notify": notify},
        )


def _moving(lines: list[BookingLine], to: Destination) -> set[int]:
    """The ids of the lines `to` moves: the one it names, the only ticket line for a change
    of ticket type, or else every line."""
    if to.line_id is not None:
        named = next((line for line in lines if line.id == to.line_id), None)
        if named is None:
            raise NotFound()
        if named.is_timed:  # a slot moves as one: every line of it
            return {line.id for line in lines if line.is_timed}
        return {named.id}
    if to.ticket_type_id is not None:
        tickets = [line.id for line in lines if line.ticket_type_id is not None]
        if len(tickets) != 1:
            raise InvalidInput(WHICH_LINE if tickets else WRONG_KIND)
        return set(tickets)
    return {line.id for line in lines}


def _drawn_reserves(lines: list[BookingLine]) -> dict[int, int | None]:
    """Each ticket line's reserve, if it was drawn from one: it draws from the same
    reserve on the new date."""
    rows = Hold.objects.filter(line__in=lines, pool__reserve__isnull=False).values_list(
        "line_id", "pool__reserve_id"
    )
    return dict(rows)


def _request(line: BookingLine, to: Destination, reserve_id: int | None) -> AnyRequest:
    participants: tuple[tuple[str, str], ...] = ()  # already written; moving keeps them
    if line.ticket_type_id is not None:
        if to.starts_at is not None or to.resource_id is not None:
            raise InvalidInput(WRONG_KIND)
        return LineRequest(
            event_date_id=to.event_date_id or line.event_date_id,  # type: ignore[arg-type]
            ticket_type_id=to.ticket_type_id or line.ticket_type_id,
            quantity=line.quantity,
            participants=participants,
            reserve_id=reserve_id,
        )
    if to.event_date_id is not None or to.ticket_type_id is not None:
        raise InvalidInput(WRONG_KIND)
    return SlotRequest(
        service_id=line.service_id,  # type: ignore[arg-type]
        resource_id=to.resource_id or line.resource_id,  # type: ignore[arg-type]
        starts_at=to.starts_at or line.starts_at,
        quantity=line.quantity,
        price_id=line.service_price_id,
    )


def _same(line: BookingLine, request: AnyRequest) -> bool:
    if isinstance(request, LineRequest):
        return (request.event_date_id, request.ticket_type_id) == (
            line.event_date_id,
            line.ticket_type_id,
        )
    return request.resource_id == line.resource_id and request.starts_at == line.starts_at


def _rewrite(lines: list[BookingLine], offers: list[Offer]) -> list[TimeClaim]:
    """Point every line, its holds and its claim at the new offer; returns the claims to
    activate (inactive now: `claims.move` only moves a released claim)."""
    Hold.objects.filter(line__in=lines).delete()
    compiled.insert(
        [
            Hold(line=line, pool_id=pool_id, quantity=line.quantity)
            for line, offer in zip(lines, offers, strict=True)
            for pool_id in offer.pools
        ]
    )
    existing = {c.line_id: c for c in TimeClaim.objects.filter(line__in=lines)}
    time = []
    for line, offer in zip(lines, offers, strict=True):
        if line.ticket_type_id is not None and line.ticket_type_id != offer.line_fields.get(
            "ticket_type_id"
        ):
            line.unit_price = offer.unit_price  # another ticket type: its price
        for name, value in offer.line_fields.items():
            if name != "per_group":  # how it is priced is the booking's, like its prices
                setattr(line, name, value)
        line.starts_at, line.ends_at = offer.starts_at, offer.ends_at
        line.save()
        claim = existing.get(line.id)
        if claim is not None and offer.claim is not None:
            claims.move(
                claim.id,
                resource_id=offer.claim.resource_id,
                starts_at=offer.claim.starts_at,
                ends_at=offer.claim.ends_at,
            )
            claim.resource_id = offer.claim.resource_id
            claim.starts_at, claim.ends_at = offer.claim.starts_at, offer.claim.ends_at
            time.append(claim)
    return time


def _new_deadline(booking: Booking, offers: list[Offer], *, now: datetime) -> None:
    """A tentative booking must still be decided before its (new) start, and an option
    keeps to its rule counted from when it was booked: the deadline can only come closer."""
    if booking.state not in (State.QUOTE, State.REQUEST, State.OPTION):
        return
    first_start = min(offer.starts_at for offer in offers)
    limits: dict[str, Any] = {"deadline_shown": first_start, "deadline_enforced": first_start}
    if booking.state == State.OPTION:
        limits = option_deadline(
            booking.organisation,
            [(offer.starts_at, offer.terms) for offer in offers],
            now=booking.created_at,
            language=booking.language,
        )
    closer = False
    for name in ("deadline_shown", "deadline_enforced"):
        current, new = getattr(booking, name), limits[name]
        if current is not None and new is not None and new < current:
            setattr(booking, name, new)
            closer = True
    # Only a deadline the move brought forward can refuse it: an option kept past its
    # deadline for staff review (flexible policy) may still be moved.
    if closer and booking.deadline_enforced is not None and booking.deadline_enforced <= now:
        local = timezone.localtime(booking.deadline_enforced, booking.organisation.zone)
        raise DeadlineUnreachable(deadline=formats.date_format(local, "DATETIME_FORMAT"))


def _describe(lines: list[BookingLine]) -> list[dict[str, Any]]:
    """Where the lines were or are, for the audit entry."""
    return [
        {
            "line": line.id,
            "event_date": line.event_date_id,
            "ticket_type": line.ticket_type_id,
            "unit_price": str(line.unit_price),
            "resource": line.resource_id,
            "starts_at": line.starts_at.isoformat(),
        }
        for line in lines
    ]
