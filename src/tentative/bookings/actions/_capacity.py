"""Taking places for a booking, reclaiming lapsed options inline when a pool looks full.

DESIGN §2.2 #6: an option past its enforced limit never blocks a new booking, even before
the sweep has run. When a conditional update fails we make sure we hold no pool (a failed
single-pool UPDATE locks nothing; with several pools a savepoint rollback releases those
already taken), expire the lapsed options holding the full pool, waiting for any that another
transaction is expiring right now, and try again. Each pool is reclaimed at most once.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from tentative.bookings.errors import SoldOut
from tentative.bookings.models import Booking
from tentative.inventory import capacity
from tentative.inventory.models import CapacityPool, Hold


def take_for(booking: Booking, *, now: datetime) -> None:
    pairs = list(Hold.objects.filter(line__booking=booking).values_list("pool_id", "quantity"))
    take(pairs, now=now)


def take(pairs: list[tuple[int, int]], *, now: datetime) -> None:
    from tentative.bookings.actions.expire import reclaim_lapsed  # expire uses this module too

    reclaimed: set[int] = set()
    try:
        while True:
            try:
                _take_releasing_locks_on_failure(pairs)
                return
            except capacity.PoolFull as full:
                if full.pool_id in reclaimed:
                    raise
                reclaimed.add(full.pool_id)
                # Holding no pool now, we may wait for lapsed holders another transaction has
                # locked: it is expiring them (or deciding on them), and will let go.
                reclaim_lapsed(now=now, pool_id=full.pool_id, wait=True)
    except capacity.PoolFull as full:
        pool = CapacityPool.objects.get(id=full.pool_id)
        raise SoldOut(free=max(pool.free, 0)) from None


def _take_releasing_locks_on_failure(pairs: list[tuple[int, int]]) -> None:
    """With one pool, a failed conditional UPDATE locked nothing; with several, the pools
    before the full one are locked, and only a savepoint rollback lets them go before the
    reclaim locks other rows (which could otherwise deadlock against a cancel)."""
    if len(capacity.demand(pairs)) == 1:
        capacity.take(pairs)
        return
    with transaction.atomic():
        capacity.take(pairs)


def give_back_for(booking_ids: list[int]) -> None:
    capacity.give_back(capacity.held_by(booking_ids))
