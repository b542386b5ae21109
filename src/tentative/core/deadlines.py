"""Deadline policy: when an option must be confirmed, and what happens if it is not.

Days are calendar days in the organisation's time zone at the same wall-clock time, so a
daylight-saving change neither adds nor removes an hour from what the customer reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Policy(StrEnum):
    STRICT = "strict"  # the enforced limit is the shown deadline; overdue options are released
    FLEXIBLE = "flexible"  # overdue options stay, flagged, until staff act or the grace ends


class AtLimit(StrEnum):
    RELEASE = "release"
    REVIEW = "review"  # queue for staff review; the places stay held


class Bound(StrEnum):
    AFTER_BOOKING = "after_booking"
    BEFORE_START = "before_start"


@dataclass(frozen=True)
class DeadlineRule:
    days_after_booking: int | None = None
    days_before_start: int | None = None
    policy: Policy = Policy.STRICT
    grace: timedelta | None = None  # flexible policy only: how long past the shown deadline
    at_limit: AtLimit = AtLimit.RELEASE

    def __post_init__(self) -> None:
        for days in (self.days_after_booking, self.days_before_start):
            if days is not None and days < 0:
                raise ValueError("deadline days cannot be negative")
        if self.grace is not None and self.grace < timedelta(0):
            raise ValueError("grace cannot be negative")


@dataclass(frozen=True)
class Deadline:
    shown: datetime  # what the customer reads
    enforced: datetime | None  # when the places stop being held; None: until staff act
    at_limit: AtLimit
    bound: Bound  # which part of the rule produced `shown`
    rule: DeadlineRule


class DeadlineUnreachable(Exception):
    """The booking cannot meet its confirmation deadline, so it cannot be an option."""

    def __init__(self, shown: datetime, bound: Bound) -> None:
        self.shown, self.bound = shown, bound
        super().__init__(f"the confirmation deadline {shown.isoformat()} has already passed")


class NoDeadlineRule(Exception):
    """Neither bound is set: an option without a deadline would hold places forever."""


def add_calendar_days(moment: datetime, days: int, tz: ZoneInfo) -> datetime:
    """`days` later at the same wall-clock time in `tz` (negative days go back)."""
    local = moment.astimezone(tz).replace(tzinfo=None)
    # Re-attaching the zone to a wall-clock time picks that day's offset; a time that falls
    # in a spring-forward gap resolves with fold=0, i.e. the offset before the change.
    return (local + timedelta(days=days)).replace(tzinfo=tz).astimezone(UTC)


def compute_deadline(
    rule: DeadlineRule, *, booked_at: datetime, starts_at: datetime | None, tz: ZoneInfo
) -> Deadline:
    """The deadline of an option booked at `booked_at` for something starting at `starts_at`.

    When both bounds are set the earlier one wins. A deadline that is already past is refused,
    with the bound that made it so, rather than creating an option that is overdue at birth.
    """
    candidates: list[tuple[datetime, Bound]] = []
    if rule.days_after_booking is not None:
        after = add_calendar_days(booked_at, rule.days_after_booking, tz)
        candidates.append((after, Bound.AFTER_BOOKING))
    if rule.days_before_start is not None and starts_at is not None:
        before = add_calendar_days(starts_at, -rule.days_before_start, tz)
        candidates.append((before, Bound.BEFORE_START))
    if not candidates:
        raise NoDeadlineRule()
    shown, bound = min(candidates, key=lambda c: c[0])
    if starts_at is not None:
        shown = min(shown, starts_at)
    if shown <= booked_at:
        raise DeadlineUnreachable(shown, bound)
    return Deadline(
        shown=shown,
        enforced=enforced_limit(rule, shown),
        at_limit=rule.at_limit if rule.policy == Policy.FLEXIBLE else AtLimit.RELEASE,
        bound=bound,
        rule=rule,
    )


def enforced_limit(rule: DeadlineRule, shown: datetime) -> datetime | None:
    if rule.policy == Policy.STRICT:
        return shown
    return None if rule.grace is None else shown + rule.grace


def extended(
    shown: datetime | None, enforced: datetime | None, at_limit: AtLimit, until: datetime
) -> tuple[datetime, datetime | None, AtLimit]:
    """(shown, enforced, at_limit) of a deadline that staff move to `until`.

    The booking keeps the treatment it was given: under the strict policy (enforced = shown)
    the new date is enforced; under the flexible policy the same grace follows the new date
    (none: held until staff act) and the action at the limit stays what it was. Extending
    an option under flexible/review once made it `release` at the new date, so the places
    went back by themselves at a limit the organisation had chosen to review.
    """
    if shown is None or enforced is None:
        return until, (until if shown is None else None), at_limit
    return until, until + (enforced - shown), at_limit


def is_overdue(shown: datetime | None, now: datetime) -> bool:
    return shown is not None and now >= shown


def lapsed(enforced: datetime | None, at_limit: AtLimit, now: datetime) -> bool:
    """True when the places must no longer block anyone (DESIGN §2.2 invariant 6)."""
    return enforced is not None and at_limit == AtLimit.RELEASE and now >= enforced


def reminders_due(
    shown: datetime, schedule: tuple[timedelta, ...], *, created_at: datetime
) -> list[datetime]:
    """When to remind before `shown`: never for a deadline already closer than the reminder."""
    return sorted(shown - before for before in schedule if shown - before > created_at)
