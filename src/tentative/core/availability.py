"""Free start times of a timed offer, as interval algebra (seed 003, DESIGN §2.4).

Pure: no Django, no database, `now` passed in. The app layer reads the working hours,
exceptions and active time claims, and asks this module two questions: which starts are
free (`free_starts`) and, for one start, why it is not (`refusal`).

Wall-clock rules (the organisation's zone, `zoneinfo`):
- Hours are kept as wall-clock ranges per local day and converted to UTC instants day by
  day, so 09:00–17:00 stays 09:00–17:00 on the 23- and 25-hour days.
- A range always covers every instant whose wall time lies inside it: a bound in the hour a
  daylight-saving change skips moves to the change itself (02:30 on a spring-forward night
  in Paris is 03:00 CEST); a start in the hour repeated in autumn takes its first
  occurrence, an end its second. A range ending at 00:00 ends at the next midnight.
- Exceptions: a day's weekly ranges, minus its closed exceptions (a whole day off, or part
  of it), plus its extra opening hours (so "closed all week, but open Wednesday 10–12"
  means what it says).

Slot rules: an appointment from `t` needs `[t, t + duration)` inside one working interval,
and `[t − buffer_before, t + duration + buffer_after)` free of every busy interval (the
active claims, which already include their own buffers). Starts fall every `step` from the
start of each working interval; a start is offered from `now + notice` to `latest`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]  # [start, end), aware datetimes
MIDNIGHT = time(0)


@dataclass(frozen=True)
class Range:
    """Wall-clock hours of one day; `end == 00:00` means midnight at the end of the day."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if not (self.end > self.start or self.end == MIDNIGHT):
            raise ValueError(f"a range ends after it starts: {self.start}–{self.end}")


@dataclass(frozen=True)
class DayException:
    """Closed (whole days, or `hours` of each day) or open for extra `hours`, over
    `first_day`..`last_day` inclusive."""

    first_day: date
    last_day: date
    closed: bool
    hours: Range | None = None  # None: the whole day (closed only)


@dataclass(frozen=True)
class Hours:
    """A resource's hours: weekly ranges by weekday (Monday = 0), and its exceptions."""

    weekly: Mapping[int, Sequence[Range]]
    exceptions: Sequence[DayException] = ()


# --- intervals -------------------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint, non-empty intervals covering the same instants (touching ones are
    joined: 09–12 and 12–18 are one working interval)."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(base: Sequence[Interval], remove: Sequence[Interval]) -> list[Interval]:
    """`base` minus `remove`, both merged; the result is merged."""
    out: list[Interval] = []
    j = 0
    for start, end in base:
        cursor = start
        while j < len(remove) and remove[j][1] <= cursor:
            j += 1
        k = j
        while k < len(remove) and remove[k][0] < end:
            if remove[k][0] > cursor:
                out.append((cursor, remove[k][0]))
            cursor = max(cursor, remove[k][1])
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _subtract_minutes(ranges: list[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    for a, b in ranges:
        if cut[1] <= a or cut[0] >= b:
            out.append((a, b))
            continue
        if a < cut[0]:
            out.append((a, cut[0]))
        if cut[1] < b:
            out.append((cut[1], b))
    return out


def day_ranges(hours: Hours, day: date) -> list[tuple[int, int]]:
    """The working ranges of one local day in wall-clock minutes (0–1440), merged."""

    def span(r: Range) -> tuple[int, int]:
        return (_minutes(r.start), 1440 if r.end == MIDNIGHT else _minutes(r.end))

    ranges = [span(r) for r in hours.weekly.get(day.weekday(), ())]
    todays = [e for e in hours.exceptions if e.first_day <= day <= e.last_day]
    for e in todays:
        if e.closed:
            ranges = _subtract_minutes(ranges, (0, 1440) if e.hours is None else span(e.hours))
    for e in todays:
        if not e.closed and e.hours is not None:
            ranges.append(span(e.hours))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(r for r in ranges if r[1] > r[0]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


# --- wall clock to UTC -----------------------------------------------------------------


def exists(day: date, at: time, zone: ZoneInfo) -> bool:
    """Whether that wall time happens on that day (not in an hour skipped in spring)."""
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


@lru_cache(maxsize=8192)  # staff members mostly share hours: one conversion serves them all
def to_utc(day: date, minutes: int, zone: ZoneInfo, *, end: bool = False) -> datetime:
    """The instant of a wall-clock minute of a local day (1440: the next midnight).

    Skipped (spring gap): the instant of the change, where the wall clock jumps. Repeated
    (autumn): the first occurrence for a start, the second for an end."""
    if minutes >= 1440:
        day, minutes = day + timedelta(days=1), minutes - 1440
    wall = datetime.combine(day, time(minutes // 60, minutes % 60))
    early = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    late = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if early == late:
        return early
    if early < late:  # repeated: fold=0 is the first occurrence
        return late if end else early
    # Skipped: fold=1 reads it with the new offset (an instant before the change), fold=0
    # with the old one (after it); the change lies between, on a whole minute.
    lo, hi = late, early  # offset(lo) is the old one, offset(hi) the new
    old = lo.astimezone(zone).utcoffset()
    while hi - lo > timedelta(minutes=1):
        mid = lo + (hi - lo) // 2
        mid = mid.replace(second=0, microsecond=0)
        if mid <= lo:
            mid = lo + timedelta(minutes=1)
        if mid.astimezone(zone).utcoffset() == old:
            lo = mid
        else:
            hi = mid
    return hi


def working(hours: Hours, zone: ZoneInfo, first_day: date, last_day: date) -> list[Interval]:
    """Working intervals (UTC) of local days `first_day`..`last_day`, merged."""
    out: list[Interval] = []
    day = first_day
    while day <= last_day:
        for a, b in day_ranges(hours, day):
            out.append((to_utc(day, a, zone), to_utc(day, b, zone, end=True)))
        day += timedelta(days=1)
    return merge(out)


def local_days(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The local days that [start, end) touches (a day before and after, for ranges that
    end at midnight or fall across a change)."""
    return (
        start.astimezone(zone).date() - timedelta(days=1),
        (end - timedelta(microseconds=1)).astimezone(zone).date() + timedelta(days=1),
    )


def horizon_end(now: datetime, zone: ZoneInfo, days: int) -> datetime:
    """The end of the last bookable local day: today plus `days` (midnight after it)."""
    last = now.astimezone(zone).date() + timedelta(days=days)
    return to_utc(last, 1440, zone)


# --- slots -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotRule:
    """What a service asks of a start time."""

    duration: timedelta
    step: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0) or self.step <= timedelta(0):
            raise ValueError("duration and step must be positive")

    def blocked(self, busy: Sequence[Interval]) -> list[Interval]:
        """Starts that a busy interval forbids: a − duration − after < t < b + before,
        written half-open on the microsecond grid of `datetime` so that merging works."""
        tick = timedelta(microseconds=1)
        return merge(
            (a - self.duration - self.buffer_after + tick, b + self.buffer_before) for a, b in busy
        )


def free_starts(
    work: Sequence[Interval],
    busy: Sequence[Interval],
    rule: SlotRule,
    *,
    earliest: datetime,
    latest: datetime,
) -> list[datetime]:
    """Every start `t` with `earliest <= t < latest`, on the step grid of its working
    interval, whose appointment fits in that interval and whose claim meets no busy one.

    Computed on integers (`free_starts_us`): the same instants, exactly."""
    found = free_starts_us(
        [(to_us(a), to_us(b)) for a, b in work],
        sorted((to_us(a), to_us(b)) for a, b in busy),
        micros(rule),
        earliest=to_us(earliest),
        latest=to_us(latest),
    )
    return [from_us(t) for t in found]


# --- the same on integers --------------------------------------------------------------
# Instants as microseconds since the epoch (UTC) and lengths in microseconds: exact for
# every `datetime` (whose resolution is the microsecond), and about ten times cheaper
# than datetime arithmetic in the loops below, which a week of 50 staff members runs over
# 8,000 grid points (bench/availability.py).

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
UsInterval = tuple[int, int]


def to_us(moment: datetime) -> int:
    """An aware instant as microseconds since the epoch."""
    return (moment - EPOCH) // MICROSECOND


def from_us(us: int) -> datetime:
    """The aware UTC instant of `to_us`."""
    return EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True)
class MicroRule:
    """A `SlotRule` in microseconds."""

    duration: int
    step: int
    before: int
    after: int


def micros(rule: SlotRule) -> MicroRule:
    return MicroRule(
        duration=rule.duration // MICROSECOND,
        step=rule.step // MICROSECOND,
        before=rule.buffer_before // MICROSECOND,
        after=rule.buffer_after // MICROSECOND,
    )


def free_starts_us(
    work: Sequence[UsInterval],
    busy: Sequence[UsInterval],
    rule: MicroRule,
    *,
    earliest: int,
    latest: int,
) -> list[int]:
    """`free_starts` on microseconds: `work` merged and sorted, `busy` sorted (overlapping
    or touching intervals allowed). A busy [a, b) forbids the starts t with
    a − duration − after < t < b + before (`SlotRule.blocked`); those runs are merged as
    they come, and the grid points between two of them are taken as one `range`."""
    duration, step = rule.duration, rule.step
    shift_start, shift_end = 1 - duration - rule.after, rule.before
    blocked: list[list[int]] = []
    for a, b in busy:
        lo, hi = a + shift_start, b + shift_end
        if hi <= lo:
            continue
        if blocked and lo <= blocked[-1][1]:
            if hi > blocked[-1][1]:
                blocked[-1][1] = hi
        else:
            blocked.append([lo, hi])
    block_starts = [b[0] for b in blocked]
    n = len(blocked)
    out: list[int] = []
    for w_start, w_end in work:
        last_start = min(w_end - duration, latest - 1)
        if last_start < w_start or last_start < earliest:
            continue
        t = w_start
        if earliest > t:  # jump to the first grid point at or after earliest
            t += -((w_start - earliest) // step) * step
        # the first blocked interval that may contain t
        i = max(bisect.bisect_right(block_starts, t) - 1, 0)
        while t <= last_start:
            while i < n and blocked[i][1] <= t:
                i += 1
            if i < n and blocked[i][0] <= t:
                # inside a blocked interval: jump past it on the grid
                t += -((t - blocked[i][1]) // step) * step
                continue
            # free until the next blocked interval: every grid point up to it at once
            stop = min(last_start, blocked[i][0] - 1) if i < n else last_start
            out.extend(range(t, stop + 1, step))
            t += ((stop - t) // step + 1) * step
    return out


def working_us(hours: Hours, zone: ZoneInfo, first_day: date, last_day: date) -> list[UsInterval]:
    """`working` in microseconds."""
    return [(to_us(a), to_us(b)) for a, b in working(hours, zone, first_day, last_day)]


class Refusal(StrEnum):
    """Why a start cannot be booked, most basic reason first."""

    PAST = "past"
    NOTICE = "notice"
    HORIZON = "horizon"
    NONEXISTENT = "nonexistent_time"
    DAY_OFF = "day_off"
    OUTSIDE_HOURS = "outside_hours"
    NOT_ALIGNED = "not_aligned"
    TAKEN = "taken"


def refusal(
    start: datetime,
    *,
    hours: Hours,
    zone: ZoneInfo,
    busy: Sequence[Interval],
    rule: SlotRule,
    now: datetime,
    notice: timedelta,
    latest: datetime | None,
    check_busy: bool = True,
    check_grid: bool = True,
) -> Refusal | None:
    """Why `start` is not a free start, or None when it is one of `free_starts`
    (`latest` None: no horizon; `check_grid` off: any minute inside working hours)."""
    if start <= now:
        return Refusal.PAST
    if start < now + notice:
        return Refusal.NOTICE
    if latest is not None and start >= latest:
        return Refusal.HORIZON
    if wall_time_refusal(start, zone) is not None:
        return Refusal.NONEXISTENT
    local = start.astimezone(zone)
    first, last = local_days(start, start + rule.duration, zone)
    work = working(hours, zone, first, last)
    inside = next((w for w in work if w[0] <= start < w[1]), None)
    if inside is None:
        if not day_ranges(hours, local.date()):
            return Refusal.DAY_OFF
        return Refusal.OUTSIDE_HOURS
    if start + rule.duration > inside[1]:
        return Refusal.OUTSIDE_HOURS
    if check_grid and (start - inside[0]) % rule.step:
        return Refusal.NOT_ALIGNED
    if check_busy and any(
        a < start + rule.duration + rule.buffer_after and b > start - rule.buffer_before
        for a, b in busy
    ):
        return Refusal.TAKEN
    return None


class WallTime(StrEnum):
    NONEXISTENT = "nonexistent_time"
    AMBIGUOUS = "ambiguous_time"


def from_wall(wall: datetime, zone: ZoneInfo) -> datetime | WallTime:
    """A local date and time without an offset, read in `zone`: the instant, or why it
    names none (skipped in spring) or two (repeated in autumn: give the offset)."""
    early = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    late = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if not exists(wall.date(), wall.time(), zone):
        return WallTime.NONEXISTENT
    if early != late:
        return WallTime.AMBIGUOUS
    return early


def wall_time_refusal(start: datetime, zone: ZoneInfo) -> Refusal | None:
    """A start written with an offset that is not the zone's at that instant, whose wall
    time the zone's clock skips (02:30+01:00 on a spring-forward night in Paris): the
    customer meant a time that does not exist there. A start in UTC, or written with the
    zone's own offset, is an unambiguous instant and never refused here."""
    offset = start.utcoffset()
    if offset is None or offset == timedelta(0):
        return None
    if offset == start.astimezone(zone).utcoffset():
        return None
    wall = start.replace(tzinfo=None)
    return None if exists(wall.date(), wall.time(), zone) else Refusal.NONEXISTENT
