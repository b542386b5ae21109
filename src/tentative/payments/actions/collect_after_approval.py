"""Charge after approval (issue 10 item 4, seed 000): the worker's side, reconciled by state.

The bookings sit below the payments, so approving or declining a request cannot call the
processor. This pass does it instead, from what the rows say, on every turn of the worker
loop (`payments/jobs.py`), for any face and for a bulk approval alike:

- an authorisation taken at request time (`capture_later`) whose booking was **approved**
  (an option or firm) is captured: `provider.capture` outside any transaction, then
  `apply_notification`, whose `settle` confirms the option once it is paid;
- one whose booking was **declined, cancelled or expired** is voided: a refused request is
  never charged;
- an approved booking charged after approval with **nothing to capture** (the offer charges
  after approval, or its authorisation lapsed, `AuthorisationLapsed` or past
  `authorised_until`, or was never given) is sent one payment request with the option's
  deadline, once.

Crash-safe: each step is claimed first (`AfterApproval`, unique per payment and step, and
per booking for a capture or a request) after re-reading the booking under its row lock; a
provider call runs under a lease, so a worker that died mid-call leaves the step to be
taken again, and the processor's answer is applied once however often it comes. A booking
cancelled while its capture is in flight gets the money back at once (`_confirm.settle`).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from tentative.audit.models import AuditEntry
from tentative.bookings.access import access_booking
from tentative.bookings.models import Booking
from tentative.core.approval import Charge
from tentative.core.payments import PaymentState
from tentative.core.states import Action, State
from tentative.payments.actions.apply_notification import apply_notification
from tentative.payments.actions.create_payment_request import create_payment_request
from tentative.payments.models import AfterApproval, Payment, PaymentRequest
from tentative.payments.providers import (
    PROVIDERS,
    AuthorisationLapsed,
    Notification,
    NotSupported,
)
from tentative.payments.selectors import balance
from tentative.shared.actor import Actor
from tentative.shared.errors import CapacityBusy, DomainError
from tentative.shared.transactions import action_transaction, next_action_joins

log = logging.getLogger(__name__)

ACTOR = Actor.system("charge after approval")
# Long enough for any processor call (they time out well before), short enough that a
# worker that died mid-call delays the customer by minutes, not hours.
LEASE = timedelta(minutes=5)
APPROVED = (State.OPTION, State.CONFIRMED)
ENDED = (State.DECLINED, State.CANCELLED, State.EXPIRED)
Step = AfterApproval.Step


def collect_after_approval(*, now: datetime, limit: int = 50) -> int:
    """One pass: void, capture, then request; returns how many steps it took."""
    steps = [
        *((_void, p) for p in _authorisations(ENDED, Step.VOID, now)[:limit]),
        *((_capture, p) for p in _authorisations(APPROVED, Step.CAPTURE, now)[:limit]),
        *((_request, b) for b in _awaiting_request(now)[:limit]),
    ]
    done = 0
    for step, item in steps:
        try:
            done += step(item, now=now)  # type: ignore[operator]
        except CapacityBusy:
            continue  # the booking's lock waited too long: the next pass tries again
        except Exception:  # a processor that failed mid-call: its lease runs out, then again
            log.exception("charge after approval: %s of %s failed", step.__name__, item)
    return done


# -- what to do -------------------------------------------------------------------------------


def _authorisations(states: tuple[State, ...], step: str, now: datetime) -> QuerySet[Payment]:
    """Authorisations taken at request time, of bookings in `states`, not claimed for
    `step` (or claimed by a worker whose lease ended)."""
    claimed = AfterApproval.objects.filter(payment_id=OuterRef("id"), step=step).filter(
        Q(done_at__isnull=False) | Q(claimed_until__gt=now)
    )
    return (
        Payment.objects.filter(
            capture_later=True,
            state=PaymentState.AUTHORISED.value,
            booking__state__in=[s.value for s in states],
        )
        .exclude(Exists(claimed))
        .select_related("booking")
        .order_by("id")
    )


def _charged_after_approval() -> Q:
    """A booking with a line of an approval offer that is charged after approval."""
    charged = [Charge.AFTER_APPROVAL.value, Charge.AUTHORISE.value]
    return Q(
        lines__ticket_type__requires_approval=True,
        lines__ticket_type__approval_charge__in=charged,
    ) | Q(lines__service__requires_approval=True, lines__service__approval_charge__in=charged)


def _live_authorisation(now: datetime) -> Q:
    return (
        Q(capture_later=True, state=PaymentState.AUTHORISED.value)
        & (Q(authorised_until__isnull=True) | Q(authorised_until__gt=now))
    ) | Q(captured__gt=0)


def _awaiting_request(now: datetime) -> QuerySet[Booking]:
    """Approved options charged after approval with nothing authorised or captured, no open
    payment request, and no request sent by this job before (ids)."""
    paying = Payment.objects.filter(booking_id=OuterRef("id")).filter(_live_authorisation(now))
    open_request = PaymentRequest.objects.filter(
        booking_id=OuterRef("id"), state=PaymentRequest.State.OPEN, expires_at__gt=now
    )
    sent = AfterApproval.objects.filter(booking_id=OuterRef("id"), step=Step.REQUEST)
    # Staff may also make an option of such an offer themselves: only an approval sends.
    approved = AuditEntry.objects.filter(booking_id=OuterRef("id"), action=Action.APPROVE.value)
    return (
        Booking.objects.filter(state=State.OPTION.value)
        .filter(_charged_after_approval())
        .filter(Exists(approved))
        .exclude(Exists(paying))
        .exclude(Exists(open_request))
        .exclude(Exists(sent))
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )


# -- claims -----------------------------------------------------------------------------------


def _claim(payment: Payment, step: str, states: tuple[State, ...], now: datetime) -> int | None:
    """Under the booking's row lock: still in `states`, the payment still authorised?
    Then claim the step (a new row, or one whose lease ended); its id, else None."""
    with action_transaction():
        booking = access_booking(ACTOR, payment.booking_id, lock=True)
        fresh = Payment.objects.filter(id=payment.id, state=PaymentState.AUTHORISED.value)
        if booking.state_enum not in states or not fresh.exists():
            return None
        lease = now + LEASE
        taken = AfterApproval.objects.filter(payment=payment, step=step).first()
        if taken is None:
            try:
                with transaction.atomic():
                    row = AfterApproval.objects.create(
                        booking_id=payment.booking_id,
                        payment=payment,
                        step=step,
                        claimed_until=lease,
                        created_at=now,
                    )
            except IntegrityError:  # another worker, or another authorisation of the booking
                return None
            return row.id
        retaken = AfterApproval.objects.filter(
            id=taken.id, done_at=None, claimed_until__lte=now
        ).update(claimed_until=lease, attempts=taken.attempts + 1)
        return taken.id if retaken == 1 else None


def _finish(claim: int, outcome: str, now: datetime) -> None:
    AfterApproval.objects.filter(id=claim).update(
        outcome=outcome[:48], done_at=now, claimed_until=None
    )


# -- the steps --------------------------------------------------------------------------------


def _void(payment: Payment, *, now: datetime) -> int:
    claim = _claim(payment, Step.VOID, ENDED, now)
    if claim is None:
        return 0
    try:
        note = deliver_void(payment, now=now)
    except NotSupported:  # nothing authorised any more at the processor
        _finish(claim, "nothing", now)
        return 1
    apply_notification(payment.provider, note, now=now)
    _finish(claim, "voided", now)
    return 1


def _capture(payment: Payment, *, now: datetime) -> int:
    claim = _claim(payment, Step.CAPTURE, APPROVED, now)
    if claim is None:
        return 0
    due = balance(payment.booking).outstanding.amount
    amount = min(payment.amount, due)
    if amount <= Decimal(0):  # paid otherwise meanwhile (at the desk): release the card
        with contextlib.suppress(NotSupported):  # nothing held any more
            apply_notification(payment.provider, deliver_void(payment, now=now), now=now)
        _finish(claim, "nothing due", now)
        return 1
    lapsed = payment.authorised_until is not None and payment.authorised_until <= now
    try:
        if lapsed:
            raise AuthorisationLapsed(payment.reference)
        note = deliver_capture(payment, amount, now=now)
    except AuthorisationLapsed:
        # The processor cancelled it without telling us: say so on our side, and the next
        # step sends the customer a payment request instead.
        apply_notification(payment.provider, _lapsed(payment, now), now=now)
        _finish(claim, "lapsed", now)
        return 1
    except NotSupported:  # captured or voided already (a retry after a crash)
        _finish(claim, "nothing", now)
        return 1
    apply_notification(payment.provider, note, now=now)
    _finish(claim, "captured", now)
    return 1


def _lapsed(payment: Payment, now: datetime) -> Notification:
    return Notification(
        event_id=f"lapsed:{payment.reference}",
        payment_reference=payment.reference,
        state=PaymentState.EXPIRED,
        captured=Decimal(0),
        sent_at=now,
    )


def _request(booking_id: int, *, now: datetime) -> int:
    """One payment request, sent, in the same transaction as its claim."""
    try:
        with action_transaction():
            booking = access_booking(ACTOR, booking_id, lock=True)
            if (
                booking.state != State.OPTION
                or not _awaiting_request(now).filter(id=booking_id).exists()
            ):
                return 0  # re-checked under the lock: decided, paid or sent meanwhile
            AfterApproval.objects.create(
                booking=booking,
                step=Step.REQUEST,
                outcome="requested",
                created_at=now,
                done_at=now,
            )
            with next_action_joins():
                create_payment_request(booking.id, actor=ACTOR, send=True, now=now)
    except CapacityBusy:
        raise
    except DomainError as refused:  # nothing due (free), or not payable any more
        log.info("no payment request for booking %s: %s", booking_id, refused.code)
        with transaction.atomic():
            AfterApproval.objects.get_or_create(
                booking_id=booking_id,
                step=Step.REQUEST,
                defaults={"outcome": f"refused:{refused.code}", "created_at": now, "done_at": now},
            )
    return 1


# -- the outside world ------------------------------------------------------------------------


def deliver_capture(payment: Payment, amount: Decimal, *, now: datetime) -> Notification:
    """Ask the processor to capture; never inside a transaction (it is a network call)."""
    return PROVIDERS[payment.provider].capture(payment, amount, now=now)


def deliver_void(payment: Payment, *, now: datetime) -> Notification:
    return PROVIDERS[payment.provider].void(payment, now=now)
