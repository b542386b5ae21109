"""Words people read for the codes of a booking's states and actions, and of staff roles.

The codes stay untranslated where programs read them (the API, the outbox topics, the
database choices, so a reworded label needs no migration); pages and messages show these.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tentative.bookings.deadline_text import describe
from tentative.core.deadlines import DeadlineRule
from tentative.shared.labels import label as label  # labels.label(labels.STATES, code)

STATES: dict[str, Promise] = {
    "quote": _("Quote"),
    "request": _("Request"),
    "option": _("Option"),
    "confirmed": _("Confirmed"),
    "expired": _("Expired"),
    "declined": _("Declined"),
    "cancelled": _("Cancelled"),
}

# What a bulk decision did to each request (actions.decide.Outcome), on the pending page.
OUTCOMES: dict[str, Promise] = {
    "accepted": _("Accepted"),
    "refused": _("Refused"),
    "no_places": _("Not accepted: no places remain (still waiting)"),
    "already_decided": _("Already decided"),
    "lapsed": _("Too late to accept: its decision limit or its date has passed"),
    "deadline_unreachable": _("Not accepted: its payment deadline would already be past"),
    "not_allowed": _("Not allowed: its places come from a reserve you may not draw from"),
    "not_found": _("Not found"),
}

# What happens to an option at its enforced limit (core.deadlines.AtLimit).
AT_LIMIT: dict[str, Promise] = {
    "release": _("released"),
    "review": _("kept for review"),
}

# As they end "A booking … cannot be %(action)s" (errors.IllegalTransition): a participle
# that agrees with "booking" in French and Spanish, hence the context.
DONE: dict[str, Promise] = {
    "converted": pgettext_lazy("a booking cannot be …", "converted"),
    "approved": pgettext_lazy("a booking cannot be …", "approved"),
    "declined": pgettext_lazy("a booking cannot be …", "declined"),
    "confirmed": pgettext_lazy("a booking cannot be …", "confirmed"),
    "extended": pgettext_lazy("a booking cannot be …", "extended"),
    "expired": pgettext_lazy("a booking cannot be …", "expired"),
    "cancelled": pgettext_lazy("a booking cannot be …", "cancelled"),
    "reinstated": pgettext_lazy("a booking cannot be …", "reinstated"),
    "moved": pgettext_lazy("a booking cannot be …", "moved"),
    "changed": pgettext_lazy("a booking cannot be …", "changed"),
}

ROLES: dict[str, Promise] = {
    "owner": _("Account owner"),
    "manager": _("Manager"),
    "agent": _("Agent"),
}


def rule_text(rule: DeadlineRule) -> str:
    """An option's deadline rule as a sentence in the reader's language ("7 days after
    booking, capped at 2 days before the event")."""
    return describe(rule, language=translation.get_language() or "en")
