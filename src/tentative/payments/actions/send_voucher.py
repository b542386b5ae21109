"""Email a coupon or gift voucher to its holder (the "coupon" email, through the outbox):
the voucher's own address, else its booking's customer. Sending again sends it again."""

from __future__ import annotations

from datetime import datetime

from tentative.outbox import topics
from tentative.payments.access import access_voucher, check_may_take
from tentative.payments.actions._voucher import describe, tell, trail
from tentative.payments.errors import VoucherNoAddress
from tentative.payments.models import Voucher
from tentative.payments.selectors import voucher_balance
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def send_voucher(code: str, *, actor: Actor, now: datetime | None = None) -> Voucher:
    now = now_or(now)
    check_may_take(actor)
    with action_transaction():
        voucher = access_voucher(actor, code, lock=True)
        customer = voucher.booking.customer if voucher.booking else None
        to = voucher.email or (customer.email if customer else "")
        if not to:
            raise VoucherNoAddress()
        data = describe(voucher, amount=str(voucher_balance(voucher).amount), to=to)
        trail(voucher, "voucher.send", actor=actor, now=now, data=data)
        tell(voucher, topics.VOUCHER_SENT, actor=actor, now=now, data=data)
        voucher.sent_at = now
        voucher.save(update_fields=["sent_at"])
    return voucher
