"""Cancel a booking and settle its money in one step (seed 004): a refund (whole or part,
across its card and offline payments), a coupon (whole or part), the coupons and gift
vouchers that paid it re-credited when staff tick it; all of it or nothing.

The booking's own cancel action joins this transaction (`next_action_joins`), and its
cancellation email tells the customer what comes back: the refund, the coupon with its
code, the vouchers re-credited. So the coupon counts as sent, and the refunds send no
"refunded" email of their own. An offline payment's refund is money staff pay back
themselves (`pay_back_yourself`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from tentative.bookings.access import access_booking
from tentative.bookings.actions import cancel_booking
from tentative.core.money import Money
from tentative.payments.access import check_may_refund
from tentative.payments.actions._money import amount_in
from tentative.payments.actions._money_back import (
    available,
    coupon_from,
    locked_sources,
    refund,
    take,
)
from tentative.payments.errors import MoneyBackTooLarge
from tentative.payments.models import Refund, Voucher, new_code
from tentative.payments.selectors import refunds_online
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction, next_action_joins

REASON = "cancelled"


@dataclass
class MoneyBack:
    refunds: list[Refund] = field(default_factory=list)
    coupon: Voucher | None = None
    recredited: list[Refund] = field(default_factory=list)
    pay_back_yourself: Decimal = Decimal(0)  # refunded from offline payments


def cancel_with_money(
    booking_id: int,
    *,
    actor: Actor,
    reason: str = "",
    refund_amount: Decimal | None = None,
    coupon_amount: Decimal | None = None,
    recredit_vouchers: bool = False,
    coupon_expires_at: datetime | None = None,
    now: datetime | None = None,
) -> MoneyBack:
    now = now_or(now)
    if refund_amount is not None or coupon_amount is not None or recredit_vouchers:
        check_may_refund(actor)
    with action_transaction():
        booking = access_booking(actor, booking_id, lock=True)
        currency = booking.currency
        zero = Money(Decimal(0), currency)
        back = amount_in(refund_amount, currency) if refund_amount is not None else zero
        coupon = amount_in(coupon_amount, currency) if coupon_amount is not None else zero
        money, vouchers = locked_sources(booking)
        paid = available(money, currency)
        if back + coupon > paid:
            raise MoneyBackTooLarge(left=paid)
        refund_parts = take(money, back.amount)
        coupon_parts = take(money, coupon.amount)
        offline = sum((part for p, part in refund_parts if not refunds_online(p)), Decimal(0))
        code = new_code() if coupon.amount else None
        recredit = sum((s.left for s in vouchers), Decimal(0)) if recredit_vouchers else 0
        told = {
            "refund": str(back.amount) if back.amount else "",
            "pay_back_yourself": bool(offline),
            "coupon": code or "",
            "coupon_amount": str(coupon.amount) if code else "",
            "coupon_expires_at": coupon_expires_at.isoformat()
            if code and coupon_expires_at
            else "",
            "recredited": str(recredit) if recredit else "",
        }
        with next_action_joins():
            cancel_booking(booking.id, actor=actor, reason=reason, now=now, event=told)
        result = MoneyBack(pay_back_yourself=offline)
        result.refunds = refund(refund_parts, actor=actor, reason=REASON, now=now, notify=False)
        if code:
            result.coupon = coupon_from(
                booking,
                coupon_parts,
                actor=actor,
                reason=REASON,
                now=now,
                expires_at=coupon_expires_at,
                code=code,
            )
            if booking.customer_id and booking.customer and booking.customer.email:
                result.coupon.sent_at = now  # the cancellation email carries its code
                result.coupon.save(update_fields=["sent_at"])
        if recredit_vouchers:
            parts = [(s.payment, s.left) for s in vouchers]
            result.recredited = refund(parts, actor=actor, reason=REASON, now=now, notify=False)
    return result
