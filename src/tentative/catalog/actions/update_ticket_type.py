"""Change a ticket type's name, price or terms. Bookings keep what they were sold under: their
price, and whether a request holds, are copied onto them when they are made."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from tentative.catalog.access import access_ticket_type, check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.actions._terms import apply_terms
from tentative.catalog.models import TicketType
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def update_ticket_type(
    ticket_type_id: int, *, actor: Actor, terms: dict[str, Any], now: datetime | None = None
) -> TicketType:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        ticket_type = access_ticket_type(actor, ticket_type_id, lock=True)
        changed = apply_terms(ticket_type, terms)
        if not changed:
            return ticket_type
        ticket_type.save(update_fields=list(changed))
        record(
            ticket_type.event.organisation_id,
            actor=actor,
            verb="ticket_type_changed",
            at=now,
            data={
                "event": ticket_type.event_id,
                "ticket_type": ticket_type.id,
                "name": ticket_type.name,
                "changed": {k: str(v) if isinstance(v, Decimal) else v for k, v in changed.items()},
            },
        )
    return ticket_type
