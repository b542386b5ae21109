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
