"""Taking and giving back places: one conditional UPDATE per pool, in pool-id order.

Locking rules (docs/subsystems/locking.md): pools are always updated in ascending id order,
so two transactions can never wait on each other's pools; the UPDATE itself takes the row
lock, late and briefly, inside the booking's transaction; nothing counts booking rows.

A booking drawn from a reserve holds the reserve's pool, so giving it back returns the place
to the reserve. When the reserve says cancelled places go to general sale instead (or it is
archived, or its scheduled release for that date has passed), the reserve pool shrinks by
what comes back and its parents' `set_aside` with it, in the same ascending-id pass, so
`reconcile` stays exact.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tentative.inventory import claims
from tentative.inventory.models import CapacityPool, Hold, Reserve, ReserveDate


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


# The capacity rule itself, as the database runs it. Written as SQL because it is the
# statement every booking runs, and the ORM spent more Python building it than PostgreSQL
# spends executing it (bench/hot_holds.py).
TAKE_SQL = """
    UPDATE inventory_capacitypool SET taken = taken + %s
    WHERE id = %s AND capacity >= taken + set_aside + %s
"""


def take(pairs: Iterable[tuple[int, int]]) -> None:
    with connection.cursor() as cursor:
        for pool_id, quantity in demand(pairs):
            cursor.execute(TAKE_SQL, [quantity, pool_id, quantity])
            if cursor.rowcount != 1:
                raise PoolFull(pool_id, quantity)


def take_what_fits(wanted: list[list[tuple[int, int]]]) -> list[bool]:
    """Places for many bookings at once (a bulk approval), first come first served in the
    order given: whether each got all of its (pool_id, quantity) pairs.

    Set-based: every pool involved is locked once, in ascending id order (the fixed locking
    order), and read; the bookings are served in Python against those counters; then one
    conditional UPDATE per pool that moved. So the statements grow with the pools (a date
    and its quotas: a handful), never with the bookings. A booking whose places are not all
    there gets none (all or nothing per booking, as `take`)."""
    pool_ids = sorted({pool_id for pairs in wanted for pool_id, _ in pairs})
    free: dict[int, int] = {}
    for start in range(0, len(pool_ids), IDS_PER_STATEMENT):
        rows = (
            CapacityPool.objects.filter(id__in=pool_ids[start : start + IDS_PER_STATEMENT])
            .order_by("id")
            .select_for_update(no_key=True)
            .values_list("id", "capacity", "taken", "set_aside")
        )
        free.update((pool_id, cap - taken - aside) for pool_id, cap, taken, aside in rows)
    given: Counter[int] = Counter()
    got = []
    for pairs in wanted:
        needed = demand(pairs)
        fits = all(free.get(pool_id, 0) - given[pool_id] >= n for pool_id, n in needed)
        if fits:
            for pool_id, n in needed:
                given[pool_id] += n
        got.append(fits)
    with connection.cursor() as cursor:
        for pool_id, n in sorted(given.items()):
            if not n:
                continue
            # Still the conditional UPDATE: under the lock it cannot fail, and if it ever
            # did the database's rule would win over our arithmetic.
            cursor.execute(TAKE_SQL, [n, pool_id, n])
            if cursor.rowcount != 1:
                raise PoolFull(pool_id, n)
    return got


def free_of(pool_ids: Iterable[int]) -> dict[int, int]:
    """Free places per pool, read without a lock (a hint: the take decides)."""
    ids = sorted(set(pool_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        rows = CapacityPool.objects.filter(id__in=ids[start : start + IDS_PER_STATEMENT])
        found.update(
            rows.annotate(free=F("capacity") - F("taken") - F("set_aside")).values_list(
                "id", "free"
            )
        )
    return found


@dataclass(frozen=True)
class PoolOfDate:
    """A pool with its date's times, read in one query for the create action."""

    id: int
    event_date_id: int
    ticket_type_id: int | None
    reserve_id: int | None
    event_id: int
    free: int
    starts_at: datetime
    ends_at: datetime


POOLS_OF_DATES_SQL = """
    SELECT p.id, p.event_date_id, p.ticket_type_id, p.reserve_id, d.event_id,
           p.capacity - p.taken - p.set_aside, d.starts_at, d.ends_at
    FROM inventory_capacitypool p JOIN catalog_eventdate d ON d.id = p.event_date_id
    WHERE p.event_date_id IN ({})
    ORDER BY p.id
"""


def pools_of_dates(date_ids: Iterable[int]) -> list[PoolOfDate]:
    """Every pool of these dates (general, quotas, reserves: a handful each)."""
    ids = sorted(set(date_ids))
    with connection.cursor() as cursor:
        cursor.execute(POOLS_OF_DATES_SQL.format(", ".join(["%s"] * len(ids))), ids)
        return [
            PoolOfDate(*row[:6], *(_aware(value) for value in row[6:])) for row in cursor.fetchall()
        ]


def _aware(value: datetime | str) -> datetime:
    """PostgreSQL returns aware datetimes; SQLite returns text, as Django stores it (UTC)."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)
    return parse_datetime(value).replace(tzinfo=UTC)  # type: ignore[union-attr]


def give_back(pairs: Iterable[tuple[int, int]]) -> None:
    demanded = demand(pairs)
    resized, released = _returned_to_general(dict(demanded))
    if not resized:
        for pool_id, quantity in demanded:
            CapacityPool.objects.filter(id=pool_id).update(taken=F("taken") - quantity)
        return
    changes: dict[int, Change] = defaultdict(Change)
    for pool_id, quantity in demanded:
        changes[pool_id].taken -= quantity
    for pool_id, change in resized.items():
        changes[pool_id].capacity += change.capacity
        changes[pool_id].set_aside += change.set_aside
    apply(changes)
    # After the pools (lock order: pools, then reserve dates).
    for (reserve_id, event_date_id), quantity in sorted(released.items()):
        ReserveDate.objects.filter(reserve_id=reserve_id, event_date_id=event_date_id).update(
            released=F("released") + quantity
        )


@dataclass
class Change:
    """What one UPDATE adds to a pool's three counters."""

    taken: int = 0
    capacity: int = 0
    set_aside: int = 0


def apply(changes: dict[int, Change]) -> None:
    """One UPDATE per changed pool, in ascending id order (the fixed locking order)."""
    for pool_id in sorted(changes):
        change = changes[pool_id]
        values = {
            name: F(name) + delta
            for name, delta in vars(change).items()
            if delta  # only the counters that move
        }
        if values:
            CapacityPool.objects.filter(id=pool_id).update(**values)


def parents(pools: Iterable[CapacityPool]) -> dict[int, list[int]]:
    """For reserve pools: the general pools their places come from (the date's pool, and the
    ticket type's quota on that date where there is one), by reserve pool id."""
    pools = list(pools)
    if not pools:
        return {}
    rows = CapacityPool.objects.filter(
        Q(ticket_type=None) | Q(ticket_type_id__in={p.ticket_type_id for p in pools}),
        reserve=None,
        event_date_id__in={p.event_date_id for p in pools},
    ).values_list("id", "event_date_id", "ticket_type_id")
    return {
        pool.id: [
            pid
            for pid, date, kind in rows
            if date == pool.event_date_id and kind in (None, pool.ticket_type_id)
        ]
        for pool in pools
    }


def _returned_to_general(
    demanded: dict[int, int],
) -> tuple[dict[int, Change], Counter[tuple[int, int]]]:
    """What giving `demanded` back also moves out of reserves: places of a reserve that
    returns cancelled places to general sale, of an archived reserve, or of a reserve date
    whose scheduled release has passed (its cut-off): none of these keeps places any more.
    One query, and a second only when there are such places.

    The release is read without a lock: a give-back racing the release itself may land in
    the reserve, where the report shows it and staff can release it."""
    released_date = ReserveDate.objects.filter(
        reserve_id=OuterRef("reserve_id"),
        event_date_id=OuterRef("event_date_id"),
        released_at__isnull=False,
    )
    pools = list(
        CapacityPool.objects.filter(id__in=list(demanded), reserve__isnull=False)
        .filter(
            Q(reserve__cancelled_places_to=Reserve.CancelledPlaces.GENERAL)
            | Q(reserve__archived_at__isnull=False)
            | Exists(released_date)
        )
        .only("id", "reserve_id", "event_date_id", "ticket_type_id")
    )
    changes: dict[int, Change] = defaultdict(Change)
    released: Counter[tuple[int, int]] = Counter()
    for pool_id, general in parents(pools).items():
        quantity = demanded[pool_id]
        changes[pool_id].capacity -= quantity
        for parent_id in general:
            changes[parent_id].set_aside -= quantity
    for pool in pools:
        released[(pool.reserve_id, pool.event_date_id)] += demanded[pool.id]  # type: ignore[index]
    return changes, released


# Ids bound in one statement at most: an inline reclaim may expire thousands of options at
# once, and PostgreSQL's server-side binding takes at most 65,535 parameters.
IDS_PER_STATEMENT = 1000


def held_by(booking_ids: Iterable[int]) -> list[tuple[int, int]]:
    """What the given bookings hold, per pool, read from their Hold rows."""
    ids = list(booking_ids)
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        rows = (
            Hold.objects.filter(line__booking_id__in=ids[start : start + IDS_PER_STATEMENT])
            .values("pool_id")
            .annotate(quantity=Sum("quantity"))
        )
        pairs.extend((row["pool_id"], row["quantity"]) for row in rows)
    return demand(pairs)


def held_by_booking(booking_id: int) -> list[tuple[int, int]]:
    return list(Hold.objects.filter(line__booking_id=booking_id).values_list("pool_id", "quantity"))


def give_back_bookings(booking_ids: list[int]) -> None:
    """Everything these bookings consume, given back: their places and their time."""
    give_back(held_by(booking_ids))
    claims.release(booking_ids)


@dataclass(frozen=True)
class Drift:
    pool_id: int
    recorded: int
    actual: int
    counter: str = "taken"  # or "set_aside"

    def __str__(self) -> str:
        return f"pool {self.pool_id} {self.counter}: recorded {self.recorded}, actual {self.actual}"


def reconcile(*, fix: bool = False) -> list[Drift | claims.ClaimDrift]:
    """Recompute every pool's `taken` from the holds of bookings that hold capacity, and
    every general pool's `set_aside` from the capacities of its reserves' pools; and check
    that every time claim is active exactly when its booking holds (`claims.drift`)."""
    actual = dict(
        Hold.objects.filter(line__booking__holds_capacity=True)
        .values("pool_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("pool_id", "quantity")
    )
    by_date: Counter[int] = Counter()
    by_type: Counter[tuple[int, int]] = Counter()
    for date_id, type_id, held in (
        CapacityPool.objects.exclude(reserve=None)
        .values("event_date_id", "ticket_type_id")
        .annotate(held=Sum("capacity"))
        .values_list("event_date_id", "ticket_type_id", "held")
    ):
        by_date[date_id] += held
        by_type[(date_id, type_id)] += held
    drifts = []
    for pool_id, taken, set_aside, date_id, type_id, reserve_id in CapacityPool.objects.order_by(
        "id"
    ).values_list("id", "taken", "set_aside", "event_date_id", "ticket_type_id", "reserve_id"):
        if taken != actual.get(pool_id, 0):
            drifts.append(Drift(pool_id, taken, actual.get(pool_id, 0)))
        held = 0 if reserve_id else (by_type[(date_id, type_id)] if type_id else by_date[date_id])
        if set_aside != held:
            drifts.append(Drift(pool_id, set_aside, held, "set_aside"))
    if fix:
        for drift in drifts:
            CapacityPool.objects.filter(id=drift.pool_id).update(**{drift.counter: drift.actual})
    return [*drifts, *claims.drift(fix=fix)]
