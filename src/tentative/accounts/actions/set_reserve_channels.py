"""The channel × audience matrix (seed 001): on which channels each audience may reserve
(book now, pay later) rather than only buy. Saved whole, as the staff page shows it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.utils.translation import gettext as _

from tentative.accounts.access import audiences_of, check_may_manage_audiences
from tentative.accounts.actions._audience import CHANNEL_UNKNOWN, in_use, public_audience, record
from tentative.accounts.errors import InvalidAudience
from tentative.core.sales import CHANNELS
from tentative.shared.actor import Actor, check_organisation
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction


def set_reserve_channels(
    organisation_id: int,
    matrix: Mapping[int | None, Iterable[str]],
    *,
    actor: Actor,
    now: datetime | None = None,
) -> dict[int, list[str]]:
    """`matrix`: audience id (None: the public, created if it does not exist yet) -> the
    channels where it may reserve. Audiences left out keep theirs. Returns what changed."""
    now = now_or(now)
    check_may_manage_audiences(actor)
    check_organisation(actor, organisation_id)
    wanted: dict[int | None, list[str]] = {}
    for audience_id, channels in matrix.items():
        chosen = set(channels)
        if not chosen <= set(CHANNELS):
            raise InvalidAudience(CHANNEL_UNKNOWN, field="channels")
        wanted[audience_id] = [c for c in CHANNELS if c in chosen]  # a stable order
    changed: dict[int, list[str]] = {}
    with action_transaction():
        if None in wanted:
            public = public_audience(organisation_id, name=_("Public"))
            wanted[public.id] = wanted.pop(None)
        rows = {
            a.id: a
            for a in audiences_of(actor)
            .filter(organisation_id=organisation_id, id__in=[k for k in wanted if k is not None])
            .select_for_update(no_key=True)
        }
        if len(rows) != len(wanted):
            raise NotFound()
        for audience_id, channels in wanted.items():
            audience = rows[audience_id]  # type: ignore[index]
            if list(audience.reserve_channels) != channels:
                audience.reserve_channels = channels
                audience.save(update_fields=["reserve_channels"])
                changed[audience.id] = channels
        if changed:
            in_use(organisation_id)
            record(
                organisation_id,
                actor=actor,
                verb="reserve_channels",
                at=now,
                data={"changed": {str(k): v for k, v in changed.items()}},
            )
    return changed
