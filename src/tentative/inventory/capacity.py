"""Taking and giving back places: one conditional UPDATE per pool, in pool-id order.

Locking rules (docs/subsystems/locking.md): pools are always updated in ascending id order,
so two transactions can never wait on each other's pools; the UPDATE itself takes the row
lock, late and briefly, inside the booking's transaction; nothing counts booking rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Sum

from tentative.inventory.models import CapacityPool, Hold


class PoolFull(Exception):
    """A pool has fewer free places than asked; the caller may reclaim lapsed options."""

    def __init__(self, pool_id: int, wanted: int) -> None:
        self.pool_id, self.wanted = pool_id, wanted
        super().__init__(f"pool {pool_id} cannot give {wanted} places")


def demand(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """(pool_id, quantity) pairs summed per pool and sorted: the fixed locking order."""
    total: Counter[int] = Counter()
    for pool_id, quantity in pairs:
        total[pool_id] += quantity
    return sorted(total.items())


def take(pairs: Iterable[tuple[int, int]]) -> None:
    for pool_id, quantity in demand(pairs):
        changed = CapacityPool.objects.filter(
            id=pool_id, capacity__gte=F("taken") + F("set_aside") + quantity
        ).update(taken=F("taken") + quantity)
        if changed != 1:
            raise PoolFull(pool_id, quantity)


def give_back(pairs: Iterable[tuple[int, int]]) -> None:
    for pool_id, quantity in demand(pairs):
        CapacityPool.objects.filter(id=pool_id).update(taken=F("taken") - quantity)


def held_by(booking_ids: Iterable[int]) -> list[tuple[int, int]]:
    """What the given bookings hold, per pool, read from their Hold rows."""
    rows = (
        Hold.objects.filter(line__booking_id__in=list(booking_ids))
        .values("pool_id")
        .annotate(quantity=Sum("quantity"))
    )
    return demand((row["pool_id"], row["quantity"]) for row in rows)


@dataclass(frozen=True)
class Drift:
    pool_id: int
    recorded: int
    actual: int


def reconcile(*, fix: bool = False) -> list[Drift]:
    """Recompute every pool's `taken` from the holds of bookings that hold capacity."""
    actual = dict(
        Hold.objects.filter(line__booking__holds_capacity=True)
        .values("pool_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("pool_id", "quantity")
    )
    drifts = [
        Drift(pool_id, taken, actual.get(pool_id, 0))
        for pool_id, taken in CapacityPool.objects.order_by("id").values_list("id", "taken")
        if taken != actual.get(pool_id, 0)
    ]
    if fix:
        for drift in drifts:
            CapacityPool.objects.filter(id=drift.pool_id).update(taken=drift.actual)
    return drifts
