"""Coupons and gift vouchers: issue, list, read one by its code with its ledger, send it;
on a booking: redeem one as a payment, keep an overpayment as a coupon, cancel with money
back. Thin shells over `payments.actions`."""

import copy
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router

from tentative.api.access import staff_actor
from tentative.api.idempotency import Result, idempotent
from tentative.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    CancelWithMoneyIn,
    CancelWithMoneyOut,
    CouponIn,
    PaymentOut,
    RedeemIn,
    Reference,
    VoucherCode,
    VoucherDetailOut,
    VoucherIn,
    VoucherOut,
    refusals,
)
from tentative.bookings.access import access_booking_by_reference
from tentative.core.money import Money
from tentative.payments import actions, selectors
from tentative.payments.access import access_voucher
from tentative.payments.models import Voucher

router = Router(tags=["vouchers"])

LIST_LIMIT = 500
REDEEM = ("voucher_currency", "voucher_expired", "voucher_empty", "voucher_amount_too_large")


def voucher_out(voucher: Voucher, left: Decimal | None = None) -> dict[str, Any]:
    if left is None:
        left = selectors.voucher_balance(voucher).amount
    return {
        "code": voucher.code,
        "kind": voucher.kind,
        "currency": voucher.currency,
        "balance": Money(left, voucher.currency).amount,
        "expires_at": voucher.expires_at,
        "booking": voucher.booking.reference if voucher.booking else None,
        "email": voucher.email,
        "note": voucher.note,
        "sent_at": voucher.sent_at,
        "created_at": voucher.created_at,
    }


def _json(voucher: Voucher) -> dict[str, Any]:
    return VoucherOut(**voucher_out(voucher)).model_dump(mode="json")


def _amount(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@router.post(
    "/vouchers",
    response={201: VoucherOut, **WRITE_ERRORS},
    openapi_extra=copy.deepcopy(
        refusals((), ("amount_invalid", "currency_invalid", "method_required"))
    ),
)
@idempotent
def issue(request: HttpRequest, payload: VoucherIn) -> Result:
    """A coupon (owners and managers) or a gift voucher sold at the desk (any staff)."""
    voucher = actions.issue_voucher(
        actor=staff_actor(request),
        kind=payload.kind,
        amount=Decimal(payload.amount),
        currency=payload.currency,
        expires_at=payload.expires_at,
        email=payload.email,
        note=payload.note,
        method=payload.method,
    )
    return 201, _json(voucher)


@router.get("/vouchers", response={200: list[VoucherOut], **READ_ERRORS})
def vouchers(request: HttpRequest) -> object:
    """The organisation's coupons and gift vouchers, newest first (at most 500)."""
    actor = staff_actor(request)
    rows = selectors.vouchers_with_balance(
        Voucher.objects.filter(organisation_id=actor.organisation_id).select_related("booking")
    ).order_by("-created_at", "-id")[:LIST_LIMIT]
    return [voucher_out(v, v.left) for v in rows]  # type: ignore[attr-defined]


@router.get("/vouchers/{code}", response={200: VoucherDetailOut, **READ_ERRORS})
def voucher(request: HttpRequest, code: VoucherCode) -> object:
    """One voucher by its code (as typed: any case, dashes or not), with its ledger.
    Another organisation's code is `voucher_unknown` (404), like one that exists nowhere."""
    found = access_voucher(staff_actor(request), code)
    entries = found.entries.select_related("payment__booking").order_by("at", "id")
    return {
        **voucher_out(found),
        "ledger": [
            {
                "kind": e.kind,
                "amount": Money(e.amount, found.currency).amount,
                "payment": e.payment.reference if e.payment else None,
                "booking": e.payment.booking.reference if e.payment else None,
                "at": e.at,
                "actor": e.actor_label,
            }
            for e in entries
        ],
    }


@router.post(
    "/vouchers/{code}/send",
    response={200: VoucherOut, **WRITE_ERRORS},
    openapi_extra=copy.deepcopy(refusals(("voucher_no_address",))),
)
@idempotent
def send(request: HttpRequest, code: VoucherCode) -> Result:
    """Email it (the "coupon" email) to its address, else its booking's customer."""
    return 200, _json(actions.send_voucher(code, actor=staff_actor(request)))


@router.post(
    "/bookings/{reference}/vouchers/redeem",
    response={201: PaymentOut, **WRITE_ERRORS},
    openapi_extra=copy.deepcopy(
        refusals((*REDEEM, "amount_above_outstanding", "nothing_due"), ("amount_invalid",))
    ),
)
@idempotent
def redeem(request: HttpRequest, reference: Reference, payload: RedeemIn) -> Result:
    """A coupon or gift voucher as a payment (captured at once; an option paid in full
    becomes confirmed). An unknown code, or another organisation's, is `voucher_unknown`."""
    actor = staff_actor(request)
    booking = access_booking_by_reference(actor, reference.upper())
    payment = actions.redeem_voucher(booking.id, payload.code, _amount(payload.amount), actor=actor)
    return 201, PaymentOut.from_orm(payment).model_dump(mode="json")


@router.post(
    "/bookings/{reference}/vouchers/overpayment",
    response={201: VoucherOut, **WRITE_ERRORS},
    openapi_extra=copy.deepcopy(refusals(("coupon_too_large",), ("amount_invalid",))),
)
@idempotent
def overpayment(request: HttpRequest, reference: Reference, payload: CouponIn) -> Result:
    """Keep an overpayment (after fewer places) as a coupon, whole or part: a refund of the
    booking's payments onto the coupon. It is not sent: send it when you choose."""
    actor = staff_actor(request)
    booking = access_booking_by_reference(actor, reference.upper())
    voucher = actions.refund_to_voucher(
        booking.id,
        _amount(payload.amount),
        actor=actor,
        expires_at=payload.expires_at,
        note=payload.note,
    )
    return 201, _json(voucher)


@router.post(
    "/bookings/{reference}/cancel-with-money",
    response={200: CancelWithMoneyOut, **WRITE_ERRORS},
    openapi_extra=copy.deepcopy(
        refusals(("money_back_too_large", "illegal_transition"), ("amount_invalid",))
    ),
)
@idempotent
def cancel_with_money(
    request: HttpRequest, reference: Reference, payload: CancelWithMoneyIn
) -> Result:
    """Cancel the booking and, in the same step, refund (whole or part), keep some as a
    coupon (its code goes in the cancellation email), re-credit the vouchers that paid it.
    Refund and coupon together never exceed what was paid; all of it or nothing."""
    actor = staff_actor(request)
    booking = access_booking_by_reference(actor, reference.upper())
    done = actions.cancel_with_money(
        booking.id,
        actor=actor,
        reason=payload.reason,
        refund_amount=_amount(payload.refund),
        coupon_amount=_amount(payload.coupon),
        recredit_vouchers=payload.recredit_vouchers,
        coupon_expires_at=payload.coupon_expires_at,
    )
    booking.refresh_from_db()

    def in_currency(amount: Decimal) -> Decimal:
        return Money(amount, booking.currency).amount

    body = {
        "booking": booking.reference,
        "state": booking.state,
        "refunded": in_currency(sum((r.amount for r in done.refunds), Decimal(0))),
        "pay_back_yourself": in_currency(done.pay_back_yourself),
        "coupon": voucher_out(done.coupon) if done.coupon else None,
        "recredited": in_currency(sum((r.amount for r in done.recredited), Decimal(0))),
    }
    return 200, CancelWithMoneyOut(**body).model_dump(mode="json")
