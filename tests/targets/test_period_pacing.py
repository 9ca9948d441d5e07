"""Issue 20 "Targets as managers set them": pacing (时间进度 vs 完成进度, needed per remaining day) equals a
plain-Python computation at several moments; which period and scope a figure's target comes from; a period
target is never scaled by the sessions held."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from lib import targets as tg

D, T = dt.date, dt.datetime


def _row(value: float, period: str = "2026-12", scope=("all", ""), metric: str = "gmv", id_: int = 1):
    return tg.PeriodTargetRow(id_, metric, period, scope[0], scope[1], value, "t", T(2026, 11, 30), 1)


def _plain(actual: float, target: float, year: int, month: int, now: dt.datetime):
    """Pacing by hand: minutes gone over the month's minutes; days left counting today; the rest / days."""
    days = calendar.monthrange(year, month)[1]
    gone = (now - T(year, month, 1)).total_seconds() / 60
    days_left = days - now.day + 1
    return gone / (days * 24 * 60), actual / target, (target - actual) / days_left, days_left


@pytest.mark.parametrize(
    ("now", "actual"),
    [
        (T(2026, 12, 1, 0, 5), 0.0),  # the 1st, five minutes in: nothing sold yet
        (T(2026, 12, 7, 8, 30), 540_000.0),  # the 7th at 08:30
        (T(2026, 12, 31, 23, 0), 2_950_000.0),  # the last day at 23:00
        (T(2027, 2, 14, 12, 0), 1_000_000.0),  # February: 28 days
        (T(2028, 2, 29, 6, 0), 2_000_000.0),  # a leap February's last day
    ],
)
def test_pacing_equals_plain_python(now, actual):
    target = 3_000_000.0
    start = now.date().replace(day=1)
    end = start.replace(day=calendar.monthrange(now.year, now.month)[1])
    pace = tg.pacing(actual, target, start, end, now)
    time_share, target_share, needed, days_left = _plain(actual, target, now.year, now.month, now)
    assert pace.time_share == pytest.approx(time_share, rel=1e-12)
    assert pace.target_share == pytest.approx(target_share)
    assert pace.days_left == days_left
    assert pace.needed_per_day == pytest.approx(needed)
    assert pace.status == ("green" if target_share >= time_share else "red")


def test_pacing_moments_by_hand():
    """The same moments written out: 5 of 44,640 minutes; 6 days 8.5 h of 31 days; 23 h into the 31st."""
    dec = (D(2026, 12, 1), D(2026, 12, 31))
    first = tg.pacing(None, 3_100_000, *dec, T(2026, 12, 1, 0, 5))
    assert first.time_share == pytest.approx(5 / 44_640)
    assert (first.target_share, first.days_left, first.needed_per_day) == (0.0, 31, 100_000)
    assert first.status == "red"  # behind pace, if only by five minutes
    seventh = tg.pacing(620_000, 3_100_000, *dec, T(2026, 12, 7, 8, 30))
    assert seventh.time_share == pytest.approx((6 * 24 + 8.5) / (31 * 24))  # 20.5 %
    assert seventh.target_share == pytest.approx(0.2) and seventh.status == "red"
    assert seventh.days_left == 25 and seventh.needed_per_day == pytest.approx(2_480_000 / 25)
    last = tg.pacing(3_200_000, 3_100_000, *dec, T(2026, 12, 31, 23, 0))
    assert last.days_left == 1 and last.needed_per_day == 0.0 and last.status == "green"
    feb = tg.pacing(1_400_000, 2_800_000, D(2027, 2, 1), D(2027, 2, 28), T(2027, 2, 15))
    assert feb.time_share == 0.5 and feb.target_share == 0.5 and feb.status == "green"
    assert feb.days_left == 14 and feb.needed_per_day == 100_000


def test_pacing_of_a_period_over_or_not_begun():
    nov = (D(2026, 11, 1), D(2026, 11, 30))
    over = tg.pacing(2_000_000, 3_000_000, *nov, T(2026, 12, 7, 8, 30))
    assert (over.time_share, over.days_left, over.needed_per_day, over.status) == (1.0, 0, None, "red")
    ahead = tg.pacing(0, 3_000_000, *nov, T(2026, 10, 20))
    assert (ahead.time_share, ahead.days_left, ahead.needed_per_day) == (0.0, 30, 100_000)
    # a figure through the 10th read after the period: time gone is the range's, to the end of the 10th
    until = tg.until_of(D(2026, 11, 10), T(2026, 12, 7, 8, 30))
    assert until == T(2026, 11, 11)
    assert tg.pacing(1_000_000, 3_000_000, *nov, until).time_share == pytest.approx(10 / 30)
    assert tg.pacing(1_000_000, 3_000_000, *nov, until).needed_per_day == pytest.approx(2_000_000 / 20)


def test_quarter_bounds_and_pacing():
    assert tg.period_bounds("2026-Q4") == (D(2026, 10, 1), D(2026, 12, 31))
    assert tg.period_bounds("2027-Q1") == (D(2027, 1, 1), D(2027, 3, 31))
    assert tg.period_bounds("2027-02") == (D(2027, 2, 1), D(2027, 2, 28))
    pace = tg.pacing(4_600_000, 9_200_000, *tg.period_bounds("2026-Q4"), T(2026, 11, 16))
    assert pace.time_share == pytest.approx(46 / 92) and pace.days_left == 46


@pytest.mark.parametrize(
    ("start", "end", "periods"),
    [
        (D(2026, 12, 1), D(2026, 12, 7), ["2026-12"]),  # month to date
        (D(2026, 12, 1), D(2026, 12, 31), ["2026-12"]),  # the whole month
        (D(2026, 10, 1), D(2026, 10, 20), ["2026-10", "2026-Q4"]),  # a quarter's first month: month first
        (D(2026, 10, 1), D(2026, 11, 20), ["2026-Q4"]),  # quarter to date
        (D(2026, 10, 1), D(2026, 12, 31), ["2026-Q4"]),
        (D(2026, 12, 2), D(2026, 12, 7), []),  # not from the 1st: a part of the month, no period target
        (D(2026, 11, 1), D(2026, 12, 7), []),  # two months, not a quarter's start
        (D(2026, 12, 6), D(2026, 12, 6), []),  # yesterday
    ],
)
def test_periods_of_range(start, end, periods):
    assert tg.periods_of_range(start, end) == periods


@pytest.mark.parametrize(
    ("args", "scope"),
    [
        ((None, None, None, None, False), ("all", "")),
        (("douyin", None, None, None, False), ("platform", "douyin")),
        (
            ("douyin", "小雨家电旗舰店", None, None, False),
            ("room", "小雨家电旗舰店"),
        ),  # a room's own platform
        ((None, None, "7", None, False), ("team", "7")),
        ((None, None, "7", "11", True), ("person", "11")),  # a host's team repeats the host's scope
        (("douyin", None, "7", None, False), None),  # a team on one platform: part of two totals
        ((None, "小雨家电旗舰店", "7", None, False), None),
        ((None, "小雨家电旗舰店", None, "11", True), None),  # a host in one room
        ((None, None, None, None, True), None),  # a host off the roster has no target
    ],
)
def test_filter_scope(args, scope):
    assert tg.filter_scope(*args) == scope


def test_resolution_per_filter():
    rows = [
        _row(3_000_000, id_=1),
        _row(900_000, scope=("room", "小雨家电旗舰店"), id_=2),
        _row(9_000_000, period="2026-Q4", id_=3),
        _row(40_000, metric="viewers", id_=4),
        _row(2_000_000, period="2026-11", id_=5),
    ]
    dec = (D(2026, 12, 1), D(2026, 12, 7))
    assert tg.resolve_period(rows, "gmv", *dec, ("all", "")).id == 1
    assert tg.resolve_period(rows, "gmv", *dec, ("room", "小雨家电旗舰店")).id == 2
    assert tg.resolve_period(rows, "gmv", *dec, ("room", "一鸣数码")) is None  # no inheritance from all
    assert tg.resolve_period(rows, "gmv", *dec, ("platform", "douyin")) is None
    assert tg.resolve_period(rows, "gmv", D(2026, 10, 1), D(2026, 11, 30), ("all", "")).id == 3
    assert tg.resolve_period(rows, "gmv", D(2026, 11, 1), D(2026, 11, 30), ("all", "")).id == 5
    assert tg.resolve_period(rows, "viewers", *dec, ("all", "")).id == 4
    assert tg.resolve_period(rows, "conversion_rate", *dec, ("all", "")) is None
    assert tg.resolve_period(rows, "gmv", *dec, None) is None


@pytest.mark.parametrize("sessions", [1, 12, 40])
def test_a_period_target_is_never_scaled_by_sessions(sessions):
    """The old rule: ¥100,000 per session × sessions held; a period target stays what the manager set."""
    now = T(2026, 12, 7, 8, 30)
    got = tg.evaluate_period(_row(3_000_000), 600_000, D(2026, 12, 7), now)
    assert got["value"] == 3_000_000 and got["target_kind"] == "period"
    assert got["achievement"] == pytest.approx(0.2)
    assert got["pacing"]["target_share"] == pytest.approx(0.2)
    per_session = tg.TargetRow(
        9, "gmv", "all", "", "2026-01", "at_least", 100_000, None, "session", "t", T(2026, 1, 1)
    )
    scaled = tg.evaluate(per_session, 600_000, sessions, 7 / 31)
    assert scaled["value"] == 100_000 * sessions and scaled["target_kind"] == "per_session"
