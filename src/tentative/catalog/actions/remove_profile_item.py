"""Take a product out of a sales profile: the other profiles, or its own terms, decide."""

from __future__ import annotations

from datetime import datetime

from tentative.catalog.access import access_profile, check_may_manage_catalogue
from tentative.catalog.actions._profile import record
from tentative.catalog.models import SalesProfileItem
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction


def remove_profile_item(
    profile_id: int, item_id: int, *, actor: Actor, now: datetime | None = None
) -> None:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        profile = access_profile(actor, profile_id, lock=True)
        item = SalesProfileItem.objects.filter(profile=profile, id=item_id).first()
        if item is None:
            raise NotFound()
        record(
            profile.organisation_id,
            actor=actor,
            verb="item_removed",
            at=now,
            data={
                "profile": profile.id,
                "event": item.event_id,
                "ticket_type": item.ticket_type_id,
            },
        )
        item.delete()
