"""Taking what a booking consumes — places and a resource's time — reclaiming lapsed
options inline when a pool looks full or a slot is held.

DESIGN §2.2 #6: an option past its enforced limit never blocks a new booking, even before
the sweep has run. When a conditional update fails we make sure we hold no pool (a failed
single-pool UPDATE locks nothing; with several pools a savepoint rollback releases those
already taken), expire the lapsed options holding the full pool, waiting for any that another
transaction is expiring right now, and try again. Each pool is reclaimed at most once. Time
claims are activated first (`claims.activate`), so the hot pool rows stay the last locked;
a slot held only by lapsed bookings is reclaimed the same way, once per claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q

from tentative.bookings.actions._lapsed import EXPIRABLE, lapsed_bookings, reclaim_lapsed
from tentative.bookings.errors import SlotTaken, SoldOut
from tentative.bookings.models import Booking
from tentative.bookings.offers import Claim
from tentative.core.deadlines import AtLimit
from tentative.inventory import capacity, claims
from tentative.inventory.models import CapacityPool, Hold, TimeClaim


def drawn_reserves(booking: Booking) -> list[int]:
    """The reserves whose pools this booking's lines draw from."""
    holds = Hold.objects.filter(line__booking=booking, pool__reserve__isnull=False)
    return list(holds.values_list("pool__reserve_id", flat=True).distinct())


def take_for(booking: Booking, *, now: datetime) -> None:
    """Take again what the booking's lines record (approve, convert, reinstate)."""
    take(
        capacity.held_by_booking(booking.id),
        TimeClaim.objects.filter(line__booking_id=booking.id),
        now=now,
    )


# A pool's free places, and whether a lapsed booking holds a place on its date (those
# `take` would reclaim: `expire.lapsed_holders_of_date`, which a test holds this equal to).
# One statement, so both are read at the same moment; SQL, because on a sold-out date every
# caller runs it, and the ORM spent 1.4 ms of Python building it each time.
FREE_AND_LAPSED_SQL = """
    SELECT p.capacity - p.taken - p.set_aside, EXISTS (
        SELECT 1 FROM bookings_booking b
        WHERE b.holds_capacity AND b.deadline_enforced <= %s AND b.at_limit = %s
          AND b.state IN ({states})
          AND EXISTS (
              SELECT 1 FROM bookings_bookingline l
              JOIN inventory_hold h ON h.line_id = l.id
              JOIN inventory_capacitypool hp ON hp.id = h.pool_id
              WHERE l.booking_id = b.id AND hp.event_date_id = p.event_date_id))
    FROM inventory_capacitypool p WHERE p.id = %s
"""


def free_and_lapsed(pool_id: int, *, now: datetime) -> tuple[int, bool]:
    with connection.cursor() as cursor:
        cursor.execute(
            FREE_AND_LAPSED_SQL.format(states=", ".join(["%s"] * len(EXPIRABLE))),
            [
                connection.ops.adapt_datetimefield_value(now),
                AtLimit.RELEASE.value,
                *EXPIRABLE,
                pool_id,
            ],
        )
        free, lapsed = cursor.fetchone()
    return free, bool(lapsed)


def refuse_if_sold_out(
    pairs: list[tuple[int, int]], free: dict[int, int], *, now: datetime
) -> None:
    """Refuse before anything is written when a pool lacks places and no lapsed option could
    free them. A sold-out date then costs a refused caller two reads instead of a booking
    written, tried and rolled back; refusals had become slower than bookings, and after a
    date sells out every caller is refused (bench/hot_holds.py).

    `free` comes from the read the action made anyway. Only when it looks short do we read
    again, the fresh count and the search for lapsed holders in one statement, so that both
    see the same moment (an option released between two reads would otherwise be missed).
    Passing here only means trying: the conditional UPDATE in `take` stays the rule.
    """
    for pool_id, quantity in capacity.demand(pairs):
        if free[pool_id] >= quantity:
            continue
        fresh, lapsed = free_and_lapsed(pool_id, now=now)
        if fresh < quantity and not lapsed:
            raise SoldOut(free=max(fresh, 0))


def refuse_if_taken(wanted: Iterable[Claim], *, now: datetime) -> None:
    """Refuse before anything is written when a live booking holds the time; as for pools,
    passing only means trying (a concurrent activation may still win, and the constraint
    decides)."""
    for claim in wanted:
        holders, reclaimable = claims.in_the_way(
            claim.resource_id, claim.starts_at, claim.ends_at, lapsed=_lapsed_claims(now)
        )
        if holders and not reclaimable:
            raise SlotTaken()


def _lapsed_claims(now: datetime) -> Q:
    return lapsed_bookings(now, prefix="line__booking__")


def take(pairs: list[tuple[int, int]], time: Iterable[TimeClaim] = (), *, now: datetime) -> None:
    """Activate the claims, then take the places; refuse with SlotTaken or SoldOut."""
    take_time(claims.wanted(time), now=now)
    take_places(pairs, now=now)


def take_time(wanted: list[claims.Wanted], *, now: datetime) -> None:
    reclaimed: set[int] = set()
    while True:
        try:
            claims.activate(wanted, lapsed=_lapsed_claims(now))
            return
        except claims.ClaimTaken as taken:
            if not taken.lapsed_holders or taken.claim.id in reclaimed:
                raise SlotTaken() from None
            reclaimed.add(taken.claim.id)
            # No pool is locked yet (claims come first), so waiting for a holder that
            # another transaction is deciding on cannot deadlock against a pool.
            reclaim_lapsed(now=now, booking_ids=taken.lapsed_holders, wait=True)


def take_places(pairs: list[tuple[int, int]], *, now: datetime) -> None:
    if not pairs:
        # An appointment or a room session takes no places: without this, the multi-pool
        # branch below opened and released an empty savepoint, two round trips per booking.
        return
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
    capacity.give_back_bookings(booking_ids)
