"""A booking's deadline rule as a sentence: written from the rule's parameters, which the
booking stores (`Booking.deadline_terms`) beside the text in its own language
(`deadline_rule`, what the customer's emails quote). Staff read it in their language,
rendered when read (`rule_text`); a booking made before the parameters were stored shows
its stored text."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tentative.core.deadlines import DeadlineRule, Policy


def option_terms(rule: DeadlineRule) -> dict[str, Any]:
    return {
        "kind": "option",
        "after": rule.days_after_booking,
        "before": rule.days_before_start,
        "policy": rule.policy.value,
    }


PAY_NOW: dict[str, Any] = {"kind": "pay_now"}  # a purchase held while the card is paid


def sentence(terms: dict[str, Any]) -> str:
    """The rule in the active language. Raises KeyError, TypeError or ValueError on
    parameters it cannot read."""
    kind = terms["kind"]
    if kind == "option":
        rule = DeadlineRule(
            days_after_booking=terms["after"],
            days_before_start=terms["before"],
            policy=Policy(terms["policy"]),
        )
        return describe(rule, language=translation.get_language() or "en")
    if kind == "quote":
        n = int(terms["days"])
        return ngettext("valid %(n)d day", "valid %(n)d days", n) % {"n": n}
    if kind == "pay_now":
        return _("to be paid now")
    if kind == "request":
        if not terms["within"]:
            return _("to be decided before the event starts")
        n = int(terms["within"])
        return ngettext("to be decided within %(n)d day", "to be decided within %(n)d days", n) % {
            "n": n
        }
    raise ValueError(kind)


def in_language(terms: dict[str, Any], language: str) -> str:
    with translation.override(language):
        return sentence(terms)


def rule_text(terms: Any, stored: str) -> str:
    """The rule in the reader's (active) language, or `stored` where the parameters are
    missing or unreadable."""
    if isinstance(terms, dict):
        try:
            return sentence(terms)
        except (KeyError, TypeError, ValueError):
            pass
    return stored


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
