"""Charge after approval (seed 000, DESIGN §1.1 and §1.6): how money is collected for an
offer that staff must approve first, and until when staff may decide.

- `NONE`: nothing online; approving confirms the booking (the customer pays at the desk,
  or it is free).
- `AFTER_APPROVAL`: nothing is collected at request time; approving makes the booking an
  option awaiting payment and the customer gets a payment request with its deadline.
- `AUTHORISE`: the card is authorised when the request is made, captured on acceptance and
  voided on refusal. A card authorisation lasts a few days (Stripe: 7), so this is allowed
  only when requests must be decided within that window.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class Charge(StrEnum):
    NONE = "none"
    AFTER_APPROVAL = "after_approval"
    AUTHORISE = "authorise"


def approved_into_option(charges: list[Charge], total_positive: bool) -> bool:
    """Whether approving goes to an option awaiting payment rather than straight to firm:
    when any line is charged after approval and there is something to pay."""
    return total_positive and any(c != Charge.NONE for c in charges)


def window_refusal(charge: Charge, decision_days: int | None, window_days: int) -> str | None:
    """Why `charge` cannot be chosen with requests decided within `decision_days`, when the
    card provider's authorisation lasts `window_days`; None when it can.

    `"no_decision_days"`: a request waits until the date starts, which may be months
    away; `"window_too_short"`: the decision may be due after the authorisation lapsed."""
    if charge != Charge.AUTHORISE:
        return None
    if decision_days is None:
        return "no_decision_days"
    if decision_days > window_days:
        return "window_too_short"
    return None


def decide_by(deadline: datetime | None, authorised_until: datetime | None) -> datetime | None:
    """When staff must decide on a request: the earlier of the request's own deadline and
    the end of the card authorisation taken with it (after that, accepting can no longer
    capture it and sends a payment request instead)."""
    moments = [m for m in (deadline, authorised_until) if m is not None]
    return min(moments) if moments else None
