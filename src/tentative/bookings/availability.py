"""Free slots of a service, read from the database and computed by `core.availability`.

Two queries, whatever the number of staff members: their hours (weekly ranges and the
exceptions of the period, one UNION), then the active time claims of those who have hours
(only they can have free slots) in the period. A claim
of a booking past its enforced limit (to be released) is not busy (DESIGN §2.2 #6), as the
engine would reclaim it inline.

The faces reach this through `bookings.selectors` (`free_slots`, `slot_refusal`); the
engine (`offers.resolve`) asks `slot_refusal` for every customer's timed line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from tentative.bookings.models import Booking, BookingLine
from tentative.catalog.models import HoursException, Resource, Service, WorkingHours
from tentative.core import availability as core
from tentative.core.deadlines import AtLimit
from tentative.core.states import State
from tentative.inventory.models import TimeClaim

LAPSABLE = [State.QUOTE.value, State.REQUEST.value, State.OPTION.value]


@dataclass(frozen=True)
class FreeSlot:
    """A start time at which `resource_id` can deliver the service."""

    resource_id: int
    starts_at: datetime
    ends_at: datetime


def rule_of(service: Service) -> core.SlotRule:
    return core.SlotRule(
        duration=service.duration,
        step=service.step,
        buffer_before=service.buffer_before,
        buffer_after=service.buffer_after,
    )


def hours_of(
    resource_ids: Iterable[int] | None,
    first_day: date,
    last_day: date,
    *,
    service_id: int | None = None,
) -> dict[int, core.Hours]:
    """Each resource's hours with the exceptions that touch `first_day`..`last_day`: one
    query. `resource_ids` None: every resource delivering `service_id`; with `service_id`,
    only resources (not archived) delivering it."""
    weekly_rows: dict[int, dict[int, list[core.Range]]] = defaultdict(lambda: defaultdict(list))
    exception_rows: dict[int, list[core.DayException]] = defaultdict(list)
    for resource_id, kind, weekday, first, last, starts, ends in hours_rows(
        resource_ids, first_day, last_day, service_id=service_id
    ):
        if kind == "weekly":
            weekly_rows[resource_id][weekday].append(core.Range(starts, ends))
        else:
            hours = core.Range(starts, ends) if starts is not None else None
            exception_rows[resource_id].append(
                core.DayException(first, last, kind == HoursException.Kind.CLOSED, hours)
            )
    return {
        r: core.Hours(weekly=dict(weekly_rows.get(r, {})), exceptions=exception_rows.get(r, []))
        for r in set(weekly_rows) | set(exception_rows)
    }


# The weekly ranges and the period's exceptions in one statement, written by hand: the
# ORM's UNION of two annotated querysets cost 3.5 ms of CPU to build on every call, most of
# a month of one staff member's free slots (bench/availability.py). The exceptions' own
# times (nullable) ride in the same columns as the weekly ones.
# tests/bookings/test_availability_reads.py holds it equal to the ORM's query.
HOURS_SQL = """
SELECT h.resource_id, 'weekly', h.weekday, CAST(NULL AS date), CAST(NULL AS date),
       h.starts, h.ends
  FROM {hours} h {join}
 WHERE {where}
UNION ALL
SELECT e.resource_id, e.kind, -1, e.first_day, e.last_day, e.starts, e.ends
  FROM {exceptions} e {join_e}
 WHERE {where_e} AND e.first_day <= %s AND e.last_day >= %s
"""


def hours_rows(
    resource_ids: Iterable[int] | None,
    first_day: date,
    last_day: date,
    *,
    service_id: int | None = None,
) -> list[tuple[int, str, int, date | None, date | None, time | None, time | None]]:
    """(resource, "weekly" or the exception's kind, weekday or -1, first and last day of
    an exception, starts, ends) of `hours_of`."""
    join, where, params = "", ["1 = 1"], []
    if service_id is not None:
        join = (
            f"JOIN {Resource._meta.db_table} r ON r.id = {{t}}.resource_id "
            f"JOIN {Service.resources.through._meta.db_table} sr "
            f"ON sr.resource_id = {{t}}.resource_id"
        )
        where += ["sr.service_id = %s", "r.archived_at IS NULL"]
        params.append(service_id)
    if resource_ids is not None:
        ids = list(resource_ids)
        if not ids:
            return []
        where.append(f"{{t}}.resource_id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    condition = " AND ".join(where)
    sql = HOURS_SQL.format(
        hours=WorkingHours._meta.db_table,
        exceptions=HoursException._meta.db_table,
        join=join.format(t="h"),
        join_e=join.format(t="e"),
        where=condition.format(t="h"),
        where_e=condition.format(t="e"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params, last_day, first_day])
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return rows
    # SQLite hands back dates and times as text.
    return [
        (r, kind, weekday, _day(first), _day(last), _time(starts), _time(ends))
        for r, kind, weekday, first, last, starts, ends in rows
    ]


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]


def _time(value: object) -> time | None:
    return time.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]


def busy_of(
    resource_ids: Iterable[int],
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> dict[int, list[core.Interval]]:
    """Each resource's active claims that meet [start, end), merged: one query."""
    found = busy_us(resource_ids, start, end, now=now, exclude_booking_id=exclude_booking_id)
    return {
        r: core.merge((core.from_us(a), core.from_us(b)) for a, b in v) for r, v in found.items()
    }


def busy_us(
    resource_ids: Iterable[int],
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> dict[int, list[core.UsInterval]]:
    """Each resource's active claims that meet [start, end) in microseconds since the
    epoch, sorted (not merged: `core.free_starts_us` merges as it goes): one query.

    On PostgreSQL it reads the exclusion constraint's GiST index (resource, time range):
    `starts_at < end AND ends_at > start` on a B-tree scans every claim that started before
    `end` (half a year of them for a month ahead: 0.8 s at 200,000 claims, measured with
    bench/availability.py), the range overlap reads only the few that meet the window."""
    ids = sorted(set(resource_ids))
    if not ids:
        return {}
    found: dict[int, list[core.UsInterval]] = defaultdict(list)
    if connection.vendor == "postgresql":
        for resource_id, a, b in _busy_rows_postgresql(ids, start, end, now, exclude_booking_id):
            found[resource_id].append((a, b))  # sorted by the query
        return found
    claims = TimeClaim.objects.filter(
        resource_id__in=ids, active=True, starts_at__lt=end, ends_at__gt=start
    ).exclude(
        line__booking__state__in=LAPSABLE,
        line__booking__at_limit=AtLimit.RELEASE.value,
        line__booking__deadline_enforced__lte=now,
    )
    if exclude_booking_id is not None:
        claims = claims.exclude(line__booking_id=exclude_booking_id)
    for resource_id, a, b in claims.values_list("resource_id", "starts_at", "ends_at"):
        found[resource_id].append((core.to_us(a), core.to_us(b)))
    for intervals in found.values():
        intervals.sort()
    return found


# The lapsed holders are looked up once, from the partial index of holding bookings by
# their limit (a hashed NOT IN): an anti-join per claim cost 40 ms a month of one staff
# member on a cold cache, this 1.5 ms (EXPLAIN ANALYZE, 200,000 claims).
# Instants as microseconds since the epoch: Django's loader of aware timestamps costs about
# 40 µs a value (half the time of a week of 50 staff members, measured), integers nothing;
# they stay integers through `core.free_starts_us`. Sorted here, in C, for its merge.
BUSY_SQL = """
SELECT c.resource_id,
       (extract(epoch FROM c.starts_at) * 1000000)::bigint,
       (extract(epoch FROM c.ends_at) * 1000000)::bigint
  FROM {claim} c
 WHERE c.active
   AND c.resource_id = ANY(%s::bigint[])
   AND tstzrange(c.starts_at, c.ends_at, '[)') && tstzrange(%s, %s, '[)')
   AND c.line_id NOT IN (
       SELECT l.id FROM {line} l JOIN {booking} b ON b.id = l.booking_id
        WHERE b.holds_capacity AND b.deadline_enforced <= %s
          AND b.at_limit = %s AND b.state IN (SELECT unnest(%s::text[]))
       UNION ALL
       SELECT l.id FROM {line} l WHERE l.booking_id = %s)
 ORDER BY 1, 2, 3
"""


def _busy_rows_postgresql(
    ids: list[int],
    start: datetime,
    end: datetime,
    now: datetime,
    exclude_booking_id: int | None,
) -> list[tuple[int, int, int]]:
    sql = BUSY_SQL.format(
        claim=TimeClaim._meta.db_table,
        line=BookingLine._meta.db_table,
        booking=Booking._meta.db_table,
    )
    params = [ids, start, end, now, AtLimit.RELEASE.value, LAPSABLE, exclude_booking_id or 0]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _window(service: Service, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The claims that can block a start in [start, end)."""
    return (
        start - service.buffer_before - service.buffer_after,
        end + service.duration + service.buffer_after + service.buffer_before,
    )


def latest_start(service: Service, zone: ZoneInfo, now: datetime) -> datetime:
    return core.horizon_end(now, zone, service.horizon_days)


def free_slots(
    service: Service,
    *,
    resource: int | None = None,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[FreeSlot]:
    """Free start times of `service` in [start, end): of one resource (its id), or of every
    staff member or room delivering it (`None`, "any"), sorted by time then resource.

    Counts the service's minimum notice and horizon; a start in the list can be booked now
    (unless someone takes it first: the engine re-checks under its lock)."""
    found = free_starts_of(service, resource=resource, start=start, end=end, now=now)
    duration = service.duration // core.MICROSECOND
    instants: dict[int, datetime] = {}  # one datetime per distinct instant, shared

    def instant(us: int) -> datetime:
        moment = instants.get(us)
        if moment is None:
            moment = instants[us] = core.from_us(us)
        return moment

    return [FreeSlot(r, instant(t), instant(t + duration)) for t, r in found]


def free_starts_of(
    service: Service,
    *,
    resource: int | None = None,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[tuple[int, int]]:
    """`free_slots` as (start in microseconds since the epoch, resource id), sorted: what
    the API writes out, without a datetime per slot (bench/availability.py)."""
    zone = service.organisation.zone
    first_day, last_day = core.local_days(start, end, zone)
    ids = None if resource is None else [resource]
    hours = hours_of(ids, first_day, last_day, service_id=service.id)
    window = _window(service, start, end)
    busy = busy_us(hours, *window, now=now)
    rule = core.micros(rule_of(service))
    earliest = max(start, now + service.min_notice)
    if earliest <= now:
        earliest = now + timedelta(microseconds=1)
    latest = min(end, latest_start(service, zone, now))
    earliest_us, latest_us = core.to_us(earliest), core.to_us(latest)
    # Staff members mostly share their hours: each distinct week (with its exceptions) is
    # turned into instants once per call, not once per staff member.
    work_of: dict[tuple[object, ...], list[core.UsInterval]] = {}
    out: list[tuple[int, int]] = []
    for resource_id, resource_hours in hours.items():
        key = _key(resource_hours)
        work = work_of.get(key)
        if work is None:
            work = work_of[key] = core.working_us(resource_hours, zone, first_day, last_day)
        starts = core.free_starts_us(
            work, busy.get(resource_id, ()), rule, earliest=earliest_us, latest=latest_us
        )
        out.extend([(t, resource_id) for t in starts])
    out.sort()
    return out


def _key(hours: core.Hours) -> tuple[object, ...]:
    """What makes two resources' working instants equal (their ranges and exceptions)."""
    return (
        tuple(
            sorted(
                (d, tuple(sorted((r.start, r.end) for r in rs))) for d, rs in hours.weekly.items()
            )
        ),
        tuple(hours.exceptions),
    )


def slot_refusal(
    service: Service,
    *,
    resource_id: int,
    starts_at: datetime,
    now: datetime,
    check_busy: bool = False,
    exclude_booking_id: int | None = None,
) -> core.Refusal | None:
    """Why `resource_id` cannot deliver `service` from `starts_at`: past, notice, horizon,
    non-existent local time, day off, outside hours, not on the slot grid (or taken, with
    `check_busy`); None when it can. The engine leaves overlaps to the time claims (the
    database's rule, checked under a lock), so it does not pass `check_busy`."""
    zone = service.organisation.zone
    first_day, last_day = core.local_days(starts_at, starts_at + service.duration, zone)
    hours = hours_of([resource_id], first_day, last_day).get(resource_id, core.Hours(weekly={}))
    busy: list[core.Interval] = []
    if check_busy:
        window = _window(service, starts_at, starts_at + timedelta(microseconds=1))
        busy = busy_of([resource_id], *window, now=now, exclude_booking_id=exclude_booking_id).get(
            resource_id, []
        )
    return core.refusal(
        starts_at,
        hours=hours,
        zone=zone,
        busy=busy,
        rule=rule_of(service),
        now=now,
        notice=service.min_notice,
        latest=latest_start(service, zone, now),
        check_busy=check_busy,
    )


def by_start(slots: Iterable[FreeSlot]) -> dict[datetime, list[int]]:
    """For "any staff member": each free start with the resources free then."""
    out: dict[datetime, list[int]] = defaultdict(list)
    for slot in slots:
        out[slot.starts_at].append(slot.resource_id)
    return dict(out)
