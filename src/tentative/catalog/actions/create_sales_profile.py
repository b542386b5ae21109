"""Create a sales profile (its items come next, `set_profile_item`)."""

from __future__ import annotations

from datetime import datetime

from tentative.catalog.access import check_may_manage_catalogue
from tentative.catalog.actions._profile import ProfileData, clean, in_use, jsonable, record
from tentative.catalog.models import SalesProfile
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def create_sales_profile(
    organisation_id: int, data: ProfileData, *, actor: Actor, now: datetime | None = None
) -> SalesProfile:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    check_organisation(actor, organisation_id)
    with action_transaction():
        fields = clean(organisation_id, data)
        audiences = fields.pop("audiences")
        profile = SalesProfile.objects.create(organisation_id=organisation_id, **fields)
        profile.audiences.set(audiences)
        in_use(organisation_id)
        record(
            organisation_id,
            actor=actor,
            verb="created",
            at=now,
            data={"profile": profile.id, **jsonable(fields), "audiences": audiences},
        )
    return profile
