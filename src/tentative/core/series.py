"""Dates of a series ("every Friday at 20:30 from 2 May to 27 June"), in local wall-clock time.

A series is written in the organisation's time zone: 20:30 stays 20:30 on both sides of a
daylight-saving change, so each start is built from the local date and time and only then
turned into an instant (the UTC offset of that very day). A time that does not exist on a
spring-forward day (02:30 in Paris on the last Sunday of March) is moved forward by the gap,
as the clocks are; a time that happens twice (autumn) is the first of the two (`fold=0`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DATES = 366


class SeriesTooLong(ValueError):
    pass


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant a local wall-clock time names on `day`, in UTC."""
    # fold=0: an autumn time that happens twice is the first; a spring time in the gap takes
    # the offset from before the change, which lands it the gap's length later (02:30 in
    # Paris on the spring-forward day is 01:30 UTC, that is 03:30 local).
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=zone).astimezone(UTC)


def weekly(
    first: date,
    last: date,
    weekdays: Iterable[int],
    at: time,
    duration: timedelta,
    zone: ZoneInfo,
) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC for each day from `first` to `last` (included) whose weekday
    (Monday 0 … Sunday 6) is in `weekdays`, at the local time `at`."""
    wanted = set(weekdays)
    out: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        if day.weekday() in wanted:
            if len(out) >= MAX_DATES:
                raise SeriesTooLong(MAX_DATES)
            starts = local_instant(day, at, zone)
            out.append((starts, starts + duration))
        day += timedelta(days=1)
    return out
