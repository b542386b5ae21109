"""Words people read for a booking's payment status (the codes stay in the API)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

STATUS: dict[str, Promise] = {
    "unpaid": pgettext_lazy("payment status", "Unpaid"),
    "partially_paid": pgettext_lazy("payment status", "Partly paid"),
    "paid": pgettext_lazy("payment status", "Paid"),
    "overpaid": pgettext_lazy("payment status", "Overpaid"),
}

# A payment's and a refund's states, as staff read them.
PAYMENT_STATES: dict[str, Promise] = {
    "created": pgettext_lazy("payment state", "Opened"),
    "pending": pgettext_lazy("payment state", "Pending"),
    "authorised": pgettext_lazy("payment state", "Authorised"),
    "captured": pgettext_lazy("payment state", "Captured"),
    "failed": pgettext_lazy("payment state", "Declined"),
    "cancelled": pgettext_lazy("payment state", "Voided"),
    "expired": pgettext_lazy("payment state", "Expired"),
}
REFUND_STATES: dict[str, Promise] = {
    "created": pgettext_lazy("refund state", "Created"),
    "pending": pgettext_lazy("refund state", "Pending"),
    "done": pgettext_lazy("refund state", "Done"),
    "failed": pgettext_lazy("refund state", "Failed"),
}
REQUEST_STATES: dict[str, Promise] = {
    "open": pgettext_lazy("payment request", "Open"),
    "paid": pgettext_lazy("payment request", "Paid"),
    "cancelled": pgettext_lazy("payment request", "Withdrawn"),
    "expired": pgettext_lazy("payment request", "Expired"),
}
PROVIDERS: dict[str, Promise] = {
    "simulated": pgettext_lazy("provider", "Simulated card (test mode)"),
    "offline": pgettext_lazy("provider", "At the desk"),
}
