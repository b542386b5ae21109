"""Change a reserve's type (with or without access), where places of a cancelled booking
drawn from it go (back to the reserve, or to general sale), and its default scheduled
release (how long before each date undrawn places return to general sale)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from tentative.inventory.actions._common import choice, lock_reserve, record
from tentative.inventory.models import Reserve
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import InvalidInput
from tentative.shared.transactions import action_transaction

UNSET: Any = object()
MAX_BEFORE = timedelta(days=366)
BAD_BEFORE = _("The release must be between 1 hour and 366 days before the date.")


def clean_release_before(value: timedelta | None) -> timedelta | None:
    if value is not None and not timedelta(hours=1) <= value <= MAX_BEFORE:
        raise InvalidInput(BAD_BEFORE)
    return value


def configure_reserve(
    reserve_id: int,
    *,
    actor: Actor,
    kind: str = UNSET,
    cancelled_places_to: str = UNSET,
    release_before: timedelta | None = UNSET,
    now: datetime | None = None,
) -> Reserve:
    """Only the settings passed change. A new default release applies to dates set aside
    from now on; dates already scheduled keep theirs (see `schedule_release`)."""
    now = now_or(now)
    wanted: dict[str, Any] = {}
    if kind is not UNSET:
        wanted["kind"] = choice(Reserve.Kind, kind, _("reserve type"))
    if cancelled_places_to is not UNSET:
        wanted["cancelled_places_to"] = choice(
            Reserve.CancelledPlaces, cancelled_places_to, _("setting")
        )
    if release_before is not UNSET:
        wanted["release_before"] = clean_release_before(release_before)
    with action_transaction():
        reserve = lock_reserve(reserve_id, actor=actor)
        changed = {k: v for k, v in wanted.items() if getattr(reserve, k) != v}
        if not changed:
            return reserve
        previous = {k: getattr(reserve, k) for k in changed}
        Reserve.objects.filter(id=reserve.id).update(**changed)
        for field, value in changed.items():
            setattr(reserve, field, value)
        record(
            reserve,
            actor=actor,
            verb="configure",
            at=now,
            data={
                **{k: _plain(v) for k, v in changed.items()},
                "previous": {k: _plain(v) for k, v in previous.items()},
            },
        )
    return reserve


def _plain(value: Any) -> Any:
    return value.total_seconds() / 3600 if isinstance(value, timedelta) else value
