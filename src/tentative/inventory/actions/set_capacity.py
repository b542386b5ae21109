"""Set a date's capacity: never below what is booked or set aside in reserves on it.

The date's general pool is locked (`FOR NO KEY UPDATE`, the lock a booking's conditional
UPDATE takes), so a booking made meanwhile is either counted here or waits and then finds
the new capacity; the `pool_not_oversold` constraint backs the check up.
"""

from __future__ import annotations

from datetime import datetime

from tentative.catalog.access import access_date, check_may_manage_catalogue
from tentative.inventory.actions._catalogue import capacity_value, record, when
from tentative.inventory.errors import CapacityBelowTaken
from tentative.inventory.models import CapacityPool
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


def set_capacity(
    event_date_id: int, *, actor: Actor, capacity: int, now: datetime | None = None
) -> CapacityPool:
    now = now_or(now)
    check_may_manage_catalogue(actor)
    capacity = capacity_value(capacity)
    with action_transaction():
        date = access_date(actor, event_date_id)
        pool = (
            CapacityPool.objects.select_for_update(no_key=True)
            .filter(event_date=date, ticket_type=None, reserve=None)
            .first()
        )
        if pool is None:  # a date that was not on sale yet
            pool = CapacityPool.objects.create(
                organisation_id=date.event.organisation_id, event_date=date, capacity=capacity
            )
            before = None
        else:
            used = pool.taken + pool.set_aside
            if capacity < used:
                raise CapacityBelowTaken(taken=used, date=when(date))
            before = pool.capacity
            if before == capacity:
                return pool
            CapacityPool.objects.filter(id=pool.id).update(capacity=capacity)
            pool.capacity = capacity
        record(
            date.event.organisation_id,
            actor=actor,
            verb="capacity_set",
            at=now,
            data={
                "event": date.event_id,
                "event_date": date.id,
                "before": before,
                "after": capacity,
            },
        )
    return pool
