"""A room's session times, from weekly rules with exceptions (seed 004: "Tue–Sun at 10:00,
11:30, 14:00…", closed on public holidays).

Pure: the rules are values, the days a range, the zone a `ZoneInfo`; nothing is read from a
database. A rule says on which weekdays (Monday = 0) and at which wall-clock times sessions
start, and between which dates (both included, either open). A closed day has no session
whatever the rules say. Times are wall-clock times in the venue's zone, so a session at
10:00 stays at 10:00 across a daylight-saving change; a time that does not exist on the day
clocks go forward (02:30 in Paris on the last Sunday of March) has no session that day, and
a time that happens twice (the day clocks go back) has one session, at the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WeeklyRule:
    weekdays: frozenset[int]  # 0 = Monday … 6 = Sunday
    times: tuple[time, ...]
    starts_on: date | None = None
    ends_on: date | None = None

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() in self.weekdays
            and (self.starts_on is None or self.starts_on <= day)
            and (self.ends_on is None or day <= self.ends_on)
        )


def days(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """`at` on `day` in `zone`, as an aware UTC datetime; None if that time does not exist
    there that day (the hour skipped when clocks go forward)."""
    local = datetime.combine(day, at, tzinfo=zone)  # fold=0: the first of a repeated time
    there_and_back = local.astimezone(UTC).astimezone(zone)
    if there_and_back.replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local.astimezone(UTC)


def session_starts(
    rules: Iterable[WeeklyRule],
    *,
    first: date,
    last: date,
    zone: ZoneInfo,
    closed: Iterable[date] = (),
) -> list[datetime]:
    """The start of every session from `first` to `last` (days in the venue's zone, both
    included), sorted, without duplicates (two rules naming one time make one session)."""
    rules = list(rules)
    shut = set(closed)
    found: set[datetime] = set()
    for day in days(first, last):
        if day in shut:
            continue
        for rule in rules:
            if not rule.applies_on(day):
                continue
            for at in rule.times:
                start = wall_clock(day, at, zone)
                if start is not None:
                    found.add(start)
    return sorted(found)


def parse_times(text: str) -> tuple[time, ...]:
    """ "10:00, 11:30 14:00" → (10:00, 11:30, 14:00), sorted and unique; ValueError if a
    piece is not a time of day as HH:MM."""
    pieces = [p for p in text.replace(",", " ").replace(";", " ").split() if p]
    found = set()
    for piece in pieces:
        hours, sep, minutes = piece.partition(":")
        if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
            raise ValueError(piece)
        found.add(time(int(hours), int(minutes)))  # ValueError past 23:59
    return tuple(sorted(found))


def format_times(times: Iterable[time]) -> str:
    return " ".join(t.strftime("%H:%M") for t in sorted(times))
