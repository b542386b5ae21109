"""Whether an event's public booking form asks a name for each place."""

from __future__ import annotations

from datetime import datetime

from tentative.catalog.access import access_event, check_may_manage_catalogue
from tentative.catalog.actions._common import record
from tentative.catalog.models import Event
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def ask_names(event_id: int, *, actor: Actor, required: bool, now: datetime | None = None) -> Event:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        event = access_event(actor, event_id, lock=True)
        if event.names_required == required:
            return event
        event.names_required = required
        event.save(update_fields=["names_required"])
        record(
            event.organisation_id,
            actor=actor,
            verb="names_required" if required else "names_not_required",
            at=now,
            data={"event": event.id, "name": event.name},
        )
    return event
