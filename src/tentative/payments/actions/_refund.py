"""Writing a refund down: the one place both a staff refund and a late payment's automatic
refund go through (the payment row is locked by the caller, the amount already checked)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import F

from tentative.audit import trail as audit
from tentative.core.money import Money
from tentative.core.payments import RefundState
from tentative.outbox import events as outbox
from tentative.outbox import topics
from tentative.payments.actions._voucher import write as write_voucher
from tentative.payments.models import Payment, Refund, VoucherEntry
from tentative.payments.selectors import refunds_online, voucher_payment_entry
from tentative.shared.actor import Actor


def record_refund(
    payment: Payment,
    amount: Decimal,
    *,
    actor: Actor,
    reason: str,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> Refund:
    refund = Refund.objects.create(
        payment=payment, state=RefundState.DONE.value, amount=amount, reason=reason, created_at=now
    )
    Payment.objects.filter(id=payment.id).update(refunded=F("refunded") + amount, updated_at=now)
    data = {
        "payment": payment.reference,
        "amount": str(Money(amount, payment.currency).amount),
        "currency": payment.currency,
        "provider": payment.provider,
        "pay_back_yourself": not refunds_online(payment),
        **(extra or {}),
    }
    audit.record(payment.booking, actor=actor, action="refund", at=now, reason=reason, data=data)
    outbox.emit(payment.booking, topics.REFUND_DONE, actor=actor, at=now, data=data)
    if payment.provider == "voucher":  # a voucher's money goes back onto the voucher
        redeemed = voucher_payment_entry(payment)
        if redeemed is not None:
            write_voucher(
                redeemed.voucher,
                VoucherEntry.Kind.RECREDIT,
                amount,
                actor=actor,
                now=now,
                booking=payment.booking,
                payment=payment,
                refund=refund,
            )
    return refund
