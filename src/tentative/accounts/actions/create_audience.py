"""Create an audience (schools, companies…): by default it may reserve where the public may."""

from __future__ import annotations

from datetime import datetime

from tentative.accounts.access import check_may_manage_audiences
from tentative.accounts.actions._audience import clean_name, in_use, record
from tentative.accounts.models import Audience
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def create_audience(
    organisation_id: int, *, actor: Actor, name: str, now: datetime | None = None
) -> Audience:
    now = now_or(now)
    check_may_manage_audiences(actor)
    check_organisation(actor, organisation_id)
    with action_transaction():
        name = clean_name(organisation_id, name)
        public = Audience.objects.filter(organisation_id=organisation_id, is_public=True).first()
        audience = Audience(organisation_id=organisation_id, name=name)
        if public is not None:
            audience.reserve_channels = list(public.reserve_channels)
        audience.save()
        in_use(organisation_id)
        record(
            organisation_id,
            actor=actor,
            verb="created",
            at=now,
            data={"audience": audience.id, "name": name},
        )
    return audience
