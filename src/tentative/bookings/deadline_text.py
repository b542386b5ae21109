"""The deadline rule as a sentence in the booking's language, stored with the booking."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tentative.core.deadlines import DeadlineRule, Policy


def describe(rule: DeadlineRule, *, language: str) -> str:
    with translation.override(language):
        parts = []
        if rule.days_after_booking is not None:
            n = rule.days_after_booking
            parts.append(
                ngettext("%(n)d day after booking", "%(n)d days after booking", n) % {"n": n}
            )
        if rule.days_before_start is not None:
            n = rule.days_before_start
            before = ngettext("%(n)d day before the event", "%(n)d days before the event", n) % {
                "n": n
            }
            parts.append(_("capped at %(before)s") % {"before": before} if parts else before)
        text = ", ".join(parts)
        if rule.policy == Policy.FLEXIBLE:
            text += " " + _("(flexible: kept until staff decide)")
        return text
