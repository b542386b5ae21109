"""One module per verb. Only these functions change a payment or a refund."""

from tentative.payments.actions.cancel_with_money import cancel_with_money
from tentative.payments.actions.issue_voucher import issue_voucher
from tentative.payments.actions.receive_notification import receive_notification
from tentative.payments.actions.record_payment import record_payment
from tentative.payments.actions.redeem_voucher import redeem_voucher
from tentative.payments.actions.refund_payment import refund_payment
from tentative.payments.actions.refund_to_voucher import refund_to_voucher
from tentative.payments.actions.send_voucher import send_voucher

__all__ = [
    "cancel_with_money",
    "issue_voucher",
    "receive_notification",
    "record_payment",
    "redeem_voucher",
    "refund_payment",
    "refund_to_voucher",
    "send_voucher",
]
