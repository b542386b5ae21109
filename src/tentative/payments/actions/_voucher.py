"""A voucher's ledger, written in one place: every movement is an entry, with its audit
entry and outbox event, in the caller's transaction (the voucher row locked by the caller
for anything that takes money off it)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from tentative.audit import trail as audit
from tentative.bookings.models import Booking
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.payments.models import Payment, Refund, Voucher, VoucherEntry
from tentative.shared.actor import Actor

TOPIC = {
    VoucherEntry.Kind.ISSUE: topics.VOUCHER_ISSUED,
    VoucherEntry.Kind.REDEEM: topics.VOUCHER_REDEEMED,
    VoucherEntry.Kind.RECREDIT: topics.VOUCHER_RECREDITED,
}


def describe(voucher: Voucher, **extra: Any) -> dict[str, Any]:
    return {
        "voucher": voucher.code,
        "voucher_kind": voucher.kind,
        "currency": voucher.currency,
        "expires_at": voucher.expires_at.isoformat() if voucher.expires_at else None,
        **extra,
    }


def write(
    voucher: Voucher,
    kind: VoucherEntry.Kind,
    amount: Decimal,
    *,
    actor: Actor,
    now: datetime,
    booking: Booking | None = None,
    payment: Payment | None = None,
    refund: Refund | None = None,
    event: bool = True,
) -> VoucherEntry:
    """One entry (`amount` signed: − for a redemption), its audit entry and its event."""
    entry = VoucherEntry.objects.create(
        voucher=voucher,
        kind=kind.value,
        amount=amount,
        payment=payment,
        refund=refund,
        at=now,
        actor_label=actor.label[:200],
    )
    data = describe(
        voucher,
        amount=str(abs(amount)),
        payment=payment.reference if payment else None,
    )
    trail(voucher, f"voucher.{kind.value}", actor=actor, now=now, booking=booking, data=data)
    if event:
        tell(voucher, TOPIC[kind], actor=actor, now=now, booking=booking, data=data)
    return entry


def trail(
    voucher: Voucher,
    action: str,
    *,
    actor: Actor,
    now: datetime,
    booking: Booking | None = None,
    data: dict[str, Any],
) -> None:
    booking = booking or voucher.booking
    if booking is not None:
        audit.record(booking, actor=actor, action=action, at=now, data=data)
    else:
        audit.new_entry(
            voucher.organisation_id, actor=actor, action=action, at=now, data=data
        ).save()


def tell(
    voucher: Voucher,
    topic: str,
    *,
    actor: Actor,
    now: datetime,
    booking: Booking | None = None,
    data: dict[str, Any],
) -> None:
    booking = booking or voucher.booking
    if booking is not None:
        outbox.emit(booking, topic, actor=actor, at=now, data=data)
    else:
        outbox.emit_for_organisation(voucher.organisation_id, topic, actor=actor, at=now, data=data)
