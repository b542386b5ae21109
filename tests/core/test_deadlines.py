from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tentative.core.deadlines import (
    AtLimit,
    Bound,
    DeadlineRule,
    DeadlineUnreachable,
    NoDeadlineRule,
    Policy,
    add_calendar_days,
    compute_deadline,
    extended,
    lapsed,
    reminders_due,
)

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def test_days_after_booking_keep_the_wall_clock_across_the_autumn_change():
    # Booked Friday 24 Oct 2025 at 10:00 in Paris; the clocks go back on Sunday 26 Oct.
    booked = paris(2025, 10, 24, 10, 0)
    deadline = compute_deadline(
        DeadlineRule(days_after_booking=5), booked_at=booked, starts_at=None, tz=PARIS
    )
    assert deadline.shown.astimezone(PARIS).hour == 10
    assert deadline.shown - booked == timedelta(days=5, hours=1)  # 25 real hours that weekend


def test_days_before_the_event_across_the_spring_change():
    starts = paris(2026, 3, 31, 20, 30)  # clocks go forward on Sunday 29 March 2026
    deadline = compute_deadline(
        DeadlineRule(days_before_start=3),
        booked_at=paris(2026, 3, 1, 9),
        starts_at=starts,
        tz=PARIS,
    )
    assert deadline.shown.astimezone(PARIS) == datetime(2026, 3, 28, 20, 30, tzinfo=PARIS)
    assert deadline.bound == Bound.BEFORE_START


def test_the_earlier_bound_wins():
    booked, starts = paris(2026, 5, 1, 12), paris(2026, 5, 5, 20)
    rule = DeadlineRule(days_after_booking=5, days_before_start=2)
    deadline = compute_deadline(rule, booked_at=booked, starts_at=starts, tz=PARIS)
    assert deadline.bound == Bound.BEFORE_START
    assert deadline.shown == paris(2026, 5, 3, 20)


def test_a_deadline_already_past_is_refused_with_its_bound():
    booked, starts = paris(2026, 5, 4, 12), paris(2026, 5, 5, 20)
    with pytest.raises(DeadlineUnreachable) as refused:
        compute_deadline(
            DeadlineRule(days_before_start=2), booked_at=booked, starts_at=starts, tz=PARIS
        )
    assert refused.value.bound == Bound.BEFORE_START


def test_an_option_needs_some_rule():
    with pytest.raises(NoDeadlineRule):
        compute_deadline(DeadlineRule(), booked_at=paris(2026, 1, 1), starts_at=None, tz=PARIS)


def test_strict_enforces_the_shown_deadline_and_releases():
    d = compute_deadline(
        DeadlineRule(days_after_booking=1), booked_at=paris(2026, 1, 1), starts_at=None, tz=PARIS
    )
    assert d.enforced == d.shown and d.at_limit == AtLimit.RELEASE


def test_flexible_adds_grace_and_may_queue_for_review():
    rule = DeadlineRule(
        days_after_booking=1,
        policy=Policy.FLEXIBLE,
        grace=timedelta(days=2),
        at_limit=AtLimit.REVIEW,
    )
    d = compute_deadline(rule, booked_at=paris(2026, 1, 1), starts_at=None, tz=PARIS)
    assert d.enforced == d.shown + timedelta(days=2)
    assert not lapsed(d.enforced, d.at_limit, d.enforced + timedelta(days=1))


def test_flexible_without_grace_holds_until_staff_act():
    rule = DeadlineRule(days_after_booking=1, policy=Policy.FLEXIBLE)
    d = compute_deadline(rule, booked_at=paris(2026, 1, 1), starts_at=None, tz=PARIS)
    assert d.enforced is None and not lapsed(d.enforced, d.at_limit, paris(2030, 1, 1))


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=400),
    st.sampled_from(
        ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Kolkata"]
    ),
)
def test_calendar_days_land_on_the_right_day_and_nearly_the_same_time(moment, days, zone):
    tz = ZoneInfo(zone)
    later = add_calendar_days(moment, days, tz).astimezone(tz)
    local = moment.astimezone(tz)
    assert later.date() - local.date() == timedelta(days=days)
    # Same wall-clock time, except inside a spring-forward gap (at most the size of the shift).
    drift = abs(
        later.replace(tzinfo=None)
        - later.replace(tzinfo=None).replace(
            hour=local.hour,
            minute=local.minute,
            second=local.second,
            microsecond=local.microsecond,
        )
    )
    assert drift <= timedelta(hours=1)


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(0, 30),
    st.integers(0, 30),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
)
def test_the_deadline_is_never_later_than_either_bound_nor_the_start(booked, after, before, lead):
    starts = booked + lead
    rule = DeadlineRule(days_after_booking=after, days_before_start=before)
    try:
        d = compute_deadline(rule, booked_at=booked, starts_at=starts, tz=PARIS)
    except DeadlineUnreachable as refused:
        assert refused.shown <= booked
        return
    assert booked < d.shown <= starts
    assert d.shown <= add_calendar_days(booked, after, PARIS)
    assert d.shown <= add_calendar_days(starts, -before, PARIS)


def test_no_reminder_for_a_deadline_already_closer_than_the_reminder():
    created = paris(2026, 1, 1, 12)
    shown = created + timedelta(days=3)
    due = reminders_due(
        shown, (timedelta(days=7), timedelta(days=2), timedelta(hours=6)), created_at=created
    )
    assert due == [shown - timedelta(days=2), shown - timedelta(hours=6)]


@given(
    shown=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    grace=st.one_of(st.none(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))),
    at_limit=st.sampled_from(AtLimit),
    later=st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=300)),
)
def test_an_extended_deadline_keeps_its_treatment(shown, grace, at_limit, later):
    """Issue 11 item 5: staff moving the date never change what happens at the limit, nor
    the grace after it (none: held until staff act)."""
    enforced = None if grace is None else shown + grace
    until = shown + later
    new_shown, new_enforced, new_at_limit = extended(shown, enforced, at_limit, until)
    assert new_shown == until and new_at_limit == at_limit
    assert new_enforced == (None if grace is None else until + grace)


def test_extending_a_flexible_option_held_for_review_keeps_it_for_review():
    shown = datetime(2026, 3, 1, 18, tzinfo=UTC)
    until = shown + timedelta(days=4)
    assert extended(shown, None, AtLimit.REVIEW, until) == (until, None, AtLimit.REVIEW)
    # strict: the new date is enforced, released there
    assert extended(shown, shown, AtLimit.RELEASE, until) == (until, until, AtLimit.RELEASE)
