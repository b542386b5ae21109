"""The only way to fetch a booking for an actor: scoped to the organisation, rights checked.

Permissions live here, called by the action functions, so that every face (back office,
portal, API, worker) gets the same answer.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from tentative.bookings.models import Booking
from tentative.core import states
from tentative.core.deadlines import AtLimit, lapsed
from tentative.core.permissions import customer_may, staff_may
from tentative.core.states import Action, State
from tentative.shared.actor import Actor, ActorKind
from tentative.shared.errors import Forbidden, NotFound


def visible_bookings(actor: Actor) -> QuerySet[Booking]:
    bookings = Booking.objects.all()
    if actor.kind == ActorKind.SYSTEM:
        return bookings
    bookings = bookings.filter(organisation_id=actor.organisation_id)
    if actor.kind == ActorKind.CUSTOMER:
        bookings = bookings.filter(customer_id=actor.customer_id)
    return bookings


def access_booking(actor: Actor, booking_id: int, *, lock: bool = False) -> Booking:
    """Another organisation's booking is 'not found', not 'forbidden': ids do not leak."""
    bookings = visible_bookings(actor)
    if lock:
        bookings = bookings.select_for_update(no_key=True)
    try:
        return bookings.get(id=booking_id)
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_booking_by_reference(actor: Actor, reference: str) -> Booking:
    if "\x00" in reference:  # PostgreSQL refuses NUL in text: an unknown reference, not a 500
        raise NotFound()
    try:
        return visible_bookings(actor).get(reference=reference)
    except Booking.DoesNotExist:
        raise NotFound() from None


def ids_by_reference(actor: Actor, references: list[str]) -> dict[str, int]:
    """The actor's bookings among `references` (as typed: upper-cased), by reference; the
    others are simply absent (another organisation's are not found, not forbidden)."""
    wanted = {r.upper() for r in references if "\x00" not in r}
    rows = visible_bookings(actor).filter(reference__in=wanted).values_list("reference", "id")
    return dict(rows)


def check_may(actor: Actor, action: Action, source: State | None) -> None:
    if actor.kind == ActorKind.SYSTEM:
        return
    if actor.kind == ActorKind.STAFF and actor.role and staff_may(actor.role, action, source):
        return
    if actor.kind == ActorKind.CUSTOMER and customer_may(action, source):
        return
    raise Forbidden()


# What a booking page offers: the actions staff take on one booking (creating and the
# deadline's expiry are not buttons).
PAGE_ACTIONS = (
    Action.APPROVE,
    Action.DECLINE,
    Action.CONVERT,
    Action.CONFIRM,
    Action.EXTEND,
    Action.MOVE,
    Action.CHANGE_QUANTITY,
    Action.REINSTATE,
    Action.CANCEL,
)
_ENDINGS = frozenset({Action.CANCEL, Action.DECLINE})


def allowed_actions(actor: Actor, booking: Booking, *, now: datetime) -> tuple[Action, ...]:
    """The actions `actor` may take on `booking` now, asked of the core (the state machine,
    the roles, the deadline) as the actions themselves ask it: a page shows these buttons.
    A booking past its enforced limit can only be ended (`actions._step.lock_and_check`)."""
    source = booking.state_enum
    past_limit = source in (State.QUOTE, State.REQUEST, State.OPTION) and lapsed(
        booking.deadline_enforced, AtLimit(booking.at_limit), now
    )
    allowed = []
    for action in PAGE_ACTIONS:
        if not states.targets(action, source) or (past_limit and action not in _ENDINGS):
            continue
        try:
            check_may(actor, action, source)
        except Forbidden:
            continue
        allowed.append(action)
    return tuple(allowed)
