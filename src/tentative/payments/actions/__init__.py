"""One module per verb. Only these functions change a payment or a refund."""

from tentative.payments.actions.receive_notification import receive_notification
from tentative.payments.actions.record_payment import record_payment
from tentative.payments.actions.refund_payment import refund_payment

__all__ = ["receive_notification", "record_payment", "refund_payment"]
