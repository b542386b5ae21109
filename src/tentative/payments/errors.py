"""Why a payment or a refund is refused, in words staff and customers understand."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tentative.shared.errors import DomainError, InvalidInput


class AmountInvalid(InvalidInput):
    code = "amount_invalid"
    message = _("Enter an amount above zero with at most %(places)s decimals.")


class RefundTooLarge(DomainError):
    code, status = "refund_too_large", 409
    message = _("Only %(left)s can still be refunded from this payment.")


class NotRefundable(DomainError):
    code, status = "not_refundable", 409
    message = _("Only a captured payment can be refunded.")


class BadNotification(DomainError):
    code, status = "bad_signature", 400
    message = _("This notification is not signed by the payment provider, or is too old.")


class UnknownPayment(DomainError):
    code, status = "unknown_payment", 404
    message = _("No such payment.")
