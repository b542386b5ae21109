"""Check a ticket in at the door: valid, already used (since when), not valid, not paid.

One scan, one answer, in one transaction:

1. The scan's nonce is claimed first (an INSERT under `one_scan_per_nonce`). A repeated
   upload of the same scan waits on that row until the first attempt commits, then answers
   what the first one stored: a scan counts once, however often a device re-sends it.
2. The booking is locked and read fresh (a cancellation racing the door is decided before
   or after, never half-way); the ticket must be a place of a live booking of this
   organisation (and of the date being checked, when one is given), paid in full.
3. The place is taken by an INSERT under `one_check_in_per_place`: of two scans of one
   ticket at two doors, the database lets one in; the other reads the first one's time and
   answers "already used".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tentative.audit import trail as audit
from tentative.bookings.access import access_booking
from tentative.bookings.models import Booking, BookingLine
from tentative.checkin.access import check_may_check_in
from tentative.checkin.errors import NonceReused
from tentative.checkin.models import CheckIn, Outcome, Scan
from tentative.core.money import PaymentStatus
from tentative.core.states import State
from tentative.notifications.tickets import parse_code
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.payments import selectors as payments
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import InvalidInput
from tentative.shared.transactions import action_transaction

MAX_NONCE = 64
MAX_CODE = 64
BAD_NONCE = _("A scan's nonce is 1 to 64 printable characters.")
LIVE = frozenset({State.OPTION, State.CONFIRMED})
PAID = frozenset({PaymentStatus.PAID, PaymentStatus.OVERPAID})


@dataclass(frozen=True)
class ScanResult:
    outcome: Outcome
    code: str
    reason: str = ""  # a code of labels.REASONS when not valid or not paid
    booking: Booking | None = None
    line: BookingLine | None = None
    first_used_at: datetime | None = None  # when the place was checked in (valid or not)
    repeated: bool = False  # the same scan (nonce) uploaded again: the first answer
    check_in_id: int | None = None  # the place's check-in (valid or already used)


def check_in(
    *,
    actor: Actor,
    code: str,
    nonce: str,
    event_date_id: int | None = None,
    now: datetime | None = None,
) -> ScanResult:
    now = now_or(now)
    check_may_check_in(actor)
    if not 0 < len(nonce) <= MAX_NONCE or not nonce.isprintable():
        raise InvalidInput(BAD_NONCE)
    code = (code or "").strip().upper()[:MAX_CODE].replace("\x00", "")
    with action_transaction():
        scan, first = _claim(actor, nonce, code, now)
        if not first:
            if scan.code != code:
                raise NonceReused()
            return _stored(scan)
        result = _decide(actor, code, event_date_id, now)
        Scan.objects.filter(id=scan.id).update(
            outcome=result.outcome,
            reason=result.reason,
            check_in_id=result.check_in_id,
        )
        if result.outcome == Outcome.VALID and result.booking is not None:
            data = {"ticket": code, "line": result.line.id if result.line else None}
            audit.record(result.booking, actor=actor, action="check_in", at=now, data=data)
            outbox.emit(result.booking, topics.TICKET_CHECKED_IN, actor=actor, at=now, data=data)
    return result


def _claim(actor: Actor, nonce: str, code: str, now: datetime) -> tuple[Scan, bool]:
    try:
        with transaction.atomic():
            scan = Scan.objects.create(
                organisation_id=actor.organisation_id,
                nonce=nonce,
                code=code,
                at=now,
                actor_label=actor.label,
            )
    except IntegrityError:
        # The first upload of this scan committed (we waited for it): its answer is ours.
        return Scan.objects.get(organisation_id=actor.organisation_id, nonce=nonce), False
    return scan, True


def _stored(scan: Scan) -> ScanResult:
    found = None
    if scan.check_in_id is not None:
        found = CheckIn.objects.select_related(
            "booking", "line__event_date__event", "line__ticket_type"
        ).get(id=scan.check_in_id)
    return ScanResult(
        outcome=Outcome(scan.outcome) if scan.outcome else Outcome.NOT_VALID,
        code=scan.code,
        reason=scan.reason,
        booking=found.booking if found else None,
        line=found.line if found else None,
        first_used_at=found.at if found else None,
        repeated=True,
        check_in_id=scan.check_in_id,
    )


def _decide(actor: Actor, code: str, event_date_id: int | None, now: datetime) -> ScanResult:
    parsed = parse_code(code)
    if parsed is None:
        return ScanResult(Outcome.NOT_VALID, code, reason="unknown")
    line = (
        BookingLine.objects.select_related("event_date__event", "ticket_type")
        .filter(
            id=parsed.line_id,
            booking__reference=parsed.reference,
            booking__organisation_id=actor.organisation_id,
            ticket_type__isnull=False,
        )
        .first()
    )
    if line is None or not 1 <= parsed.number <= line.quantity:
        return ScanResult(Outcome.NOT_VALID, code, reason="unknown")
    # Locked, then read: the state we decide on is the one that commits with the check-in.
    booking = access_booking(actor, line.booking_id, lock=True)
    if event_date_id is not None and line.event_date_id != event_date_id:
        return ScanResult(Outcome.NOT_VALID, code, "other_date", booking, line)
    if booking.state_enum not in LIVE:
        return ScanResult(Outcome.NOT_VALID, code, "ended", booking, line)
    if booking.state_enum != State.CONFIRMED or payments.balance(booking).status not in PAID:
        return ScanResult(Outcome.NOT_PAID, code, "unpaid", booking, line)
    try:
        with transaction.atomic():
            done = CheckIn.objects.create(
                organisation_id=actor.organisation_id,
                booking=booking,
                line=line,
                number=parsed.number,
                at=now,
                actor_label=actor.label,
                actor_user_id=actor.user_id,
            )
    except IntegrityError:
        first = CheckIn.objects.get(line=line, number=parsed.number)
        return ScanResult(
            Outcome.ALREADY_USED, code, "", booking, line, first.at, check_in_id=first.id
        )
    return ScanResult(Outcome.VALID, code, "", booking, line, done.at, check_in_id=done.id)
