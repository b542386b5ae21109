"""The core's availability algebra: unit cases (buffers, notice, days off, exceptions, the
23- and 25-hour days of Europe/Paris and America/Montreal) and Hypothesis properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tentative.core import availability as av
from tentative.core.availability import DayException, Hours, Range, Refusal, SlotRule

PARIS = ZoneInfo("Europe/Paris")
MONTREAL = ZoneInfo("America/Montreal")
H = timedelta(hours=1)
M = timedelta(minutes=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=zone, fold=fold).astimezone(UTC)


def every_day(start: time, end: time) -> Hours:
    return Hours(weekly={d: [Range(start, end)] for d in range(7)})


def starts(hours: Hours, zone: ZoneInfo, day: date, rule: SlotRule, busy=(), now=None):
    work = av.working(hours, zone, day, day)
    earliest = now or datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC) - 48 * H
    latest = earliest + 1000 * H
    return av.free_starts(work, list(busy), rule, earliest=earliest, latest=latest)


# --- wall clock on the change days ---------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "spring", "autumn"),
    [
        (PARIS, date(2027, 3, 28), date(2027, 10, 31)),
        (MONTREAL, date(2027, 3, 14), date(2027, 11, 7)),
    ],
)
def test_the_23_and_25_hour_days_keep_the_wall_clock_hours(zone, spring, autumn):
    hours = every_day(time(9), time(17))
    for day in (spring - timedelta(days=1), spring, autumn, autumn + timedelta(days=1)):
        (interval,) = av.working(hours, zone, day, day)
        assert interval[0].astimezone(zone).time() == time(9)
        assert interval[1].astimezone(zone).time() == time(17)
        assert interval[1] - interval[0] == 8 * H
    # A whole day, midnight to midnight, lasts 23 hours in spring and 25 in autumn.
    whole = every_day(time(0), time(0))
    assert sum((b - a for a, b in av.working(whole, zone, spring, spring)), timedelta()) == 23 * H
    assert sum((b - a for a, b in av.working(whole, zone, autumn, autumn)), timedelta()) == 25 * H


def test_a_range_through_the_skipped_hour_covers_only_the_hours_that_exist():
    night = Hours(weekly={6: [Range(time(1), time(4))]})  # Sunday 28 March 2027, Paris
    ((a, b),) = av.working(night, PARIS, date(2027, 3, 28), date(2027, 3, 28))
    assert (a, b) == (utc(2027, 3, 28, 0), utc(2027, 3, 28, 2))  # 01:00 CET to 04:00 CEST
    # A bound inside the gap moves to the change itself (03:00 CEST, 01:00 UTC).
    assert av.to_utc(date(2027, 3, 28), 2 * 60 + 30, PARIS) == utc(2027, 3, 28, 1)
    assert av.to_utc(date(2027, 3, 14), 2 * 60 + 15, MONTREAL) == utc(2027, 3, 14, 7)


def test_the_repeated_hour_starts_at_its_first_occurrence_and_ends_at_its_second():
    autumn = date(2027, 10, 31)
    assert av.to_utc(autumn, 150, PARIS) == utc(2027, 10, 31, 0, 30)  # 02:30 CEST
    assert av.to_utc(autumn, 150, PARIS, end=True) == utc(2027, 10, 31, 1, 30)  # 02:30 CET
    night = Hours(weekly={6: [Range(time(1), time(4))]})
    ((a, b),) = av.working(night, PARIS, autumn, autumn)
    assert b - a == 4 * H


def test_hourly_slots_on_the_paris_spring_day_skip_nothing_that_exists():
    rule = SlotRule(duration=H, step=H)
    night = Hours(weekly={6: [Range(time(0), time(6))]})
    found = starts(night, PARIS, date(2027, 3, 28), rule)
    walls = [t.astimezone(PARIS).strftime("%H:%M") for t in found]
    assert walls == ["00:00", "01:00", "03:00", "04:00", "05:00"]  # no 02:00: it never is


def test_hourly_slots_on_the_montreal_autumn_day_offer_the_repeated_hour_twice():
    rule = SlotRule(duration=H, step=H)
    night = Hours(weekly={6: [Range(time(0), time(4))]})
    found = starts(night, MONTREAL, date(2027, 11, 7), rule)
    walls = [t.astimezone(MONTREAL).strftime("%H:%M%z") for t in found]
    assert walls == ["00:00-0400", "01:00-0400", "01:00-0500", "02:00-0500", "03:00-0500"]


def test_from_wall_refuses_a_skipped_time_and_asks_for_the_offset_of_a_repeated_one():
    assert av.from_wall(datetime(2027, 3, 28, 2, 30), PARIS) == av.WallTime.NONEXISTENT
    assert av.from_wall(datetime(2027, 10, 31, 2, 30), PARIS) == av.WallTime.AMBIGUOUS
    assert av.from_wall(datetime(2027, 3, 28, 3, 30), PARIS) == utc(2027, 3, 28, 1, 30)


def test_a_start_written_with_an_offset_the_zone_skips_is_refused():
    written = datetime(2027, 3, 28, 2, 30, tzinfo=av.UTC).replace(
        tzinfo=ZoneInfo("Etc/GMT-1")
    )  # 02:30+01:00: meant as Paris wall time, which does not exist that night
    assert av.wall_time_refusal(written, PARIS) == Refusal.NONEXISTENT
    assert av.wall_time_refusal(utc(2027, 3, 28, 1, 30), PARIS) is None
    assert av.wall_time_refusal(local(PARIS, 2027, 3, 28, 3, 30).astimezone(PARIS), PARIS) is None


# --- rules ---------------------------------------------------------------------------

MONDAY = date(2027, 6, 7)
WEEK = Hours(weekly={0: [Range(time(9), time(12)), Range(time(14), time(18))]})


def paris(h: int, m: int = 0, day: date = MONDAY) -> datetime:
    return local(PARIS, day.year, day.month, day.day, h, m)


def test_buffers_keep_a_claim_and_its_neighbours_apart():
    rule = SlotRule(duration=H, step=30 * M, buffer_before=15 * M, buffer_after=15 * M)
    busy = [(paris(10, 30) - 15 * M, paris(11, 30) + 15 * M)]  # 10:30 with its buffers
    found = starts(WEEK, PARIS, MONDAY, rule, busy)
    walls = [t.astimezone(PARIS).strftime("%H:%M") for t in found]
    # 09:00 ends at 10:00, its buffer at 10:15, where the busy claim's starts: they touch.
    # 09:30 to 11:00 overlap it; 11:30 would end after 12:00. The afternoon is free.
    assert walls == ["09:00", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"]


def test_notice_horizon_day_off_and_extra_hours():
    rule = SlotRule(duration=H, step=H)
    now = paris(8, day=MONDAY)
    kw = {"hours": WEEK, "zone": PARIS, "busy": [], "rule": rule, "now": now}
    assert av.refusal(paris(9), notice=2 * H, latest=None, **kw) == Refusal.NOTICE
    assert av.refusal(paris(10), notice=2 * H, latest=None, **kw) is None
    assert av.refusal(paris(7), notice=0 * H, latest=None, **kw) == Refusal.PAST
    assert av.refusal(paris(15), notice=0 * H, latest=paris(12), **kw) == Refusal.HORIZON
    assert av.refusal(paris(12), notice=0 * H, latest=None, **kw) == Refusal.OUTSIDE_HOURS
    assert av.refusal(paris(11, 30), notice=0 * H, latest=None, **kw) == Refusal.OUTSIDE_HOURS
    assert av.refusal(paris(9, 30), notice=0 * H, latest=None, **kw) == Refusal.NOT_ALIGNED
    assert av.refusal(paris(9, 30), notice=0 * H, latest=None, check_grid=False, **kw) is None
    tuesday = MONDAY + timedelta(days=1)
    assert av.refusal(paris(10, day=tuesday), notice=0 * H, latest=None, **kw) == Refusal.DAY_OFF
    off = Hours(weekly=WEEK.weekly, exceptions=[DayException(MONDAY, MONDAY, closed=True)])
    kw["hours"] = off
    assert av.refusal(paris(10), notice=0 * H, latest=None, **kw) == Refusal.DAY_OFF
    extra = Hours(
        weekly=WEEK.weekly,
        exceptions=[
            DayException(MONDAY, MONDAY, closed=True),
            DayException(MONDAY, MONDAY, closed=False, hours=Range(time(19), time(21))),
        ],
    )
    kw["hours"] = extra
    assert av.refusal(paris(19), notice=0 * H, latest=None, **kw) is None
    assert av.refusal(paris(10), notice=0 * H, latest=None, **kw) == Refusal.OUTSIDE_HOURS
    busy_kw = {**kw, "busy": [(paris(19, 30), paris(20))]}
    assert av.refusal(paris(19), notice=0 * H, latest=None, **busy_kw) == Refusal.TAKEN


def test_a_partial_closure_cuts_the_day():
    lunch_off = Hours(
        weekly={0: [Range(time(9), time(18))]},
        exceptions=[DayException(MONDAY, MONDAY, closed=True, hours=Range(time(12), time(13)))],
    )
    assert av.working(lunch_off, PARIS, MONDAY, MONDAY) == [
        (paris(9), paris(12)),
        (paris(13), paris(18)),
    ]


def test_horizon_ends_at_local_midnight_after_the_last_day():
    now = paris(10)
    assert av.horizon_end(now, PARIS, 1) == local(PARIS, 2027, 6, 9, 0)


# --- properties ----------------------------------------------------------------------

minutes = st.integers(min_value=0, max_value=24 * 60)
ZONES = st.sampled_from([PARIS, MONTREAL, ZoneInfo("UTC"), ZoneInfo("Australia/Lord_Howe")])
DAYS = st.sampled_from(
    [
        date(2027, 3, 28),
        date(2027, 10, 31),
        date(2027, 3, 14),
        date(2027, 11, 7),
        MONDAY,
        date(2027, 4, 4),
        date(2027, 10, 3),
    ]
)


@st.composite
def ranges(draw) -> Range:
    a = draw(st.integers(min_value=0, max_value=23 * 4)) * 15
    b = draw(st.integers(min_value=a // 15 + 1, max_value=24 * 4)) * 15
    end = time(0) if b == 1440 else time(b // 60, b % 60)
    return Range(time(a // 60, a % 60), end)


@st.composite
def weeks(draw) -> Hours:
    weekly = {d: draw(st.lists(ranges(), max_size=3)) for d in range(7)}
    return Hours(weekly=weekly)


@st.composite
def busy_lists(draw, base: datetime) -> list[tuple[datetime, datetime]]:
    out = []
    for _ in range(draw(st.integers(0, 6))):
        a = base + draw(st.integers(0, 72 * 4)) * 15 * M
        out.append((a, a + draw(st.integers(1, 12)) * 15 * M))
    return out


@st.composite
def cases(draw):
    zone, day, hours = draw(ZONES), draw(DAYS), draw(weeks())
    base = datetime.combine(day - timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    rule = SlotRule(
        duration=draw(st.integers(1, 8)) * 15 * M,
        step=draw(st.integers(1, 8)) * 15 * M,
        buffer_before=draw(st.integers(0, 2)) * 15 * M,
        buffer_after=draw(st.integers(0, 2)) * 15 * M,
    )
    return zone, day, hours, rule, draw(busy_lists(base)), base


def _free(zone, day, hours, rule, busy, base):
    work = av.working(hours, zone, day - timedelta(days=1), day + timedelta(days=1))
    return work, av.free_starts(work, av.merge(busy), rule, earliest=base, latest=base + 96 * H)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_every_slot_fits_in_working_time_and_meets_no_busy_interval(case):
    zone, day, hours, rule, busy, base = case
    work, found = _free(zone, day, hours, rule, busy, base)
    assert found == sorted(set(found))
    for t in found:
        assert any(a <= t and t + rule.duration <= b for a, b in work)
        claim = (t - rule.buffer_before, t + rule.duration + rule.buffer_after)
        assert not any(a < claim[1] and b > claim[0] for a, b in busy)
        assert base <= t < base + 96 * H


@settings(max_examples=300, deadline=None)
@given(cases(), st.data())
def test_removing_a_busy_interval_never_removes_a_slot(case, data):
    zone, day, hours, rule, busy, base = case
    if not busy:
        return
    dropped = data.draw(st.integers(0, len(busy) - 1))
    _, before = _free(zone, day, hours, rule, busy, base)
    _, after = _free(zone, day, hours, rule, busy[:dropped] + busy[dropped + 1 :], base)
    assert set(before) <= set(after)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_free_starts_and_refusal_agree(case):
    """Each free start is accepted by `refusal`; each grid point refused is not listed."""
    zone, day, hours, rule, busy, base = case
    work, found = _free(zone, day, hours, rule, busy, base)
    merged = av.merge(busy)
    kw = {"hours": hours, "zone": zone, "busy": merged, "rule": rule}
    now = base - timedelta(microseconds=1)
    for t in found:
        if (t - timedelta(days=1)).astimezone(zone).date() >= day - timedelta(days=1):
            assert av.refusal(t, now=now, notice=timedelta(0), latest=None, **kw) is None
    listed = set(found)
    for a, b in work:
        t = a
        while t + rule.duration <= b:
            inside_day = (
                day - timedelta(days=1) < t.astimezone(zone).date() < day + timedelta(days=1)
            )
            if inside_day and t not in listed:
                assert av.refusal(t, now=now, notice=timedelta(0), latest=None, **kw) is not None
            t += rule.step


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(1, 60)).map(
            lambda p: (utc(2027, 1, 1) + p[0] * M, utc(2027, 1, 1) + (p[0] + p[1]) * M)
        ),
        max_size=8,
    ),
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(1, 60)).map(
            lambda p: (utc(2027, 1, 1) + p[0] * M, utc(2027, 1, 1) + (p[0] + p[1]) * M)
        ),
        max_size=8,
    ),
    st.integers(0, 600),
)
def test_subtract_is_set_difference(base, remove, probe):
    left, cut = av.merge(base), av.merge(remove)
    result = av.subtract(left, cut)
    t = utc(2027, 1, 1) + probe * M
    inside = any(a <= t < b for a, b in left) and not any(a <= t < b for a, b in cut)
    assert inside == any(a <= t < b for a, b in result)
    assert result == av.merge(result)


@settings(max_examples=200, deadline=None)
@given(ZONES, DAYS, minutes)
def test_to_utc_lands_on_the_wall_time_or_the_change(zone, day, minute):
    instant = av.to_utc(day, minute, zone)
    wall = datetime.combine(day, time(0)) + minute * M
    seen = instant.astimezone(zone).replace(tzinfo=None)
    if av.exists(wall.date(), wall.time(), zone):
        assert seen == wall
    else:  # skipped: the first wall time after the gap, right at the change
        assert seen > wall
        assert (instant - M).astimezone(zone).replace(tzinfo=None) < wall


# --- the integer algebra equals the datetime one it replaced --------------------------


def reference_free_starts(
    work: list[av.Interval],
    busy: list[av.Interval],
    rule: SlotRule,
    *,
    earliest: datetime,
    latest: datetime,
) -> list[datetime]:
    """`free_starts` as it was on datetimes (until 2026-11-30), one grid point at a time:
    the reference the integer version is held equal to."""
    import bisect

    blocked = rule.blocked(busy)
    block_starts = [b[0] for b in blocked]
    out: list[datetime] = []
    for w_start, w_end in work:
        last_start = min(w_end - rule.duration, latest - timedelta(microseconds=1))
        if last_start < w_start or last_start < earliest:
            continue
        t = w_start
        if earliest > t:
            t += -((w_start - earliest) // rule.step) * rule.step
        i = max(bisect.bisect_right(block_starts, t) - 1, 0)
        while t <= last_start:
            while i < len(blocked) and blocked[i][1] <= t:
                i += 1
            if i < len(blocked) and blocked[i][0] <= t:
                t += -((t - blocked[i][1]) // rule.step) * rule.step
                continue
            out.append(t)
            t += rule.step
    return out


@st.composite
def raw_cases(draw):
    """Random working and busy intervals on any minute (and some odd microseconds),
    busy ones overlapping, touching or empty, any step, duration and buffers."""
    base = utc(2031, 3, 3)

    def moment() -> datetime:
        return (
            base
            + draw(st.integers(-200, 6000)) * M
            + draw(st.sampled_from([0, 0, 0, 1, 7, 999_999])) * timedelta(microseconds=1)
        )

    def intervals(most: int) -> list[av.Interval]:
        out = []
        for _ in range(draw(st.integers(0, most))):
            a = moment()
            out.append((a, a + draw(st.integers(-5, 400)) * M))
        return out

    rule = SlotRule(
        duration=draw(st.integers(1, 120)) * M,
        step=draw(st.integers(1, 90)) * M,
        buffer_before=draw(st.integers(0, 30)) * M,
        buffer_after=draw(st.integers(0, 30)) * M,
    )
    earliest = moment()
    latest = earliest + draw(st.integers(0, 6000)) * M
    return av.merge(intervals(8)), intervals(20), rule, earliest, latest


@settings(max_examples=500, deadline=None)
@given(raw_cases())
def test_free_starts_on_integers_equal_the_datetime_algorithm(case):
    work, busy, rule, earliest, latest = case
    expected = reference_free_starts(work, busy, rule, earliest=earliest, latest=latest)
    assert av.free_starts(work, busy, rule, earliest=earliest, latest=latest) == expected
    found = av.free_starts_us(
        [(av.to_us(a), av.to_us(b)) for a, b in work],
        sorted((av.to_us(a), av.to_us(b)) for a, b in busy),
        av.micros(rule),
        earliest=av.to_us(earliest),
        latest=av.to_us(latest),
    )
    assert [av.from_us(t) for t in found] == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(-(2**52), 2**52))
def test_microseconds_round_trip(us):
    assert av.to_us(av.from_us(us)) == us
    assert av.from_us(us).tzinfo is UTC
