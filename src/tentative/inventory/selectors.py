"""Read-only views of reserves: the per-date report, and who a reserve's notices go to.

The report obeys one identity, which its tests check:
`capacity = sold + held + Σ left (over reserves) + free` — every place of the date is sold,
held by a tentative booking, still unbooked in a reserve, or free for general sale.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet, Sum

from tentative.catalog.models import EventDate
from tentative.core.permissions import Role
from tentative.core.states import State
from tentative.inventory import claims
from tentative.inventory.models import CapacityPool, Hold, Reserve, ReserveDate, TimeClaim


@dataclass
class ReserveLine:
    """One reserve on the date, for one ticket type."""

    reserve_id: int
    reserve_name: str
    kind: str
    archived: bool
    ticket_type_id: int
    ticket_type_name: str
    assigned: int  # places the reserve holds now (booked from it or not)
    drawn: int  # booked from it (sold or held)
    left: int  # still unbooked in it

    @property
    def pool_label(self) -> str:
        return f"{self.reserve_name} — {self.ticket_type_name}"


@dataclass
class ReserveSummary:
    """One reserve on the date, over its ticket types, with its release."""

    reserve_id: int
    reserve_name: str
    kind: str
    assigned: int = 0
    drawn: int = 0
    left: int = 0
    released: int = 0  # given back to general sale so far (release, schedule, cancellations)
    release_at: datetime | None = None
    released_at: datetime | None = None
    lines: list[ReserveLine] = field(default_factory=list)


@dataclass
class DateReport:
    event_date: EventDate
    on_sale: bool
    capacity: int = 0
    sold: int = 0  # confirmed bookings, general sale and reserves
    held: int = 0  # tentative bookings that hold places (options, requests that hold)
    set_aside: int = 0  # Σ assigned over reserves
    free: int = 0  # what general sale can still sell
    reserves: list[ReserveSummary] = field(default_factory=list)

    @property
    def left_in_reserves(self) -> int:
        return sum(r.left for r in self.reserves)


def date_report(event_date: EventDate) -> DateReport:
    """Four queries, whatever the number of reserves and bookings."""
    pools = list(
        CapacityPool.objects.filter(event_date=event_date)
        .filter(Q(ticket_type=None) | Q(reserve__isnull=False))  # quotas would count twice
        .select_related("reserve", "ticket_type")
        .order_by("reserve__name", "reserve_id", "ticket_type__name", "id")
    )
    general = next((p for p in pools if p.reserve_id is None), None)
    report = DateReport(event_date=event_date, on_sale=general is not None)
    if general is not None:
        report.capacity, report.set_aside, report.free = (
            general.capacity,
            general.set_aside,
            general.free,
        )
    for state, quantity in (
        Hold.objects.filter(pool__in=pools, line__booking__holds_capacity=True)
        .values("line__booking__state")
        .annotate(quantity=Sum("quantity"))
        .values_list("line__booking__state", "quantity")
    ):
        if state == State.CONFIRMED:
            report.sold += quantity
        else:
            report.held += quantity
    dates = {row.reserve_id: row for row in ReserveDate.objects.filter(event_date=event_date)}
    summaries: dict[int, ReserveSummary] = {}
    for pool in pools:
        if pool.reserve is None or pool.ticket_type is None:
            continue
        reserve = pool.reserve
        summary = summaries.get(reserve.id)
        if summary is None:
            row = dates.get(reserve.id)
            summary = summaries[reserve.id] = ReserveSummary(
                reserve_id=reserve.id,
                reserve_name=reserve.name,
                kind=reserve.kind,
                released=row.released if row else 0,
                release_at=row.release_at if row else None,
                released_at=row.released_at if row else None,
            )
        line = ReserveLine(
            reserve_id=reserve.id,
            reserve_name=reserve.name,
            kind=reserve.kind,
            archived=reserve.archived_at is not None,
            ticket_type_id=pool.ticket_type.id,
            ticket_type_name=pool.ticket_type.name,
            assigned=pool.capacity,
            drawn=pool.taken,
            left=pool.capacity - pool.taken,
        )
        summary.lines.append(line)
        summary.assigned += line.assigned
        summary.drawn += line.drawn
        summary.left += line.left
    report.reserves = list(summaries.values())
    return report


def reserve_users(reserve_id: int) -> QuerySet[AbstractBaseUser]:
    """Who a reserve's notices go to (e.g. `reserve.release_soon`): the staff who may book
    from it — everyone for a reserve open to all staff, else its selected users — and the
    account owners, who always have access. Active users only; the worker reads `email`."""
    reserve = Reserve.objects.get(id=reserve_id)
    memberships = Q(memberships__organisation_id=reserve.organisation_id)
    if reserve.audience == Reserve.Audience.SELECTED:
        memberships &= Q(memberships__role=Role.OWNER) | Q(memberships__reserves=reserve)
    return get_user_model().objects.filter(memberships, is_active=True).distinct().order_by("id")


def reserve_dates(reserve: Reserve) -> dict[int, ReserveDate]:
    """The reserve's per-date rows (schedule, released), by event date id."""
    return {row.event_date_id: row for row in reserve.dates.all()}


def reserve_pools(reserve: Reserve) -> dict[int, list[CapacityPool]]:
    """The reserve's pools by event date id, with their dates and ticket types."""
    by_date: dict[int, list[CapacityPool]] = defaultdict(list)
    for pool in reserve.pools.select_related("event_date__event", "ticket_type").order_by(
        "event_date__starts_at", "ticket_type__name"
    ):
        by_date[pool.event_date_id].append(pool)
    return by_date


def busy_times(
    resource_id: int, *, starts_after: datetime, ends_before: datetime
) -> QuerySet[TimeClaim]:
    """The active claims of a resource that meet a window: when it cannot be booked
    (buffers included), for availability pages and the API."""
    return TimeClaim.objects.filter(
        claims.overlapping(resource_id, starts_after, ends_before)
    ).order_by("starts_at")
