"""The session times of a room from weekly rules (core/sessions.py): pure, with Hypothesis
and the daylight-saving days of Paris."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tentative.core.sessions import (
    WeeklyRule,
    format_times,
    parse_times,
    session_starts,
    wall_clock,
)

PARIS = ZoneInfo("Europe/Paris")
TUE_TO_SUN = frozenset(range(1, 7))


def test_tuesday_to_sunday_at_three_times():
    rule = WeeklyRule(TUE_TO_SUN, (time(10), time(11, 30), time(14)))
    # 2027-03-01 is a Monday: no session that day, three each following day.
    starts = session_starts([rule], first=date(2027, 3, 1), last=date(2027, 3, 7), zone=PARIS)
    assert len(starts) == 6 * 3
    assert starts[0] == datetime(2027, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris (UTC+1)
    assert all(s.astimezone(PARIS).weekday() != 0 for s in starts)


def test_a_closed_day_has_no_session_and_dates_bound_a_rule():
    rule = WeeklyRule(frozenset(range(7)), (time(10),), starts_on=date(2027, 3, 3))
    starts = session_starts(
        [rule],
        first=date(2027, 3, 1),
        last=date(2027, 3, 6),
        zone=PARIS,
        closed=[date(2027, 3, 4)],
    )
    assert [s.astimezone(PARIS).day for s in starts] == [3, 5, 6]


def test_wall_clock_time_holds_across_the_change_to_summer_time():
    rule = WeeklyRule(frozenset(range(7)), (time(10),))
    starts = session_starts([rule], first=date(2027, 3, 27), last=date(2027, 3, 29), zone=PARIS)
    assert [s.astimezone(PARIS).time() for s in starts] == [time(10)] * 3
    assert [s.hour for s in starts] == [9, 8, 8]  # UTC+1, then UTC+2


def test_a_time_that_does_not_exist_has_no_session_and_a_repeated_one_has_one():
    # 2027-03-28: clocks go from 02:00 to 03:00 in Paris; 2027-10-31: from 03:00 to 02:00.
    assert wall_clock(date(2027, 3, 28), time(2, 30), PARIS) is None
    autumn = session_starts(
        [WeeklyRule(frozenset(range(7)), (time(2, 30),))],
        first=date(2027, 10, 31),
        last=date(2027, 10, 31),
        zone=PARIS,
    )
    assert autumn == [datetime(2027, 10, 31, 0, 30, tzinfo=UTC)]  # the first 02:30 (UTC+2)


def test_times_are_parsed_and_refused():
    assert parse_times("14:00, 10:00 11:30 10:00") == (time(10), time(11, 30), time(14))
    assert format_times(parse_times("9:05 18:30")) == "09:05 18:30"
    for bad in ("10h", "25:00", "10:5", "noon"):
        with pytest.raises(ValueError):
            parse_times(bad)


rules = st.builds(
    WeeklyRule,
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    times=st.lists(st.times(), min_size=1, max_size=6).map(tuple),
)


@given(
    st.lists(rules, min_size=1, max_size=3),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 1)),
    st.integers(0, 20),
    st.sampled_from(["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "UTC"]),
    st.sets(st.dates(min_value=date(2026, 1, 1), max_value=date(2031, 1, 1)), max_size=5),
)
def test_every_session_is_on_a_rule_day_at_a_rule_time_and_never_on_a_closed_day(
    chosen, first, span, zone_name, closed
):
    zone = ZoneInfo(zone_name)
    last = first + timedelta(days=span)
    starts = session_starts(chosen, first=first, last=last, zone=zone, closed=closed)
    assert starts == sorted(set(starts))
    for start in starts:
        local = start.astimezone(zone)
        day = local.date()
        assert first <= day <= last and day not in closed
        assert any(r.applies_on(day) and local.time().replace(fold=0) in r.times for r in chosen)
    # Nothing is missed: every rule time that exists on an open rule day is there.
    expected = {
        wall_clock(day, at, zone)
        for day in (first + timedelta(days=n) for n in range(span + 1))
        if day not in closed
        for r in chosen
        if r.applies_on(day)
        for at in r.times
    } - {None}
    assert set(starts) == expected
