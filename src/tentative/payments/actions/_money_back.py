"""Money going back from a booking's captured payments: as a refund, or onto a new coupon.

A coupon made of a booking's money is a `Refund` of its payments whose destination is the
coupon (the coupon's `issue` entries point at those refunds), so the booking's balance
(due − captured + refunded) stays true whichever way the money went. Voucher payments are
left out: their money goes back onto the voucher they came from (a re-credit), never onto
a new coupon or to a bank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tentative.bookings.models import Booking
from tentative.core.money import Money
from tentative.core.payments import PaymentState
from tentative.outbox import topics
from tentative.payments.actions._refund import record_refund
from tentative.payments.actions._voucher import describe, tell, write
from tentative.payments.models import Payment, Refund, Voucher, VoucherEntry, new_code
from tentative.payments.selectors import refunds_online
from tentative.shared.actor import Actor


@dataclass
class Source:
    payment: Payment
    left: Decimal  # captured − refunded


def locked_sources(booking: Booking) -> tuple[list[Source], list[Source]]:
    """(money payments, voucher payments) of the booking with something left to give back,
    locked; card payments before offline ones (their refunds need no one at a counter)."""
    rows = (
        Payment.objects.select_for_update(no_key=True)
        .filter(booking_id=booking.id, state=PaymentState.CAPTURED.value)
        .order_by("id")
    )
    sources = [Source(p, p.captured - p.refunded) for p in rows if p.captured > p.refunded]
    money = [s for s in sources if s.payment.provider != "voucher"]
    money.sort(key=lambda s: not refunds_online(s.payment))
    return money, [s for s in sources if s.payment.provider == "voucher"]


def available(sources: list[Source], currency: str) -> Money:
    return Money(sum((s.left for s in sources), Decimal(0)), currency)


def take(sources: list[Source], amount: Decimal) -> list[tuple[Payment, Decimal]]:
    """Split `amount` across the sources in order, using up each one's `left`."""
    parts = []
    for source in sources:
        if amount <= 0:
            break
        part = min(source.left, amount)
        if part > 0:
            parts.append((source.payment, part))
            source.left -= part
            amount -= part
    if amount > 0:
        raise ValueError("checked before: the sources cover the amount")
    return parts


def refund(
    parts: list[tuple[Payment, Decimal]], *, actor: Actor, reason: str, now: datetime, notify: bool
) -> list[Refund]:
    extra = {} if notify else {"notify": False}
    return [
        record_refund(payment, part, actor=actor, reason=reason, now=now, extra=extra)
        for payment, part in parts
    ]


def coupon_from(
    booking: Booking,
    parts: list[tuple[Payment, Decimal]],
    *,
    actor: Actor,
    reason: str,
    now: datetime,
    expires_at: datetime | None,
    note: str = "",
    code: str | None = None,
) -> Voucher:
    """A new coupon holding `parts` of the booking's payments, refunded onto it (no
    "refunded" email: the customer hears of a coupon when it is sent)."""
    voucher = Voucher.objects.create(
        organisation_id=booking.organisation_id,
        kind=Voucher.Kind.COUPON,
        code=code or new_code(),
        currency=booking.currency,
        expires_at=expires_at,
        issued_by_id=actor.user_id,
        booking=booking,
        note=note,
        created_at=now,
    )
    total = Decimal(0)
    for payment, part in parts:
        done = record_refund(
            payment,
            part,
            actor=actor,
            reason=reason,
            now=now,
            extra={"notify": False, "pay_back_yourself": False, "to_voucher": voucher.code},
        )
        write(
            voucher,
            VoucherEntry.Kind.ISSUE,
            part,
            actor=actor,
            now=now,
            booking=booking,
            payment=payment,
            refund=done,
            event=False,
        )
        total += part
    data = describe(voucher, amount=str(total))
    tell(voucher, topics.VOUCHER_ISSUED, actor=actor, now=now, booking=booking, data=data)
    return voucher
