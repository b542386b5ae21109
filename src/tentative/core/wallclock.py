"""Wall-clock times: what a person types or drags on a calendar, in a time zone.

A calendar shows and takes the time where the business is, not an offset. Two local times
need care: the hour skipped in spring (02:30 on the last Sunday of March in Paris) does not
exist, and the hour repeated in autumn happens twice. A booking at a time that does not
exist is refused with a message (issue 13, "bad input"); a repeated time is the first of
the two (`fold=0`), as `core.series` does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def exists(naive: datetime, zone: ZoneInfo) -> bool:
    """Whether the clocks of `zone` ever show `naive` (False in a spring gap)."""
    aware = naive.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive.replace(fold=0)


def to_instant(naive: datetime, zone: ZoneInfo) -> datetime | None:
    """The instant the clocks of `zone` show `naive`, or None when they never do."""
    if naive.tzinfo is not None:
        raise ValueError("a wall-clock time has no offset")
    if not exists(naive, zone):
        return None
    return naive.replace(tzinfo=zone, fold=0)


def wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """What the clocks of `zone` show at `instant`, without an offset."""
    return instant.astimezone(zone).replace(tzinfo=None)
