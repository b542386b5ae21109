"""A coupon or gift voucher used as a payment: captured the moment it is redeemed (the
ledger entry and the payment are written together), and a refund goes back onto the
voucher as a re-credit (`actions/_refund.py`), never to a bank or a card."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from tentative.payments.providers.base import BadSignature, Capabilities, Notification


class Vouchers:
    code = "voucher"
    label = "Coupon or gift voucher"
    capabilities = Capabilities()  # refunds "online": back onto the voucher, nothing to pay back

    def verify(self, body: bytes, headers: Mapping[str, str], *, now: datetime) -> Notification:
        raise BadSignature("vouchers send no notifications")
