"""Rename an audience (the public one too: "Individuals", "Grand public"…)."""

from __future__ import annotations

from datetime import datetime

from tentative.accounts.access import access_audience, check_may_manage_audiences
from tentative.accounts.actions._audience import clean_name, record
from tentative.accounts.models import Audience
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def rename_audience(
    audience_id: int, *, actor: Actor, name: str, now: datetime | None = None
) -> Audience:
    now = now_or(now)
    check_may_manage_audiences(actor)
    with action_transaction():
        audience = access_audience(actor, audience_id, lock=True)
        name = clean_name(audience.organisation_id, name, exclude=audience.id)
        if name == audience.name:
            return audience
        record(
            audience.organisation_id,
            actor=actor,
            verb="renamed",
            at=now,
            data={"audience": audience.id, "name": [audience.name, name]},
        )
        audience.name = name
        audience.save(update_fields=["name"])
    return audience
