"""Taking and giving back a resource's time: activating and releasing time claims.

This module and `capacity` are the only code that changes what is consumed (a convention
test checks it). The rule itself — two active claims of one resource never overlap — is the
database's (migration 0003: an exclusion constraint on PostgreSQL, triggers on SQLite), so a
bug here cannot double-book; what this module adds is a clean refusal and the inline reclaim
of lapsed options, as `capacity.take` has for pools:

1. lock the resource's row (`FOR NO KEY UPDATE`, once per resource), so that activations of
   one resource's time queue behind each other, each then reading what the one before
   committed;
2. read the active claims that overlap the one to activate;
3. if any belongs to a booking that is not lapsed, refuse (`ClaimTaken`); if the only ones in
   the way are lapsed, the caller expires them and asks again;
4. activate with one UPDATE.

Why the lock (tests/concurrency/test_time_claim_race.py): without it, two transactions that
activate overlapping claims at the same moment both pass the read, both add their entry to
the exclusion constraint's index, then each waits for the other to finish. PostgreSQL
detects the deadlock only after `deadlock_timeout` (1 s), aborts one of them (CapacityBusy,
not SlotTaken), and the callers queued behind them meet the same fate in turn: with 64
threads on one staff member, one run in four ended with 46 of 266 callers refused with
CapacityBusy and took 45 s instead of 10. Under the lock the constraint never has to wait:
it stays the database's guarantee, for code that would activate a claim some other way.

Claims are activated in (resource, start) order, so two bookings that want the same two
resources lock them in one order only; pools are locked after, as always.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from tentative.catalog.models import Resource
from tentative.inventory.models import TimeClaim


class ClaimTaken(Exception):
    """Another booking holds this resource at an overlapping time."""

    def __init__(self, claim: Wanted, lapsed_holders: list[int] | None = None) -> None:
        self.claim = claim
        # Bookings past their enforced limit that are in the way: reclaimable.
        self.lapsed_holders = lapsed_holders or []
        super().__init__(f"resource {claim.resource_id} is taken at {claim.starts_at}")


@dataclass(frozen=True, order=True)
class Wanted:
    """A claim to activate, in the order claims are activated (resource, then time)."""

    resource_id: int
    starts_at: datetime
    ends_at: datetime
    id: int


def wanted(claims: Iterable[TimeClaim]) -> list[Wanted]:
    return sorted(Wanted(c.resource_id, c.starts_at, c.ends_at, c.id) for c in claims)


def overlapping(resource_id: int, starts_at: datetime, ends_at: datetime) -> Q:
    """Active claims of that resource whose time meets [starts_at, ends_at)."""
    return Q(active=True, resource_id=resource_id, starts_at__lt=ends_at, ends_at__gt=starts_at)


def lock(resource_id: int) -> None:
    """Queue behind whoever is activating this resource's time (held until COMMIT)."""
    list(
        Resource.objects.select_for_update(no_key=True)
        .filter(id=resource_id)
        .values_list("id", flat=True)
    )


def in_the_way(
    resource_id: int, starts_at: datetime, ends_at: datetime, *, lapsed: Q, claim_id: int = 0
) -> tuple[set[int], bool]:
    """The bookings holding that resource at an overlapping time (other than by `claim_id`),
    and whether all of them are lapsed (`lapsed` selects the claims of bookings past their
    enforced limit: the caller's rule), so that reclaiming them would free the time."""
    found = TimeClaim.objects.filter(overlapping(resource_id, starts_at, ends_at)).exclude(
        id=claim_id
    )
    holders = set(found.values_list("line__booking_id", flat=True))
    if not holders:
        return holders, False
    reclaimable = set(found.filter(lapsed).values_list("line__booking_id", flat=True))
    return holders, reclaimable == holders


def activate(claims: list[Wanted], *, lapsed: Q) -> None:
    """Activate each claim or raise `ClaimTaken`, naming the lapsed holders in the way
    when reclaiming them would free the time."""
    locked: set[int] = set()
    for claim in sorted(claims):
        if claim.resource_id not in locked:
            lock(claim.resource_id)
            locked.add(claim.resource_id)
        holders, reclaimable = in_the_way(
            claim.resource_id, claim.starts_at, claim.ends_at, lapsed=lapsed, claim_id=claim.id
        )
        if holders:
            raise ClaimTaken(claim, sorted(holders) if reclaimable else [])
        try:
            # The constraint cannot fail here under the lock; should it ever, the savepoint
            # keeps the caller's transaction usable and the error becomes a refusal.
            with transaction.atomic():
                TimeClaim.objects.filter(id=claim.id).update(active=True)
        except IntegrityError:
            raise ClaimTaken(claim) from None


def release(booking_ids: list[int]) -> None:
    """Deactivate every claim of these bookings (a released claim never conflicts)."""
    TimeClaim.objects.filter(line__booking_id__in=booking_ids, active=True).update(active=False)


def move(claim_id: int, *, resource_id: int, starts_at: datetime, ends_at: datetime) -> None:
    """Point an inactive claim at another slot (the caller activates it afterwards)."""
    TimeClaim.objects.filter(id=claim_id, active=False).update(
        resource_id=resource_id, starts_at=starts_at, ends_at=ends_at
    )


@dataclass(frozen=True)
class ClaimDrift:
    claim_id: int
    active: bool
    holds: bool  # what its booking says

    def __str__(self) -> str:
        return f"claim {self.claim_id} active: recorded {self.active}, actual {self.holds}"


def drift(*, fix: bool = False) -> list[ClaimDrift]:
    """Claims whose `active` disagrees with their booking's `holds_capacity`."""
    rows = TimeClaim.objects.exclude(active=F("line__booking__holds_capacity")).values_list(
        "id", "active"
    )
    found = [ClaimDrift(claim_id, active, not active) for claim_id, active in rows]
    if not fix:
        return found
    # Release before taking: the claim in the way of one to activate may be one this fix
    # releases (in claim-id order, activating first failed on the overlap rule and stopped
    # the whole repair). A claim whose time another booking really holds cannot be taken:
    # the savepoint keeps that refusal from breaking the transaction, and the claim stays
    # drifted, reported by every run (a double booking for a human to settle), while every
    # other drift is repaired.
    for d in sorted(found, key=lambda d: (d.holds, d.claim_id)):
        try:
            with transaction.atomic():
                TimeClaim.objects.filter(id=d.claim_id).update(active=d.holds)
        except IntegrityError:
            continue
    return found


def hand_over(from_line_id: int, to_line_id: int) -> None:
    """The slot's claim passes to another line of the same booking (the line that held it
    is removed: its category has no player left). Same time, same resource, same `active`:
    nothing is taken or given back."""
    TimeClaim.objects.filter(line_id=from_line_id).update(line_id=to_line_id)
