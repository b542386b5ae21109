"""Delete a sales profile and its items: its products follow the other profiles, or their
own terms."""

from __future__ import annotations

from datetime import datetime

from tentative.catalog.access import access_profile, check_may_manage_catalogue
from tentative.catalog.actions._profile import record
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def delete_sales_profile(profile_id: int, *, actor: Actor, now: datetime | None = None) -> None:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        profile = access_profile(actor, profile_id, lock=True)
        record(
            profile.organisation_id,
            actor=actor,
            verb="deleted",
            at=now,
            data={"profile": profile.id, "name": profile.name, "items": profile.items.count()},
        )
        profile.delete()
