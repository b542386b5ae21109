"""Why a payment or a refund is refused, in words staff and customers understand."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tentative.bookings import labels
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


# Coupons and gift vouchers. Another organisation's code is "unknown" too: a code never
# tells anyone that it exists elsewhere.
class VoucherUnknown(DomainError):
    code, status = "voucher_unknown", 404
    message = _("No coupon or gift voucher has this code.")


class VoucherCurrency(DomainError):
    code, status = "voucher_currency", 409
    message = _("This voucher is in %(currency)s and the booking in %(booking_currency)s.")


class VoucherExpired(DomainError):
    code, status = "voucher_expired", 409
    message = _("This voucher has expired.")


class VoucherEmpty(DomainError):
    code, status = "voucher_empty", 409
    message = _("Nothing is left on this voucher.")


class VoucherTooLarge(DomainError):
    code, status = "voucher_amount_too_large", 409
    message = _("Only %(left)s is left on this voucher.")


class AboveOutstanding(DomainError):
    code, status = "amount_above_outstanding", 409
    message = _("Only %(left)s is still due on this booking.")


class AmountAboveBalance(InvalidInput):
    code = "amount_above_balance"
    message = _("At most %(outstanding)s is still due on this booking.")


class NothingDue(DomainError):
    code, status = "nothing_due", 409
    message = _("Nothing is due on this booking.")


class CouponTooLarge(DomainError):
    code, status = "coupon_too_large", 409
    message = _("Only %(left)s was overpaid on this booking.")


class MoneyBackTooLarge(DomainError):
    code, status = "money_back_too_large", 409
    message = _("The refund and the coupon together can be at most %(left)s, what was paid.")


class VoucherNoAddress(DomainError):
    code, status = "voucher_no_address", 409
    message = _("This voucher has no email address to send it to.")


class VoucherCurrencyInvalid(DomainError):
    code, status = "currency_invalid", 422
    message = _("Enter a currency code of three letters, such as EUR.")


class MethodRequired(DomainError):
    code, status = "method_required", 422
    message = _(
        "A gift voucher sold at the desk needs the way it was paid: cash, terminal or transfer."
    )


class NotPayable(DomainError):
    code, status = "not_payable", 409
    message = _("A booking in state “%(state)s” cannot be paid.")

    @property
    def text(self) -> str:
        """The state comes as a code; it is worded in the reader's language here."""
        return str(self.message) % {"state": labels.label(labels.STATES, self.params["state"])}


class ExpiryInvalid(InvalidInput):
    code = "expiry_invalid"
    message = _("Choose an expiry in the future, no later than the option's deadline.")


class RequestExpired(DomainError):
    code, status = "request_expired", 409
    message = _("This payment link has expired. Please ask for a new one.")


class RequestPaid(DomainError):
    code, status = "request_paid", 409
    message = _("This payment link has already been paid. Thank you!")


class RequestCancelled(DomainError):
    code, status = "request_cancelled", 409
    message = _("This payment link was withdrawn. Please ask for a new one.")


class NotAuthorisable(DomainError):
    code, status = "not_authorisable", 409
    message = _(
        "Only a pending request for an offer that authorises the card at request time can "
        "have its card authorised."
    )


class AlreadyAuthorised(DomainError):
    code, status = "already_authorised", 409
    message = _("The card is already authorised for this request.")
