"""Approve a request (seed 000, seed 003): it becomes an option awaiting payment, or firm.

Approving re-checks capacity when the request did not hold places, and can be refused.
Where the offer is charged after approval (`OfferTerms.approval_charge`) and there is
something to pay, it becomes an option awaiting payment: the payments' worker job then
captures the card authorised at request time, or sends a payment request (docs/payments.md).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tentative.bookings.actions._step import (
    lock_and_check,
    move,
    move_with_new_deadline,
    now_or,
)
from tentative.bookings.errors import ChargedAfterApproval
from tentative.bookings.models import Booking
from tentative.core import states
from tentative.core.approval import Charge, approved_into_option
from tentative.core.states import Action, State
from tentative.inventory import claims
from tentative.inventory.models import TimeClaim
from tentative.shared.actor import Actor
from tentative.shared.transactions import action_transaction

SLOT_GIVEN = _(
    "Another request for the same time was accepted, so this one could not be. "
    "Please choose another time."
)


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
        # The resources first, then the booking: two approvals of requests for one staff
        # member's overlapping time queue here, so the rivals each declines are never
        # locked by the other (no lock cycle).
        resources = _lock_resources(booking_id)
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
        booking = move_with_new_deadline(booking, step, actor=actor, now=now, reason=reason)
        if booking.holds_capacity and resources:
            decline_rivals(booking, actor=actor, now=now)
        return booking


def _lock_resources(booking_id: int) -> list[int]:
    """Lock the staff members or rooms whose time the booking wants (sorted)."""
    wanted = sorted(
        set(
            TimeClaim.objects.filter(line__booking_id=booking_id).values_list(
                "resource_id", flat=True
            )
        )
    )
    for resource_id in wanted:
        claims.lock(resource_id)
    return wanted


def rivals(booking: Booking) -> list[int]:
    """Requests that hold nothing (*several clients may request the same slot*) and want
    time of the same resource overlapping this booking's claims."""
    mine = list(
        TimeClaim.objects.filter(line__booking_id=booking.id).values_list(
            "resource_id", "starts_at", "ends_at"
        )
    )
    found: set[int] = set()
    for resource_id, starts_at, ends_at in mine:
        overlapping = TimeClaim.objects.filter(
            line__booking_id=OuterRef("id"),
            resource_id=resource_id,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        found.update(
            Booking.objects.filter(
                Exists(overlapping),
                organisation_id=booking.organisation_id,
                state=State.REQUEST.value,
                holds_capacity=False,
            )
            .exclude(id=booking.id)
            .values_list("id", flat=True)
        )
    return sorted(found)


def decline_rivals(booking: Booking, *, actor: Actor, now: datetime) -> list[int]:
    """Approving one request refuses the others for the same time (seed 003), each with
    its email, in the approval's transaction. Locked in id order under the resource lock;
    re-checked on the fresh row (a rival cancelled meanwhile is left alone)."""
    declined = []
    for rival in (
        Booking.objects.select_for_update(no_key=True)
        .filter(id__in=rivals(booking), state=State.REQUEST.value)
        .order_by("id")
    ):
        with translation.override(rival.language or None):
            reason = str(SLOT_GIVEN)
        step = states.transition(rival.state_enum, Action.DECLINE, reason=reason)
        move(
            rival,
            step,
            actor=actor,
            now=now,
            reason=reason,
            data={"because_of": booking.reference},
            event={"because_of": booking.reference},
        )
        declined.append(rival.id)
    return declined


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
