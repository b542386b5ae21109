"""A coupon or gift voucher used as a payment: captured the moment it is redeemed (the
ledger entry and the payment are written together), and a refund goes back onto the
voucher as a re-credit (`actions/_refund.py`), never to a bank or a card."""

from __future__ import annotations

from tentative.payments.providers.base import Capabilities, CapturedWhenRecorded


class Vouchers(CapturedWhenRecorded):
    code = "voucher"
    label = "Coupon or gift voucher"
    capabilities = Capabilities()  # refunds "online": back onto the voucher, nothing to pay back
