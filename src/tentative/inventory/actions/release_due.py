"""The scheduled release of reserves, for the worker: `release_due_reserves(now=...)`.

Set-based, in two short transactions:

1. *Release.* Every reserve date whose `release_at` has come: its places not booked go back
   to general sale (each of its reserve pools shrinks to what was booked from it, and the
   parents' `set_aside` with it), one audit entry and one outbox event `reserve.released`
   per reserve date.
2. *Notice.* Every reserve date whose release is within a calendar day (`notice_at` has
   come, `release_at` not yet) and that still holds unbooked places: one outbox event
   `reserve.release_soon`, so the worker emails the reserve's users (`reserve_users`).

Locking: the pools first (ascending id), then the reserve date rows with SKIP LOCKED, so
two workers, or a worker and a manager changing the same reserve, never wait on each other
in a cycle; a row another transaction holds is simply taken by the next run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, Q, Sum

from tentative.audit.models import AuditEntry
from tentative.inventory import reserves
from tentative.inventory.actions._common import audit_entry
from tentative.inventory.models import CapacityPool, ReserveDate
from tentative.outbox import topics
from tentative.outbox.models import OutboxMessage
from tentative.shared.actor import Actor
from tentative.shared.clock import now_or
from tentative.shared.transactions import action_transaction


@dataclass
class ReleaseOutcome:
    released: dict[int, int] = field(default_factory=dict)  # reserve date id -> places
    noticed: dict[int, int] = field(default_factory=dict)  # reserve date id -> places left


def release_due_reserves(*, now: datetime | None = None, limit: int = 500) -> ReleaseOutcome:
    """Run every minute or so; each call handles at most `limit` rows of each kind."""
    now = now_or(now)
    outcome = ReleaseOutcome()
    with action_transaction():
        outcome.released = _release(now, limit)
    with action_transaction():
        outcome.noticed = _notice(now, limit)
    return outcome


def _release(now: datetime, limit: int) -> dict[int, int]:
    due = list(
        ReserveDate.objects.filter(released_at=None, release_at__lte=now, reserve__archived_at=None)
        .order_by("release_at", "id")
        .values_list("id", "reserve_id", "event_date_id")[:limit]
    )
    if not due:
        return {}
    match = Q()
    for _, reserve_id, date_id in due:
        match |= Q(reserve_id=reserve_id, event_date_id=date_id)
    pools = list(
        CapacityPool.objects.filter(match).values_list("id", "reserve_id", "event_date_id")
    )
    reserves.lock([pool_id for pool_id, _, _ in pools])  # pools before reserve dates
    claimed = list(
        ReserveDate.objects.filter(id__in=[row_id for row_id, _, _ in due], released_at=None)
        .select_for_update(no_key=True, skip_locked=True, of=("self",))
        .select_related("reserve", "event_date")
        .order_by("id")
    )
    keys = {(row.reserve_id, row.event_date_id): row for row in claimed}
    mine = {pool_id: keys[(r, d)] for pool_id, r, d in pools if (r, d) in keys}
    resized = reserves.resize({pool_id: lambda p: p.taken for pool_id in mine})
    released: dict[int, int] = defaultdict(int)
    for change in resized:
        released[mine[change.pool_id].id] += change.released
    for row in claimed:
        row.released_at, row.released = now, row.released + released[row.id]
    ReserveDate.objects.bulk_update(claimed, ["released_at", "released"])
    actor = Actor.system("reserve-release")
    AuditEntry.objects.bulk_create(
        audit_entry(
            row.reserve,
            actor=actor,
            verb="release_due",
            at=now,
            data={
                "event_date": row.event_date_id,
                "release_at": row.release_at.isoformat() if row.release_at else None,
                "released": released[row.id],
            },
        )
        for row in claimed
    )
    OutboxMessage.objects.bulk_create(
        _event(row, topics.RESERVE_RELEASED, now, {"released": released[row.id]}) for row in claimed
    )
    return {row.id: released[row.id] for row in claimed}


def _notice(now: datetime, limit: int) -> dict[int, int]:
    rows = list(
        ReserveDate.objects.filter(
            notice_sent_at=None,
            released_at=None,
            notice_at__lte=now,
            release_at__gt=now,
            reserve__archived_at=None,
        )
        .select_for_update(no_key=True, skip_locked=True, of=("self",))
        .select_related("reserve", "event_date")
        .order_by("release_at", "id")[:limit]
    )
    if not rows:
        return {}
    ReserveDate.objects.filter(id__in=[row.id for row in rows]).update(notice_sent_at=now)
    left = _left(rows)
    noticed = {row.id: left[row.id] for row in rows if left[row.id] > 0}
    OutboxMessage.objects.bulk_create(
        _event(row, topics.RESERVE_RELEASE_SOON, now, {"left": left[row.id]})
        for row in rows
        if row.id in noticed
    )
    return noticed


def _left(rows: list[ReserveDate]) -> dict[int, int]:
    """Unbooked places per reserve date (over its ticket types)."""
    match = Q()
    for row in rows:
        match |= Q(reserve_id=row.reserve_id, event_date_id=row.event_date_id)
    totals = {
        (r, d): left
        for r, d, left in CapacityPool.objects.filter(match)
        .values("reserve_id", "event_date_id")
        .annotate(left=Sum(F("capacity") - F("taken")))
        .values_list("reserve_id", "event_date_id", "left")
    }
    return {row.id: totals.get((row.reserve_id, row.event_date_id), 0) or 0 for row in rows}


def _event(row: ReserveDate, topic: str, now: datetime, data: dict[str, Any]) -> OutboxMessage:
    """An outbox event without a booking: the worker emails `reserve_users(reserve_id)`."""
    return OutboxMessage(
        organisation_id=row.reserve.organisation_id,
        booking=None,
        kind=OutboxMessage.Kind.EVENT,
        topic=topic,
        payload={
            "reserve": row.reserve_id,
            "reserve_name": row.reserve.name,
            "event_date": row.event_date_id,
            "starts_at": row.event_date.starts_at.isoformat(),
            "release_at": row.release_at.isoformat() if row.release_at else None,
            "actor": "system",
            **data,
        },
        available_at=now,
        created_at=now,
    )
