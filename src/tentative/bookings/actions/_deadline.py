"""The deadline fields a new or approved booking gets, per state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import override

from tentative.accounts.models import Organisation
from tentative.bookings.deadline_text import PAY_NOW, in_language, option_terms
from tentative.bookings.errors import DeadlineUnreachable
from tentative.catalog.models import OfferTerms
from tentative.core import deadlines
from tentative.core.deadlines import AtLimit
from tentative.core.states import State


@dataclass(frozen=True)
class CheckoutHold:
    """A public checkout hold: held until `until`, shown and enforced alike, released there
    (invariant 6 gives the places back at once, before any sweep)."""

    token: str
    until: datetime
    rule: str = "checkout hold"
    terms: dict[str, Any] | None = None

    def deadline_fields(self) -> dict[str, Any]:
        # No rule's parameters: nobody is told a hold's rule (no email, no webhook), and
        # submitting the form replaces these fields with the chosen mode's deadline.
        return {
            "deadline_shown": self.until,
            "deadline_enforced": self.until,
            "at_limit": AtLimit.RELEASE.value,
            "deadline_rule": self.rule,
            "deadline_terms": self.terms,
        }


def pay_now_fields(until: datetime, *, language: str) -> dict[str, Any]:
    """A purchase kept until its card payment's limit: the rule "to be paid now", stored in
    the booking's language and as parameters (staff and the customer read it in theirs)."""
    return {
        "deadline_shown": until,
        "deadline_enforced": until,
        "deadline_rule": in_language(PAY_NOW, language),
        "deadline_terms": PAY_NOW,
    }


# When the thing booked starts, and the terms of its offer (a ticket type, a service).
Offer = tuple[datetime, OfferTerms]


def deadline_fields(
    state: State, org: Organisation, offers: list[Offer], *, now: datetime, language: str
) -> dict[str, Any]:
    first_start = min(starts_at for starts_at, _ in offers)
    if state == State.OPTION:
        return option_deadline(org, offers, now=now, language=language)
    if state == State.QUOTE:
        days = org.quote_validity_days
        shown = min(deadlines.add_calendar_days(now, days, org.zone), first_start)
        return _fields(shown, shown, AtLimit.RELEASE, {"kind": "quote", "days": days}, language)
    if state == State.REQUEST:
        return request_deadline(org, offers, now=now, language=language)
    return _fields(None, None, AtLimit.RELEASE, None, language)


def request_deadline(
    org: Organisation, offers: list[Offer], *, now: datetime, language: str
) -> dict[str, Any]:
    """A request nobody decided on lapses when the date starts, or sooner when its offer
    says it must be decided within some days (needed to authorise the card at request time:
    the decision must fall within the authorisation, core/approval.py)."""
    first_start = min(starts_at for starts_at, _ in offers)
    days = [terms.decision_days for _, terms in offers if terms.decision_days]
    if not days:
        rule = {"kind": "request", "within": None}
        return _fields(None, first_start, AtLimit.RELEASE, rule, language)
    within = min(days)
    limit = min(deadlines.add_calendar_days(now, within, org.zone), first_start)
    return _fields(None, limit, AtLimit.RELEASE, {"kind": "request", "within": within}, language)


def option_deadline(
    org: Organisation, offers: list[Offer], *, now: datetime, language: str
) -> dict[str, Any]:
    """The earliest deadline over the lines binds the whole booking."""
    found = []
    for starts_at, terms in offers:
        try:
            found.append(
                deadlines.compute_deadline(
                    terms.deadline_rule(org),
                    booked_at=now,
                    starts_at=starts_at,
                    tz=org.zone,
                )
            )
        except deadlines.DeadlineUnreachable as error:
            local = timezone.localtime(error.shown, org.zone)
            with override(language):
                raise DeadlineUnreachable(
                    deadline=formats.date_format(local, "DATETIME_FORMAT")
                ) from None
    first = min(found, key=lambda d: d.shown)
    return _fields(first.shown, first.enforced, first.at_limit, option_terms(first.rule), language)


def _fields(
    shown: datetime | None,
    enforced: datetime | None,
    at_limit: AtLimit,
    terms: dict[str, Any] | None,
    language: str,
) -> dict[str, Any]:
    """The rule's parameters (staff read it in their language) and its text in the
    booking's language (the customer's emails quote it)."""
    return {
        "deadline_shown": shown,
        "deadline_enforced": enforced,
        "at_limit": at_limit.value,
        "deadline_rule": in_language(terms, language) if terms else "",
        "deadline_terms": terms,
    }
