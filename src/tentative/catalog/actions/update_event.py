"""Rename an event or change its description."""

from __future__ import annotations

from datetime import datetime

from tentative.catalog.access import access_event, check_may_manage_catalogue
from tentative.catalog.actions._common import record, validated
from tentative.catalog.models import Event
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def update_event(
    event_id: int,
    *,
    actor: Actor,
    name: str,
    description: str = "",
    now: datetime | None = None,
) -> Event:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        event = access_event(actor, event_id, lock=True)
        before = {"name": event.name, "description": event.description}
        event.name, event.description = name.strip(), description
        validated(event)
        after = {"name": event.name, "description": event.description}
        if before == after:
            return event
        event.save(update_fields=["name", "description"])
        changed = sorted(k for k in after if after[k] != before[k])
        record(
            event.organisation_id,
            actor=actor,
            verb="event_changed",
            at=now,
            data={
                "event": event.id,
                "name": event.name,
                "changed": changed,
            },
        )
    return event
