"""The fields of a ticket type that its create and update actions set (the quota per date
is the inventory's: `inventory.actions.set_quota`)."""

from __future__ import annotations

from typing import Any

from tentative.catalog.actions._common import APPROVAL_NOTE_REQUIRED, validated
from tentative.catalog.errors import InvalidTerms
from tentative.catalog.models import TicketType

FIELDS = (
    "name",
    "description",
    "price",
    "requires_approval",
    "approval_note",
    "approval_charge",
    "decision_days",
    "requests_hold_capacity",
    "reservable",
    "deadline_days_after_booking",
    "deadline_days_before_start",
)


def apply_terms(ticket_type: TicketType, terms: dict[str, Any]) -> dict[str, Any]:
    """Set the given fields, validate the whole ticket type; the fields that changed."""
    unknown = set(terms) - set(FIELDS)
    if unknown:
        raise InvalidTerms({name: ["unknown field"] for name in sorted(unknown)})
    changed = {}
    for name, value in terms.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(ticket_type, name) != value:
            changed[name] = value
        setattr(ticket_type, name, value)
    validated(ticket_type)
    if ticket_type.requires_approval and not ticket_type.approval_note:
        raise InvalidTerms({"approval_note": [str(APPROVAL_NOTE_REQUIRED)]})
    return changed
