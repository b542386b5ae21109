"""Open a reserve to all staff users, or restrict it to selected ones (the owner always has
access). Only who may book from it changes; the places it holds stay."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tentative.inventory.actions._common import choice, lock_reserve, members_of, record
from tentative.inventory.models import Reserve
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def restrict_reserve(
    reserve_id: int,
    *,
    actor: Actor,
    audience: str,
    member_ids: list[int] | None = None,
    now: datetime | None = None,
) -> Reserve:
    now = now_or(now)
    audience = choice(Reserve.Audience, audience, _("audience"))
    with action_transaction():
        reserve = lock_reserve(reserve_id, actor=actor)
        selected = audience == Reserve.Audience.SELECTED
        members = members_of(reserve.organisation_id, member_ids or []) if selected else []
        before = (reserve.audience, sorted(reserve.members.values_list("id", flat=True)))
        after = (audience, sorted(m.id for m in members))
        if before == after:
            return reserve
        Reserve.objects.filter(id=reserve.id).update(audience=audience)
        reserve.audience = audience
        reserve.members.set(members)
        record(
            reserve,
            actor=actor,
            verb="restrict",
            at=now,
            data={
                "audience": audience,
                "members": after[1],
                "previous_audience": before[0],
                "previous_members": before[1],
            },
        )
    return reserve
