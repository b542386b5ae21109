"""Accept or refuse many requests at once (seed 000: the pending orders, ticked, then
*Accept* or *Refuse* with an optional message), with an outcome per request.

The same rules as `approve_booking` (target None: an option awaiting payment when the offer
is charged after approval, else confirmed; a lapsed request cannot be accepted; places
drawn from a reserve need the right to draw) and `decline_booking`, written set-based
(STYLE.md, "an action may act on a set"), so that 500 requests cost about fifteen
statements, not 500 transactions:

1. the requests are locked in ascending id order (two bulk decisions never wait on each
   other in a cycle), scoped to the actor's organisation, and decided on the fresh rows;
2. accepting takes the places of the requests that did not hold any (`requests_hold` off)
   pool by pool (`capacity.take_what_fits`: every pool locked once, in id order, served
   first come first served by booking time, one UPDATE per pool), after reclaiming lapsed
   options on a date that looks short (invariant 6); a request that does not fit keeps
   waiting, reported `no_places`;
3. one UPDATE (refuse; accept: one per distinct set of new values, usually one or two),
   one bulk INSERT of audit entries and one of outbox events; the payments' worker pass
   then captures, voids or asks for the money from what the rows say
   (payments/actions/collect_after_approval.py), exactly as after one approval.

Requests with a timed line (an appointment, a room) whose time is not claimed yet take it one
by one in a savepoint, before the pools: such a slot is one resource's, there is no set.
Accepting such a request declines the rival requests that hold nothing and want an
overlapping time of the same resource (*several clients may request the same slot*),
exactly as `approve_booking` does (`decline_rivals`: the same audit entry and "declined"
email), in the same lock order: the resources the requests want first (ascending id), then
the requests (ascending id), then the rivals (ascending id). A rival that is itself among
the requests being accepted is reported `refused` (declined because of the one accepted).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tentative.audit import trail as audit
from tentative.audit.models import AuditEntry
from tentative.bookings.access import check_may, visible_bookings
from tentative.bookings.actions._capacity import take
from tentative.bookings.actions._deadline import deadline_fields
from tentative.bookings.actions._lapsed import reclaim_lapsed
from tentative.bookings.actions._step import has_lapsed, now_or
from tentative.bookings.actions.approve import decline_rivals
from tentative.bookings.errors import DeadlineUnreachable, SlotTaken, SoldOut
from tentative.bookings.models import Booking, BookingLine
from tentative.core.approval import Charge, approved_into_option
from tentative.core.states import Action, State
from tentative.inventory import capacity, claims
from tentative.inventory.access import check_may_draw
from tentative.inventory.models import Hold, TimeClaim
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.shared.actor import Actor
from tentative.shared.errors import DomainError, InvalidInput
from tentative.shared.transactions import action_transaction

# One decision's size: a page of pending orders, selected all. More goes in several calls.
MAX_REQUESTS = 1000
TOO_MANY = _("At most %(n)s requests at once.")
NOTHING = _("Select at least one request.")


class Decision(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    NO_PLACES = "no_places"  # not accepted: the places (or the time) are gone; still waiting
    ALREADY_DECIDED = "already_decided"  # no longer a request (decided, cancelled, expired)
    LAPSED = "lapsed"  # past its decision limit or its date started: only refusing is left
    DEADLINE_UNREACHABLE = "deadline_unreachable"  # an option's payment deadline is past
    NOT_ALLOWED = "not_allowed"  # places from a reserve this member may not draw from
    NOT_FOUND = "not_found"  # no such booking in the organisation


@dataclass(frozen=True)
class Decided:
    booking_id: int
    reference: str
    outcome: Outcome
    state: str  # the booking's state afterwards ("" when not found)


def decide_requests(
    booking_ids: Iterable[int],
    *,
    decision: Decision,
    actor: Actor,
    message: str = "",
    now: datetime | None = None,
) -> list[Decided]:
    """Accept or refuse the given requests; one outcome per id, in the order given."""
    now = now_or(now)
    ids = list(dict.fromkeys(int(i) for i in booking_ids))
    if not ids:
        raise InvalidInput(NOTHING)
    if len(ids) > MAX_REQUESTS:
        raise InvalidInput(TOO_MANY, n=MAX_REQUESTS)
    # A role's right to approve or decline a request is the same for every row.
    check_may(
        actor, Action.APPROVE if decision == Decision.ACCEPT else Action.DECLINE, State.REQUEST
    )
    results: dict[int, Decided] = {}
    with action_transaction():
        if decision == Decision.ACCEPT:
            # As approve_booking: the resources first, so that a bulk decision and a single
            # approval of rival requests queue on the resource instead of deadlocking.
            _lock_resources(actor, ids)
        locked = _lock(actor, ids)
        open_requests = []
        for booking in locked:
            if booking.state != State.REQUEST:
                results[booking.id] = _result(booking, Outcome.ALREADY_DECIDED)
            elif decision == Decision.ACCEPT and has_lapsed(booking, now):
                results[booking.id] = _result(booking, Outcome.LAPSED)
            else:
                open_requests.append(booking)
        if decision == Decision.REFUSE:
            decided = _refuse(open_requests, actor=actor, message=message, now=now)
        else:
            decided = _accept(open_requests, actor=actor, message=message, now=now)
        results.update(decided)
    return [results.get(i) or Decided(i, "", Outcome.NOT_FOUND, "") for i in ids]


def _result(booking: Booking, outcome: Outcome) -> Decided:
    return Decided(booking.id, booking.reference, outcome, booking.state)


def _lock_resources(actor: Actor, ids: list[int]) -> None:
    """Lock the staff members or rooms whose time the visible requests want (sorted)."""
    wanted: set[int] = set()
    for start in range(0, len(ids), capacity.IDS_PER_STATEMENT):
        chunk = ids[start : start + capacity.IDS_PER_STATEMENT]
        wanted.update(
            TimeClaim.objects.filter(
                line__booking__in=visible_bookings(actor).filter(
                    id__in=chunk, state=State.REQUEST.value
                )
            ).values_list("resource_id", flat=True)
        )
    for resource_id in sorted(wanted):
        claims.lock(resource_id)


def _lock(actor: Actor, ids: list[int]) -> list[Booking]:
    ordered = sorted(ids)
    found: list[Booking] = []
    for start in range(0, len(ordered), capacity.IDS_PER_STATEMENT):
        found.extend(
            visible_bookings(actor)
            .filter(id__in=ordered[start : start + capacity.IDS_PER_STATEMENT])
            .select_related("organisation")
            .select_for_update(no_key=True, of=("self",))
            .order_by("id")
        )
    return found


def _refuse(
    bookings: list[Booking], *, actor: Actor, message: str, now: datetime
) -> dict[int, Decided]:
    if not bookings:
        return {}
    ids = [b.id for b in bookings]
    for start in range(0, len(ids), capacity.IDS_PER_STATEMENT):
        Booking.objects.filter(id__in=ids[start : start + capacity.IDS_PER_STATEMENT]).update(
            state=State.DECLINED.value,
            holds_capacity=False,
            deadline_shown=None,
            deadline_enforced=None,
            updated_at=now,
        )
    holding = [b.id for b in bookings if b.holds_capacity]
    for booking in bookings:
        booking.state, booking.holds_capacity = State.DECLINED.value, False
    if holding:
        capacity.give_back_bookings(holding)  # the pools last, in id order
    _record(
        bookings, Action.DECLINE, topics.BOOKING_DECLINED, actor=actor, message=message, now=now
    )
    return {b.id: _result(b, Outcome.REFUSED) for b in bookings}


def _accept(
    bookings: list[Booking], *, actor: Actor, message: str, now: datetime
) -> dict[int, Decided]:
    if not bookings:
        return {}
    results: dict[int, Decided] = {}
    lines: dict[int, list[BookingLine]] = defaultdict(list)
    for line in BookingLine.objects.filter(booking_id__in=[b.id for b in bookings]).select_related(
        "ticket_type", "service"
    ):
        lines[line.booking_id].append(line)
    # What each becomes, decided in Python from what was read: the target and its deadline.
    ready: list[Booking] = []
    for booking in bookings:
        terms = [line.ticket_type or line.service for line in lines[booking.id]]
        if any(line.starts_at <= now for line in lines[booking.id]):
            results[booking.id] = _result(booking, Outcome.LAPSED)
            continue
        charged = approved_into_option(
            [Charge(t.approval_charge) for t in terms], booking.total > 0
        )
        target = State.OPTION if charged else State.CONFIRMED
        offers = [(line.starts_at, t) for line, t in zip(lines[booking.id], terms, strict=True)]
        try:
            fields = deadline_fields(
                target, booking.organisation, offers, now=now, language=booking.language
            )
        except DeadlineUnreachable:
            results[booking.id] = _result(booking, Outcome.DEADLINE_UNREACHABLE)
            continue
        for name, value in fields.items():
            setattr(booking, name, value)
        booking.state = target.value
        ready.append(booking)
    # Places for those that hold none yet, first come first served.
    needing = sorted((b for b in ready if not b.holds_capacity), key=lambda b: (b.created_at, b.id))
    refused = _take_places(needing, actor=actor, now=now)
    by_id = {b.id: b for b in ready}
    for booking_id, outcome in refused.items():
        booking = by_id[booking_id]
        booking.state = State.REQUEST.value  # unchanged: it keeps waiting
        results[booking_id] = _result(booking, outcome)
    accepted = [b for b in ready if b.id not in refused]
    for booking in accepted:
        booking.holds_capacity = True
        booking.updated_at = now
        if booking.state == State.CONFIRMED:
            booking.deadline_shown = booking.deadline_enforced = None
    _save(accepted)
    _record(
        accepted, Action.APPROVE, topics.BOOKING_APPROVED, actor=actor, message=message, now=now
    )
    results.update({b.id: _result(b, Outcome.ACCEPTED) for b in accepted})
    # Rivals last (after the accepted rows are written, so none of them is taken for one).
    timed = set(
        TimeClaim.objects.filter(line__booking_id__in=[b.id for b in accepted]).values_list(
            "line__booking_id", flat=True
        )
    )
    in_the_set = {b.id: b for b in bookings}
    for booking in accepted:
        if booking.id in timed:
            for rival_id in decline_rivals(booking, actor=actor, now=now):
                if rival_id in in_the_set:
                    rival = in_the_set[rival_id]
                    rival.state, rival.holds_capacity = State.DECLINED.value, False
                    results[rival_id] = _result(rival, Outcome.REFUSED)
    return results


# What accepting writes on each row: usually the same for all the requests of an offer
# decided at once (their deadline is counted from now), hence one UPDATE per distinct set
# of values. Django's `bulk_update` wrote a CASE per field and row instead, and building it
# took most of a 500-request decision's time.
ACCEPTED_FIELDS = (
    "state",
    "holds_capacity",
    "deadline_shown",
    "deadline_enforced",
    "at_limit",
    "deadline_rule",
    "deadline_terms",
    "updated_at",
)


def _save(bookings: list[Booking]) -> None:
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    values_of: dict[tuple[object, ...], tuple[object, ...]] = {}
    for booking in bookings:
        values = tuple(getattr(booking, name) for name in ACCEPTED_FIELDS)
        # The rule's parameters are a dict: grouped by their JSON, written as they are.
        key = tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in values)
        groups[key].append(booking.id)
        values_of[key] = values
    for key, ids in groups.items():
        for start in range(0, len(ids), capacity.IDS_PER_STATEMENT):
            Booking.objects.filter(id__in=ids[start : start + capacity.IDS_PER_STATEMENT]).update(
                **dict(zip(ACCEPTED_FIELDS, values_of[key], strict=True))
            )


def _take_places(bookings: list[Booking], *, actor: Actor, now: datetime) -> dict[int, Outcome]:
    """Take what each booking's lines record; returns those refused, with why."""
    if not bookings:
        return {}
    refused: dict[int, Outcome] = {}
    ids = [b.id for b in bookings]
    pairs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    reserves: dict[int, set[int]] = defaultdict(set)
    for booking_id, pool_id, quantity, reserve_id in Hold.objects.filter(
        line__booking_id__in=ids
    ).values_list("line__booking_id", "pool_id", "quantity", "pool__reserve_id"):
        pairs[booking_id].append((pool_id, quantity))
        if reserve_id is not None:
            reserves[booking_id].add(reserve_id)
    for booking in bookings:
        if reserves[booking.id]:
            try:
                check_may_draw(actor, booking.organisation_id, reserves[booking.id])
            except DomainError:
                refused[booking.id] = Outcome.NOT_ALLOWED
    timed = set(
        TimeClaim.objects.filter(line__booking_id__in=ids).values_list(
            "line__booking_id", flat=True
        )
    )
    # Timed ones first (claims before pools, as in `take`), each in its own savepoint.
    for booking in bookings:
        if booking.id in timed and booking.id not in refused:
            try:
                with transaction.atomic():
                    take(
                        pairs[booking.id],
                        TimeClaim.objects.filter(line__booking_id=booking.id),
                        now=now,
                    )
            except (SlotTaken, SoldOut):
                refused[booking.id] = Outcome.NO_PLACES
    served = [b for b in bookings if b.id not in refused and b.id not in timed]
    _reclaim_where_short([pairs[b.id] for b in served], now=now)
    got = capacity.take_what_fits([pairs[b.id] for b in served])
    refused.update({b.id: Outcome.NO_PLACES for b, ok in zip(served, got, strict=True) if not ok})
    return refused


def _reclaim_where_short(wanted: list[list[tuple[int, int]]], *, now: datetime) -> None:
    """Invariant 6: a lapsed option never blocks a place. Where a pool looks short of what
    is asked, its date's lapsed options are expired first (holding no pool yet, we may wait
    for one that another transaction is deciding on)."""
    total = capacity.demand(pair for pairs in wanted for pair in pairs)
    free = capacity.free_of(pool_id for pool_id, _ in total)
    for pool_id, quantity in total:
        if free.get(pool_id, 0) < quantity:
            reclaim_lapsed(now=now, pool_id=pool_id, wait=True)


def _record(
    bookings: list[Booking],
    action: Action,
    topic: str,
    *,
    actor: Actor,
    message: str,
    now: datetime,
) -> None:
    """One audit entry and one outbox event per booking, in bulk (as `_step.move` writes
    them for one: the message is the reason, which the customer's email shows)."""
    if not bookings:
        return
    source = State.REQUEST.value
    AuditEntry.objects.bulk_create(
        (
            audit.entry(
                b, actor=actor, action=action.value, at=now, from_state=source, reason=message
            )
            for b in bookings
        ),
        batch_size=500,
    )
    outbox.emit_many(
        outbox.event_for(
            b, topic, actor=actor, at=now, data={"from_state": source, "reason": message}
        )
        for b in bookings
    )
