"""Archive a reserve: it can no longer be booked from or given places, its unbooked places
on dates still to come go back to general sale, and bookings already made from it stay.
Its name becomes free for a new reserve."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db.models import F

from tentative.inventory import reserves
from tentative.inventory.actions._common import lock_reserve, record
from tentative.inventory.models import CapacityPool, Reserve, ReserveDate
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def archive_reserve(reserve_id: int, *, actor: Actor, now: datetime | None = None) -> Reserve:
    now = now_or(now)
    with action_transaction():
        reserve = lock_reserve(reserve_id, actor=actor, live=False)
        if reserve.archived_at is not None:
            return reserve
        pools = dict(
            CapacityPool.objects.filter(
                reserve=reserve, event_date__starts_at__gt=now, capacity__gt=F("taken")
            ).values_list("id", "event_date_id")
        )
        resized = reserves.resize({pool_id: lambda p: p.taken for pool_id in pools})
        released: Counter[int] = Counter()
        for change in resized:
            released[pools[change.pool_id]] += change.released
        for date_id, quantity in sorted(released.items()):
            ReserveDate.objects.filter(reserve=reserve, event_date_id=date_id).update(
                released=F("released") + quantity
            )
        Reserve.objects.filter(id=reserve.id).update(archived_at=now)
        reserve.archived_at = now
        record(
            reserve,
            actor=actor,
            verb="archive",
            at=now,
            data={"released": {str(k): v for k, v in sorted(released.items()) if v}},
        )
    return reserve
