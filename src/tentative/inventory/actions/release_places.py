"""Release some or all of a reserve's unbooked places on a date back to general sale.

The way to sell a place of a reserve *without access*: release it, then book it as usual.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F

from tentative.inventory import reserves
from tentative.inventory.actions._common import lock_reserve, offer, places, record
from tentative.inventory.errors import ReleaseTooMany
from tentative.inventory.models import CapacityPool, ReserveDate
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.errors import NotFound
from tentative.shared.transactions import action_transaction


def release_places(
    reserve_id: int,
    *,
    actor: Actor,
    event_date_id: int,
    ticket_type_id: int,
    quantity: int | None = None,
    now: datetime | None = None,
) -> reserves.Resized:
    """`quantity=None` releases every place not booked from the reserve."""
    now = now_or(now)
    if quantity is not None:
        quantity = places(quantity)
    with action_transaction():
        reserve = lock_reserve(reserve_id, actor=actor, live=False)  # archived: nothing left
        date, ticket_type = offer(reserve, event_date_id, ticket_type_id)
        pool = CapacityPool.objects.filter(
            reserve=reserve, event_date=date, ticket_type=ticket_type
        ).first()
        if pool is None:
            raise NotFound()

        def target(locked: CapacityPool) -> int:
            left = locked.capacity - locked.taken
            if quantity is None:
                return locked.taken
            if quantity > left:
                raise ReleaseTooMany(left=left)
            return locked.capacity - quantity

        [resized] = reserves.resize({pool.id: target})
        if not resized.released:
            return resized
        ReserveDate.objects.filter(reserve=reserve, event_date=date).update(
            released=F("released") + resized.released
        )
        record(
            reserve,
            actor=actor,
            verb="release",
            at=now,
            data={
                "event_date": date.id,
                "ticket_type": ticket_type.id,
                "before": resized.before,
                "after": resized.after,
                "released": resized.released,
            },
        )
    return resized
