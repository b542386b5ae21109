"""Moving places between general sale and reserves, and booking from a reserve.

DESIGN §2.4: a reserve's allocation on a date and ticket type is a `CapacityPool` of its own
(`reserve` set). Its parents — the date's general pool and, where there is one, the ticket
type's quota pool on that date — count what their reserves hold in `set_aside`, so general
sale (`capacity >= taken + set_aside + n`) can never eat reserved places. Invariant: each
parent's `set_aside` equals the sum of its reserve pools' capacities (`reconcile` checks it).

- Setting places aside (growing a reserve) must fit what is free in every parent; shrinking
  (releasing to general sale) can never go below what has been booked from the reserve.
  Both lock the pools involved in ascending id order, re-read them, and update them in
  that same order, in the caller's transaction.
- Booking from a reserve consumes the reserve's pool only, never its parents: the places
  were taken out of general sale when they were set aside.

Reserved seating does not exist yet; when it does, reserves must refuse seated prices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q

from tentative.inventory import capacity
from tentative.inventory.capacity import Change
from tentative.inventory.errors import BelowDrawn, NotEnoughFree, ReserveEmpty
from tentative.inventory.models import CapacityPool

Target = Callable[[CapacityPool], int]


@dataclass(frozen=True)
class Resized:
    pool_id: int
    before: int  # places the reserve held
    after: int
    drawn: int  # places booked from it (the floor)

    @property
    def released(self) -> int:
        """Places given back to general sale by this change (0 when it grew)."""
        return max(self.before - self.after, 0)


def reserve_pool(
    *, organisation_id: int, reserve_id: int, event_date_id: int, ticket_type_id: int
) -> CapacityPool:
    """The reserve's pool for this date and price, created empty on first use (a concurrent
    creator waits on the unique index, then finds this one)."""
    pool, _ = CapacityPool.objects.get_or_create(
        reserve_id=reserve_id,
        event_date_id=event_date_id,
        ticket_type_id=ticket_type_id,
        defaults={"organisation_id": organisation_id, "capacity": 0},
    )
    return pool


def resize(targets: Mapping[int, Target]) -> list[Resized]:
    """Set each reserve pool (by id) to `target(pool)` places, read on the locked row.

    All or nothing: a target that does not fit raises before anything is written.
    """
    if not targets:
        return []
    locked = lock(list(targets))
    changes: dict[int, Change] = defaultdict(Change)
    free = {pool.id: pool.free for pool in locked.values() if pool.reserve_id is None}
    general = {
        pool_id: [
            p.id
            for p in locked.values()
            if p.reserve_id is None
            and p.event_date_id == locked[pool_id].event_date_id
            and p.ticket_type_id in (None, locked[pool_id].ticket_type_id)
        ]
        for pool_id in targets
    }
    done = []
    for pool_id in sorted(targets):
        pool = locked[pool_id]
        after = targets[pool_id](pool)
        if after < pool.taken:
            raise BelowDrawn(drawn=pool.taken)
        delta = after - pool.capacity
        if delta > 0 and (short := [free[p] for p in general[pool_id] if free[p] < delta]):
            raise NotEnoughFree(free=max(min(short), 0))
        for parent_id in general[pool_id]:
            free[parent_id] -= delta
            changes[parent_id].set_aside += delta
        changes[pool_id].capacity += delta
        done.append(Resized(pool_id, pool.capacity, after, pool.taken))
    capacity.apply(changes)
    return done


def lock(reserve_pool_ids: Sequence[int]) -> dict[int, CapacityPool]:
    """The reserve pools and every general pool they draw on, locked in ascending id order
    (PostgreSQL locks rows in the ORDER BY order; SQLite has one writer at a time)."""
    keys = list(
        CapacityPool.objects.filter(id__in=reserve_pool_ids).values_list(
            "event_date_id", "ticket_type_id"
        )
    )
    dates = {date for date, _ in keys}
    types = {kind for _, kind in keys}
    rows = (
        CapacityPool.objects.select_for_update(no_key=True)
        .filter(
            Q(id__in=reserve_pool_ids)
            | Q(reserve=None, event_date_id__in=dates, ticket_type=None)
            | Q(reserve=None, event_date_id__in=dates, ticket_type_id__in=types)
        )
        .order_by("id")
    )
    return {pool.id: pool for pool in rows}


# What booking a line asks of this module.


def line_pools(
    ticket_type_id: int, reserve_id: int | None, pools_of_date: Sequence[capacity.PoolOfDate]
) -> list[int]:
    """The pools a line consumes; empty when its date has no general pool (not on sale).

    A draw consumes the reserve's pool alone: its places already left general sale (and
    the ticket type's quota) when they were set aside.
    """
    if not any(p.reserve_id is None and p.ticket_type_id is None for p in pools_of_date):
        return []
    if reserve_id is None:
        return [
            p.id
            for p in pools_of_date
            if p.reserve_id is None and p.ticket_type_id in (None, ticket_type_id)
        ]
    mine = [
        p.id
        for p in pools_of_date
        if p.reserve_id == reserve_id and p.ticket_type_id == ticket_type_id
    ]
    if not mine:
        raise ReserveEmpty()
    return mine
