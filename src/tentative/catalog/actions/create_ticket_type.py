"""Add a ticket type (a price, with its terms: approval, option, deadline) to an event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tentative.catalog.access import access_event, check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.actions._terms import apply_terms
from tentative.catalog.models import TicketType
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def create_ticket_type(
    event_id: int, *, actor: Actor, terms: dict[str, Any], now: datetime | None = None
) -> TicketType:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        event = access_event(actor, event_id, lock=True)
        ticket_type = TicketType(event=event)
        apply_terms(ticket_type, terms)
        ticket_type.save()
        record(
            event.organisation_id,
            actor=actor,
            verb="ticket_type_created",
            at=now,
            data={
                "event": event.id,
                "ticket_type": ticket_type.id,
                "name": ticket_type.name,
                "price": str(ticket_type.price),
            },
        )
    return ticket_type
