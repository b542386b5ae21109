"""Approve a request (seed 000, seed 003): it becomes an option awaiting payment, or firm.

Approving re-checks capacity when the request did not hold places, and can be refused.
Where the offer is charged after approval (`OfferTerms.approval_charge`) and there is
something to pay, it becomes an option awaiting payment: the payments' worker job then
captures the card authorised at request time, or sends a payment request (docs/payments.md).
"""

from __future__ import annotations

from datetime import datetime

from tentative.bookings.actions._step import lock_and_check, move_with_new_deadline, now_or
from tentative.bookings.errors import ChargedAfterApproval
from tentative.bookings.models import Booking
from tentative.core import states
from tentative.core.approval import Charge, approved_into_option
from tentative.core.states import Action, State
from tentative.shared.actor import Actor
from tentative.shared.transactions import action_transaction


def approve_booking(
    booking_id: int,
    *,
    actor: Actor,
    target: State | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Booking:
    """`target` None: an option when the offer is charged after approval, else firm."""
    now = now_or(now)
    with action_transaction():
        booking, step = lock_and_check(
            booking_id,
            actor=actor,
            action=Action.APPROVE,
            target=target or State.OPTION,
            reason=reason,
            now=now,
        )
        charged = _charged_offer(booking)  # read under the booking's lock
        if target is None and not charged:
            step = states.transition(step.source, Action.APPROVE, State.CONFIRMED, reason=reason)
        elif target == State.CONFIRMED and charged:
            raise ChargedAfterApproval(name=charged)
        return move_with_new_deadline(booking, step, actor=actor, now=now, reason=reason)


def _charged_offer(booking: Booking) -> str:
    """The name of an offer of `booking` charged after approval when there is something to
    pay, else ""."""
    terms = [
        (line.ticket_type or line.service)
        for line in booking.lines.select_related("ticket_type", "service")
    ]
    charges = [Charge(t.approval_charge) for t in terms]
    if not approved_into_option(charges, booking.total > 0):
        return ""
    return next(t.name for t in terms if t.approval_charge != Charge.NONE)
