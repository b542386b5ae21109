"""The common second half of every single-booking action: move, audit, tell.

The action module does what is particular to its verb (deadline, permission nuance), then
calls `move`, which applies the capacity consequence of the new state, saves, and writes
the audit entry and the outbox event in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import formats, timezone

from tentative.audit import trail as audit
from tentative.bookings.access import access_booking, check_may
from tentative.bookings.actions._capacity import drawn_reserves, give_back_for, take_for
from tentative.bookings.actions._deadline import deadline_fields
from tentative.bookings.errors import IllegalTransition, Lapsed
from tentative.bookings.models import Booking
from tentative.catalog.messages import STARTED
from tentative.core import states
from tentative.core.deadlines import AtLimit, lapsed
from tentative.core.states import Action, State, Transition
from tentative.inventory.access import check_may_draw
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or as now_or  # the actions import it from here
from tentative.shared.errors import InvalidInput, ReasonRequired
from tentative.shared.transactions import at_the_end

LAPSABLE = (State.QUOTE, State.REQUEST, State.OPTION)
# Actions that end a booking may still end one that has lapsed but was not swept yet.
ENDINGS = frozenset({Action.CANCEL, Action.DECLINE, Action.EXPIRE})

ACTION_WORDS = {
    Action.CONVERT: "converted",
    Action.APPROVE: "approved",
    Action.DECLINE: "declined",
    Action.CONFIRM: "confirmed",
    Action.EXTEND: "extended",
    Action.EXPIRE: "expired",
    Action.CANCEL: "cancelled",
    Action.REINSTATE: "reinstated",
    Action.MOVE: "moved",
    Action.CHANGE_QUANTITY: "changed",
}


def lock_and_check(
    booking_id: int,
    *,
    actor: Actor,
    action: Action,
    target: State | None = None,
    reason: str = "",
    now: datetime,
) -> tuple[Booking, Transition]:
    """Lock the booking, then decide on the fresh row: rights, then the state machine."""
    booking = access_booking(actor, booking_id, lock=True)
    if has_lapsed(booking, now) and action not in ENDINGS:
        if action != Action.REINSTATE:
            # Past its enforced limit it is expired in all but name (invariant 6): it can
            # no longer be continued, only ended or, once expired, reinstated.
            check_may(actor, action, booking.state_enum)
            local = timezone.localtime(booking.deadline_enforced, booking.organisation.zone)
            raise Lapsed(deadline=formats.date_format(local, "DATETIME_FORMAT"))
        # Expire it now, as the sweep would have, then reinstate it from there.
        expire = states.transition(booking.state_enum, Action.EXPIRE)
        move(booking, expire, actor=Actor.system("deadline"), now=now)
    source = booking.state_enum
    check_may(actor, action, source)
    try:
        return booking, states.transition(source, action, target, reason=reason)
    except states.IllegalTransition:
        raise IllegalTransition(state=source.value, action=ACTION_WORDS[action]) from None
    except states.ReasonRequired:
        raise ReasonRequired() from None


def has_lapsed(booking: Booking, now: datetime) -> bool:
    """A quote, request or option past its enforced limit whose action there is release."""
    return booking.state in LAPSABLE and lapsed(
        booking.deadline_enforced, AtLimit(booking.at_limit), now
    )


def move(
    booking: Booking,
    step: Transition,
    *,
    actor: Actor,
    now: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    event: dict[str, Any] | None = None,
) -> Booking:
    """Apply `step`: capacity, state, save; `data` goes to the audit entry, `event` to the
    outbox event beside the source state and the reason."""
    source = booking.state
    should_hold = states.takes_capacity(step.target, requests_hold=booking.requests_hold)
    if should_hold and not booking.holds_capacity:
        # Places drawn from a reserve are taken now (a quote converted, a request that held
        # none approved, a booking reinstated): whoever does it must be allowed to draw from
        # that reserve now, as at creation, and an archived reserve gives no more.
        check_may_draw(actor, booking.organisation_id, drawn_reserves(booking))
        # Re-checks capacity (approving or converting can be refused), last before COMMIT
        # like every take, so pools are always the last rows a transaction locks.
        at_the_end(lambda: take_for(booking, now=now))
    elif booking.holds_capacity and not should_hold:
        give_back_for([booking.id])
    booking.holds_capacity = should_hold
    booking.state = step.target.value
    booking.updated_at = now
    if step.target not in (*LAPSABLE, State.EXPIRED):  # an expired one keeps what lapsed
        booking.deadline_shown = booking.deadline_enforced = None
    booking.save()
    audit.record(
        booking,
        actor=actor,
        action=step.action.value,
        at=now,
        from_state=source,
        reason=reason,
        data=data,
    )
    outbox.emit(
        booking,
        topics.AFTER[step.action],
        actor=actor,
        at=now,
        data={"from_state": source, "reason": reason, **(event or {})},
    )
    return booking


def move_with_new_deadline(
    booking: Booking, step: Transition, *, actor: Actor, now: datetime, reason: str = ""
) -> Booking:
    """For moves into a dated state (approve, convert, reinstate): the deadline starts now."""
    offers = [
        (line.starts_at, line.ticket_type or line.service)
        for line in booking.lines.select_related("ticket_type", "service")
    ]
    if any(starts_at <= now for starts_at, _ in offers):
        raise InvalidInput(STARTED)
    for field, value in deadline_fields(
        step.target, booking.organisation, offers, now=now, language=booking.language
    ).items():
        setattr(booking, field, value)
    return move(booking, step, actor=actor, now=now, reason=reason)
