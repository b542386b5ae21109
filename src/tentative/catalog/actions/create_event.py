"""Create an event (its dates and ticket types come next)."""

from __future__ import annotations

from datetime import datetime

from tentative.catalog.access import check_may_manage_catalogue
from tentative.catalog.actions._common import record, validated
from tentative.catalog.models import Event
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def create_event(
    organisation_id: int,
    *,
    actor: Actor,
    name: str,
    description: str = "",
    now: datetime | None = None,
) -> Event:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    check_organisation(actor, organisation_id)
    event = Event(organisation_id=organisation_id, name=name.strip(), description=description)
    validated(event, exclude=["organisation"])
    with action_transaction():
        event.save()
        record(
            organisation_id,
            actor=actor,
            verb="event_created",
            at=now,
            data={
                "event": event.id,
                "name": event.name,
            },
        )
    return event
