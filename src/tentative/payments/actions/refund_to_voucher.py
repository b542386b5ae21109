"""An overpayment kept as a coupon (seed 004): after fewer places, the booking's payments
exceed what it costs, and staff give the difference (whole or part) as a coupon instead of
money. The coupon is not sent: staff send it later from the coupon list."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tentative.bookings.access import access_booking
from tentative.core.money import Money
from tentative.payments.access import check_may_refund
from tentative.payments.actions._money import amount_in
from tentative.payments.actions._money_back import available, coupon_from, locked_sources, take
from tentative.payments.errors import CouponTooLarge
from tentative.payments.models import Voucher
from tentative.payments.selectors import balance
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction

REASON = "overpayment"


def refund_to_voucher(
    booking_id: int,
    amount: Decimal | None = None,
    *,
    actor: Actor,
    expires_at: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Voucher:
    """`amount` None: the whole overpayment."""
    now = now_or(now)
    check_may_refund(actor)
    with action_transaction():
        booking = access_booking(actor, booking_id, lock=True)
        money, _vouchers = locked_sources(booking)
        overpaid = Money(Decimal(0), booking.currency) - balance(booking).outstanding
        # Only money can become a coupon; a voucher's share goes back onto that voucher.
        left = min(overpaid, available(money, booking.currency))
        if left.amount <= 0:
            raise CouponTooLarge(left=Money(Decimal(0), booking.currency))
        wanted = left if amount is None else amount_in(amount, booking.currency)
        if wanted > left:
            raise CouponTooLarge(left=left)
        return coupon_from(
            booking,
            take(money, wanted.amount),
            actor=actor,
            reason=REASON,
            now=now,
            expires_at=expires_at,
            note=note,
        )
