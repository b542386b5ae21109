"""A simulated card processor that behaves like a real one (labelled as simulated in every
page and email): notifications signed like Stripe's, `t=<unix time>,v1=<HMAC-SHA256 of
"t.body">`, refused when the signature is wrong or older than five minutes, and sent late,
twice or out of order by whoever tests with it.

The secret comes from the environment (`TENTATIVE_SIMULATED_PAYMENTS_SECRET`), else from the
site's secret key, never from the code.

The processor keeps its own record of each payment (`SimulatedCharge`): the tester decides on
its hosted page (`checkout`: success, decline, or pending and `decide` later), an
authorisation lapses after `TENTATIVE_SIMULATED_AUTHORISATION_DAYS` days (default 7) with
no notification, as real ones do, and every change queues signed notifications
(`SimulatedDelivery`) that the worker posts when due (`payments/jobs.py`): late, twice or
out of order ("authorised" after "captured") as the tester chose. `retrieve` is the
processor's answer to "what happened to this payment?" (Stripe's session retrieve), which
the return page applies under an event id of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.conf import settings
from django.db import transaction

from tentative.core.payments import PaymentState
from tentative.payments.models import Payment, SimulatedCharge, SimulatedDelivery
from tentative.payments.providers.base import (
    AuthorisationLapsed,
    BadSignature,
    Capabilities,
    Notification,
    NotSupported,
)

HEADER = "Tentative-Signature"
TOLERANCE = timedelta(minutes=5)
SESSION = timedelta(hours=24)  # a hosted payment page is usable this long, then expires


def _secret() -> bytes:
    configured = getattr(settings, "SIMULATED_PAYMENTS_SECRET", "")
    material = configured or f"simulated-payments:{settings.SECRET_KEY}"
    return material.encode()


def signature(body: bytes, *, at: datetime) -> str:
    """The header value a notification sent at `at` carries."""
    stamp = int(at.timestamp())
    digest = hmac.new(_secret(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


class SimulatedCard:
    code = "simulated"
    label = "Simulated card (test mode)"
    capabilities = Capabilities(capture_later=True)

    def verify(self, body: bytes, headers: Mapping[str, str], *, now: datetime) -> Notification:
        parts = dict(
            item.split("=", 1) for item in headers.get(HEADER, "").split(",") if "=" in item
        )
        try:
            sent = datetime.fromtimestamp(int(parts["t"]), UTC)
        except (KeyError, ValueError, OverflowError, OSError):
            raise BadSignature("no timestamp") from None
        if not hmac.compare_digest(signature(body, at=sent), headers.get(HEADER, "")):
            raise BadSignature("wrong signature")
        if abs(now - sent) > TOLERANCE:
            raise BadSignature("too old")
        try:
            data = json.loads(body)
            event_id, reference = str(data["id"])[:128], str(data["payment"])[:64]
            if "\x00" in event_id + reference:  # PostgreSQL refuses NUL in text
                raise ValueError("NUL in an identifier")
            until = data.get("authorised_until")
            return Notification(
                event_id=event_id,
                payment_reference=reference,
                state=PaymentState(data["state"]),
                captured=Decimal(str(data.get("captured", "0"))),
                sent_at=sent,
                authorised_until=datetime.fromisoformat(until) if until else None,
            )
        except (ValueError, KeyError, TypeError, InvalidOperation):
            raise BadSignature("malformed") from None

    def capture(self, payment: Payment, amount: Decimal, *, now: datetime) -> Notification:
        with transaction.atomic():
            charge = _charge(payment, now)
            _lapse(charge, now)
            if charge.state == PaymentState.EXPIRED:
                raise AuthorisationLapsed(payment.reference)
            if charge.state != PaymentState.AUTHORISED:
                raise NotSupported(f"nothing authorised to capture ({charge.state})")
            if not Decimal(0) < amount <= payment.amount:
                raise NotSupported(f"cannot capture {amount} of {payment.amount}")
            charge.captured = amount
            return _move(charge, PaymentState.CAPTURED, now)

    def void(self, payment: Payment, *, now: datetime) -> Notification:
        with transaction.atomic():
            charge = _charge(payment, now)
            _lapse(charge, now)
            if charge.state not in (PaymentState.AUTHORISED, PaymentState.EXPIRED):
                raise NotSupported(f"nothing authorised to void ({charge.state})")
            # A lapsed authorisation holds nothing either: voiding it is harmless.
            return _move(charge, PaymentState.CANCELLED, now)


class Choice(StrEnum):
    """What the tester picks on the hosted page."""

    SUCCESS = "success"
    DECLINE = "decline"
    PENDING = "pending"  # decided later, on the same page


@dataclass(frozen=True)
class Delivery:
    """How the notifications of a decision travel."""

    late_minutes: int = 0
    twice: bool = False
    out_of_order: bool = False  # e.g. "authorised" after "captured"


def authorisation_days() -> int:
    return int(getattr(settings, "SIMULATED_AUTHORISATION_DAYS", 7))


def checkout(
    payment: Payment, choice: Choice, *, delivery: Delivery | None = None, now: datetime
) -> Notification | None:
    """The tester submitted the hosted page: the processor decides and queues its
    notifications. A payment already decided stays as it is (a second submit, a back
    button); the processor's current answer is returned."""
    with transaction.atomic():
        charge = _charge(payment, now)
        if charge.state != PaymentState.CREATED:
            return _answer(charge, now)
        charge.delivery = asdict(delivery or Delivery())
        if now >= payment.created_at + SESSION:
            return _move(charge, PaymentState.EXPIRED, now)
        return _decide(charge, choice, now)


def decide(payment: Payment, choice: Choice, *, now: datetime) -> Notification | None:
    """The later decision on a pending payment (success or decline)."""
    with transaction.atomic():
        charge = _charge(payment, now)
        if charge.state != PaymentState.PENDING or choice == Choice.PENDING:
            return _answer(charge, now)
        return _decide(charge, choice, now)


def retrieve(payment: Payment, *, now: datetime) -> Notification | None:
    """The processor's answer about `payment` now, or None when nothing was decided."""
    with transaction.atomic():
        charge = _charge(payment, now)
        _lapse(charge, now)
        return _answer(charge, now)


def signed(delivery: SimulatedDelivery, *, now: datetime) -> tuple[bytes, dict[str, str]]:
    """A queued notification's body and headers, signed at the moment it is posted."""
    body = delivery.body.encode()
    return body, {HEADER: signature(body, at=now)}


def _charge(payment: Payment, now: datetime) -> SimulatedCharge:
    if payment.provider != SimulatedCard.code:
        raise NotSupported(f"{payment.reference} is not a simulated card payment")
    SimulatedCharge.objects.get_or_create(payment=payment, defaults={"updated_at": now})
    return (
        SimulatedCharge.objects.select_for_update(no_key=True)
        .select_related("payment")
        .get(payment=payment)
    )


def _lapse(charge: SimulatedCharge, now: datetime) -> None:
    """Past its end an authorisation lapses, silently, as real processors do."""
    until = charge.authorised_until
    if charge.state == PaymentState.AUTHORISED and until is not None and now >= until:
        charge.state, charge.updated_at = PaymentState.EXPIRED.value, now
        charge.save(update_fields=["state", "updated_at"])


def _decide(charge: SimulatedCharge, choice: Choice, now: datetime) -> Notification:
    payment = charge.payment
    if choice == Choice.PENDING:
        return _move(charge, PaymentState.PENDING, now)
    if choice == Choice.DECLINE:
        return _move(charge, PaymentState.FAILED, now)
    if payment.capture_later:
        charge.authorised_until = now + timedelta(days=authorisation_days())
        return _move(charge, PaymentState.AUTHORISED, now)
    charge.captured = payment.amount
    # A real processor says "authorised", then "captured": the two travel separately.
    _queue(charge, PaymentState.AUTHORISED, now, before_last=True)
    return _move(charge, PaymentState.CAPTURED, now)


def _move(charge: SimulatedCharge, state: PaymentState, now: datetime) -> Notification:
    charge.state, charge.updated_at = state.value, now
    charge.save()
    return _queue(charge, state, now)


def _queue(
    charge: SimulatedCharge, state: PaymentState, now: datetime, *, before_last: bool = False
) -> Notification:
    """Queue the notification that `charge` is now in `state`, as its delivery options say;
    returns it as the processor's answer (same event id as the one posted)."""
    how = Delivery(**charge.delivery)
    note = _notification(charge, state, f"evt_{secrets.token_urlsafe(12)}", now)
    # In order: a first message one second before the last; out of order, one after.
    shift = timedelta(seconds=0)
    if before_last:
        shift = timedelta(seconds=1) if how.out_of_order else -timedelta(seconds=1)
    due = now + timedelta(minutes=how.late_minutes) + shift
    body = json.dumps(_payload(note))
    rows = [
        SimulatedDelivery(
            payment=charge.payment,
            event_id=note.event_id,
            state=state.value,
            body=body,
            due_at=due + timedelta(seconds=copy),
        )
        for copy in range(2 if how.twice else 1)
    ]
    SimulatedDelivery.objects.bulk_create(rows)
    return note


def _answer(charge: SimulatedCharge, now: datetime) -> Notification | None:
    if charge.state == PaymentState.CREATED:
        return None
    state = PaymentState(charge.state)
    return _notification(charge, state, f"retrieve:{charge.payment.reference}:{state}", now)


def _notification(
    charge: SimulatedCharge, state: PaymentState, event_id: str, now: datetime
) -> Notification:
    return Notification(
        event_id=event_id,
        payment_reference=charge.payment.reference,
        state=state,
        captured=charge.captured,
        sent_at=now,
        authorised_until=charge.authorised_until if state == PaymentState.AUTHORISED else None,
    )


def _payload(note: Notification) -> dict[str, str]:
    data = {
        "id": note.event_id,
        "payment": note.payment_reference,
        "state": note.state.value,
        "captured": str(note.captured),
    }
    if note.authorised_until is not None:
        data["authorised_until"] = note.authorised_until.isoformat()
    return data
