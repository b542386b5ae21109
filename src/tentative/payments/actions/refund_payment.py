"""Give money back from one captured payment, whole or part.

Under the payment's row lock, so two refunds at once can never together exceed what was
captured (the database's `refunds_within_captured` check is the last line). A card refund
goes back through the provider; an offline one is recorded as done, and staff are told to
pay the money back themselves (seed 004: "also refund at your bank").
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tentative.core import money as core_money
from tentative.core.payments import PaymentState
from tentative.payments.access import access_payment, check_may_refund
from tentative.payments.actions._money import amount_in
from tentative.payments.actions._refund import record_refund
from tentative.payments.errors import NotRefundable, RefundTooLarge
from tentative.payments.models import Refund
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def refund_payment(
    reference: str,
    *,
    actor: Actor,
    amount: Decimal,
    reason: str = "",
    now: datetime | None = None,
) -> Refund:
    now = now_or(now)
    check_may_refund(actor)
    with action_transaction():
        payment = access_payment(actor, reference, lock=True)
        if payment.state != PaymentState.CAPTURED:
            raise NotRefundable()
        wanted = amount_in(amount, payment.currency)

        def money(value: Decimal) -> core_money.Money:
            return core_money.Money(value, payment.currency)

        try:
            core_money.check_refund(money(payment.captured), money(payment.refunded), wanted)
        except core_money.RefundTooLarge:
            raise RefundTooLarge(left=money(payment.captured - payment.refunded)) from None
        refund = record_refund(payment, wanted.amount, actor=actor, reason=reason, now=now)
    return refund
