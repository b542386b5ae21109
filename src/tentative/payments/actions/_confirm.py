"""What a captured payment does to its booking, in the payment's transaction.

- An option paid in full becomes firm.
- A late payment — for an option past its enforced limit, or already expired (DESIGN §1.6,
  issue 10 item 7) — brings the booking back if its places or its slot are still free
  (reinstated: confirmed when paid in full, else an option with a fresh deadline), and
  otherwise is refunded at once. Both end in the same transaction as the payment, so a
  payment racing the sweep and another customer ends in exactly one of the two.
- A request is left to staff: it must be approved first.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from tentative.bookings.actions import confirm_booking, reinstate_booking
from tentative.bookings.errors import Lapsed, SlotTaken, SoldOut
from tentative.bookings.models import Booking
from tentative.core.deadlines import AtLimit, lapsed
from tentative.core.money import PaymentStatus
from tentative.core.states import State
from tentative.payments.actions._refund import record_refund
from tentative.payments.models import Payment
from tentative.payments.selectors import balance, owes
from tentative.shared.actor import Actor
from tentative.shared.errors import InvalidInput
from tentative.shared.transactions import drop_last_steps, next_action_joins, run_last_steps

LATE = "late payment"
ENDED = "booking ended before the capture"
# What refuses a late payment's booking: its places or slot are gone, or it has started.
GONE = (SoldOut, SlotTaken, InvalidInput, Lapsed)


def settle(booking: Booking, payment: Payment, *, now: datetime) -> None:
    """`booking` and `payment` are locked by the caller; `payment` has just been captured."""
    actor = Actor.system("payment")
    paid = balance(booking).status in (PaymentStatus.PAID, PaymentStatus.OVERPAID)
    late = booking.state == State.EXPIRED or (
        booking.state == State.OPTION
        and lapsed(booking.deadline_enforced, AtLimit(booking.at_limit), now)
    )
    if not owes(booking):
        # A cancelled or declined booking owes nothing, so money that lands on it goes back
        # at once: an authorisation captured after approval while staff cancelled
        # (actions/collect_after_approval.py), a card page opened before the cancellation
        # and finished after it.
        _refund_late(payment, actor=actor, now=now, reason=ENDED)
    elif late:
        _late(booking, payment, paid=paid, actor=actor, now=now)
    elif booking.state == State.OPTION and paid:
        with next_action_joins():
            confirm_booking(booking.id, actor=actor, reason="paid", now=now)


def _late(booking: Booking, payment: Payment, *, paid: bool, actor: Actor, now: datetime) -> None:
    savepoint = transaction.savepoint()
    try:
        with next_action_joins():
            reinstate_booking(
                booking.id,
                actor=actor,
                target=State.CONFIRMED if paid else State.OPTION,
                reason=LATE,
                now=now,
            )
        run_last_steps()  # the take, now: its refusal must fall inside the savepoint
    except GONE:
        transaction.set_rollback(False)
        transaction.savepoint_rollback(savepoint)
        drop_last_steps()
        _refund_late(payment, actor=actor, now=now)


def _refund_late(payment: Payment, *, actor: Actor, now: datetime, reason: str = LATE) -> None:
    """The places are gone: everything this payment captured goes back, at once."""
    left = payment.captured - payment.refunded
    if left <= Decimal(0):
        return
    extra = {"late": True} if reason == LATE else {}
    record_refund(payment, left, actor=actor, reason=reason, now=now, extra=extra)
