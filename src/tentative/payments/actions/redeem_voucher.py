"""Use a coupon or gift voucher as a payment on a booking.

The booking row is locked, then the voucher's; the voucher's balance (the sum of its
ledger) is read under that lock, so 32 redemptions of one code at once never take it below
zero (`tests/concurrency/test_voucher_races.py`). The payment (provider "voucher") is
captured at once and settles the booking like any capture: an option paid in full becomes
confirmed, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tentative.bookings.access import access_booking
from tentative.core.money import Money
from tentative.core.payments import PaymentState
from tentative.core.states import State
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.payments.access import access_voucher, check_may_take
from tentative.payments.actions._confirm import settle
from tentative.payments.actions._money import amount_in
from tentative.payments.actions._voucher import write
from tentative.payments.errors import (
    AboveOutstanding,
    NothingDue,
    VoucherCurrency,
    VoucherEmpty,
    VoucherExpired,
    VoucherTooLarge,
)
from tentative.payments.models import Payment, VoucherEntry
from tentative.payments.selectors import balance, voucher_balance
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def redeem_voucher(
    booking_id: int,
    code: str,
    amount: Decimal | None = None,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> Payment:
    """`amount` None: as much as the voucher holds, up to what the booking still owes."""
    now = now_or(now)
    check_may_take(actor)
    with action_transaction():
        booking = access_booking(actor, booking_id, lock=True)
        voucher = access_voucher(actor, code, lock=True)
        if voucher.currency != booking.currency:
            raise VoucherCurrency(currency=voucher.currency, booking_currency=booking.currency)
        if voucher.expires_at is not None and voucher.expires_at <= now:
            raise VoucherExpired()
        left = voucher_balance(voucher)
        if left.amount <= 0:
            raise VoucherEmpty()
        outstanding = balance(booking).outstanding
        # A cancelled or declined booking owes nothing, whatever its total says.
        if outstanding.amount <= 0 or booking.state in (State.CANCELLED, State.DECLINED):
            raise NothingDue()
        if amount is None:
            wanted = min(left, outstanding)
        else:
            wanted = amount_in(amount, booking.currency)
            if wanted > left:
                raise VoucherTooLarge(left=left)
            if wanted > outstanding:
                raise AboveOutstanding(left=outstanding)
        payment = _captured(booking, voucher.code, wanted, now=now)
        write(
            voucher,
            VoucherEntry.Kind.REDEEM,
            -wanted.amount,
            actor=actor,
            now=now,
            booking=booking,
            payment=payment,
        )
        data = {"payment": payment.reference, "amount": str(wanted.amount), "method": "voucher"}
        outbox.emit(booking, topics.PAYMENT_CAPTURED, actor=actor, at=now, data=data)
        settle(booking, payment, now=now)
    return payment


def _captured(booking, code: str, money: Money, *, now: datetime) -> Payment:  # type: ignore[no-untyped-def]
    return Payment.objects.create(
        organisation_id=booking.organisation_id,
        booking=booking,
        provider="voucher",
        method=Payment.Method.VOUCHER,
        state=PaymentState.CAPTURED.value,
        amount=money.amount,
        captured=money.amount,
        currency=booking.currency,
        provider_reference=code,
        created_at=now,
        updated_at=now,
    )
