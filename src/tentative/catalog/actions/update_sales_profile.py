"""Change a sales profile's name, channels, audiences, period of sale or priority."""

from __future__ import annotations

from datetime import datetime

from tentative.catalog.access import access_profile, check_may_manage_catalogue
from tentative.catalog.actions._profile import ProfileData, clean, plain, record
from tentative.catalog.models import SalesProfile
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def update_sales_profile(
    profile_id: int, data: ProfileData, *, actor: Actor, now: datetime | None = None
) -> SalesProfile:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    with action_transaction():
        profile = access_profile(actor, profile_id, lock=True)
        fields = clean(profile.organisation_id, data)
        audiences = fields.pop("audiences")
        before = {name: getattr(profile, name) for name in fields}
        before_audiences = sorted(profile.audiences.values_list("id", flat=True))
        changed = {k: [before[k], v] for k, v in fields.items() if before[k] != v}
        if audiences != before_audiences:
            changed["audiences"] = [before_audiences, audiences]
        if not changed:
            return profile
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.save()
        profile.audiences.set(audiences)
        record(
            profile.organisation_id,
            actor=actor,
            verb="updated",
            at=now,
            data={
                "profile": profile.id,
                **{k: [plain(a), plain(b)] for k, (a, b) in changed.items()},
            },
        )
    return profile
