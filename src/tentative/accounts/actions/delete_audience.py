"""Delete an audience: its customers become the public, its profiles stop naming it."""

from __future__ import annotations

from datetime import datetime

from tentative.accounts.access import access_audience, check_may_manage_audiences
from tentative.accounts.actions._audience import record
from tentative.accounts.errors import PublicAudienceStays
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def delete_audience(audience_id: int, *, actor: Actor, now: datetime | None = None) -> None:
    now = now_or(now)
    check_may_manage_audiences(actor)
    with action_transaction():
        audience = access_audience(actor, audience_id, lock=True)
        if audience.is_public:
            raise PublicAudienceStays()
        customers = audience.customers.count()
        record(
            audience.organisation_id,
            actor=actor,
            verb="deleted",
            at=now,
            data={"audience": audience.id, "name": audience.name, "customers": customers},
        )
        audience.delete()
