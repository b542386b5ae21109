"""A weekly series keeps its local wall-clock time across daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tentative.core.series import MAX_DATES, SeriesTooLong, local_instant, weekly

PARIS = ZoneInfo("Europe/Paris")


def test_every_friday_at_half_past_eight_stays_half_past_eight_across_the_autumn_change():
    # 2026: summer time ends on Sunday 25 October in Paris.
    dates = weekly(
        date(2026, 10, 16), date(2026, 11, 6), [4], time(20, 30), timedelta(hours=2), PARIS
    )
    assert [s.astimezone(PARIS).strftime("%a %d %H:%M") for s, _ in dates] == [
        "Fri 16 20:30",
        "Fri 23 20:30",
        "Fri 30 20:30",
        "Fri 06 20:30",
    ]
    # In UTC the hour moves: 18:30 in summer time, 19:30 in winter time.
    assert [s.hour for s, _ in dates] == [18, 18, 19, 19]
    assert all(e - s == timedelta(hours=2) for s, e in dates)


def test_spring_forward_gap_moves_the_time_forward_like_the_clocks():
    # 29 March 2026, 02:30 does not exist in Paris: the clocks jump from 02:00 to 03:00.
    moment = local_instant(date(2026, 3, 29), time(2, 30), PARIS)
    assert moment.astimezone(PARIS).strftime("%H:%M") == "03:30"
    assert moment == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_an_ambiguous_autumn_time_is_the_first_of_the_two():
    moment = local_instant(date(2026, 10, 25), time(2, 30), PARIS)
    assert moment == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # still summer time (+2)


def test_several_weekdays_and_the_cap():
    days = weekly(date(2026, 6, 1), date(2026, 6, 14), [0, 2], time(9), timedelta(hours=1), PARIS)
    assert [s.astimezone(PARIS).day for s, _ in days] == [1, 3, 8, 10]
    with pytest.raises(SeriesTooLong):
        weekly(date(2026, 1, 1), date(2028, 1, 1), range(7), time(9), timedelta(hours=1), PARIS)
    assert MAX_DATES == 366


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    st.times(),
    st.sampled_from(["Europe/Paris", "America/New_York", "Australia/Sydney", "UTC"]),
)
def test_a_local_time_that_exists_round_trips(day, at, zone_name):
    zone = ZoneInfo(zone_name)
    moment = local_instant(day, at, zone)
    local = moment.astimezone(zone)
    naive = datetime.combine(day, at)
    # Either exactly the wall-clock time asked, or (in a spring-forward gap) moved forward
    # by less than the gap (at most an hour here).
    assert timedelta(0) <= local.replace(tzinfo=None) - naive <= timedelta(hours=1)
