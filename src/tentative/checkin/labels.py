"""Words staff read for a scan's outcome and why a ticket is not valid (codes stay in the API)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tentative.checkin.models import Outcome

OUTCOMES: dict[str, Promise] = {str(o.value): o.label for o in Outcome}  # type: ignore[misc]

REASONS: dict[str, Promise] = {
    "unknown": _("This is not a ticket of this organisation."),
    "ended": _("The booking is no longer valid (cancelled, expired, declined or not yet sold)."),
    "other_date": _("This ticket is for another date."),
    "unpaid": _("The booking is not paid in full."),
}
