"""One module per verb. Only these functions change a payment, a refund, a payment request
or a voucher."""

from tentative.payments.actions.apply_notification import Outcome, apply_notification
from tentative.payments.actions.authorise_request import authorise_request
from tentative.payments.actions.cancel_payment_request import cancel_payment_request
from tentative.payments.actions.cancel_with_money import cancel_with_money
from tentative.payments.actions.collect_after_approval import collect_after_approval
from tentative.payments.actions.create_payment_request import create_payment_request
from tentative.payments.actions.issue_voucher import issue_voucher
from tentative.payments.actions.pay_request import pay_request
from tentative.payments.actions.receive_notification import receive_notification
from tentative.payments.actions.record_payment import record_payment
from tentative.payments.actions.redeem_voucher import redeem_voucher
from tentative.payments.actions.refund_payment import refund_payment
from tentative.payments.actions.refund_to_voucher import refund_to_voucher
from tentative.payments.actions.send_payment_request import send_payment_request
from tentative.payments.actions.send_voucher import send_voucher
from tentative.payments.actions.simulated_card import (
    apply_return,
    simulated_checkout,
    simulated_decide,
)
from tentative.payments.actions.start_payment import start_payment

__all__ = [
    "Outcome",
    "apply_notification",
    "apply_return",
    "authorise_request",
    "cancel_payment_request",
    "cancel_with_money",
    "collect_after_approval",
    "create_payment_request",
    "issue_voucher",
    "pay_request",
    "receive_notification",
    "record_payment",
    "redeem_voucher",
    "refund_payment",
    "refund_to_voucher",
    "send_payment_request",
    "send_voucher",
    "simulated_checkout",
    "simulated_decide",
    "start_payment",
]
