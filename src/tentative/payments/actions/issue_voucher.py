"""Issue a coupon (staff give credit) or sell a gift voucher at the desk.

A coupon gives money away, so it is an owner's or a manager's call; a gift voucher is sold
by any staff member, who says how it was paid (cash, card terminal, transfer). The money of
a gift voucher sold at the desk is in its ledger's first entry and its `method`: it belongs
to no booking until it is redeemed. Selling gift vouchers online waits for the customer
side (issue 12).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tentative.accounts.models import Organisation
from tentative.bookings.access import access_booking
from tentative.payments.access import check_may_refund, check_may_take
from tentative.payments.actions._money import amount_in
from tentative.payments.actions._voucher import write
from tentative.payments.errors import MethodRequired, VoucherCurrencyInvalid
from tentative.payments.models import Payment, Voucher, VoucherEntry
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import Forbidden
from tentative.shared.transactions import action_transaction

DESK_METHODS = (Payment.Method.CASH, Payment.Method.TERMINAL, Payment.Method.TRANSFER)


def issue_voucher(
    *,
    actor: Actor,
    kind: str,
    amount: Decimal,
    currency: str = "",
    expires_at: datetime | None = None,
    email: str = "",
    note: str = "",
    method: str = "",
    booking_id: int | None = None,
    now: datetime | None = None,
) -> Voucher:
    now = now_or(now)
    if kind == Voucher.Kind.GIFT:
        check_may_take(actor)
        if method not in DESK_METHODS:
            raise MethodRequired()
    elif kind == Voucher.Kind.COUPON:
        check_may_refund(actor)
        method = ""
    else:
        raise Forbidden()
    if actor.organisation_id is None:
        raise Forbidden()
    with action_transaction():
        organisation = Organisation.objects.get(id=actor.organisation_id)
        booking = access_booking(actor, booking_id) if booking_id is not None else None
        currency = (currency or (booking.currency if booking else organisation.currency)).upper()
        if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
            raise VoucherCurrencyInvalid()
        money = amount_in(amount, currency)
        voucher = Voucher.objects.create(
            organisation=organisation,
            kind=kind,
            currency=currency,
            expires_at=expires_at,
            issued_by_id=actor.user_id,
            booking=booking,
            method=method,
            email=email,
            note=note,
            created_at=now,
        )
        write(voucher, VoucherEntry.Kind.ISSUE, money.amount, actor=actor, now=now)
    return voucher
