"""Plan against what happened, on hand-made plans: on time, late, early, short, cancelled, unplanned,
across midnight, a host moved between rooms; forecast error (MAPE) and script timeliness."""

import datetime as dt

import pytest

from lib import plan
from lib.core import db
from tests.plan.helpers import held, person, planned, when

DAY = dt.date(2026, 11, 2)
AFTER = when("2026-11-05 12:00")


def _compare(engine, **kw):
    return plan.compare(engine, DAY, DAY + dt.timedelta(days=1), AFTER, **kw)


def test_tolerances_are_the_documented_ones(engine):
    """The defaults while no admin has changed them (lib.settings: tests/settings covers a change)."""
    rules = plan.rules(engine).at(DAY)
    assert (rules.match_window, rules.on_time, rules.length_tolerance) == (
        dt.timedelta(minutes=30),
        dt.timedelta(minutes=10),
        dt.timedelta(minutes=15),
    )
    assert (rules.draft_days_before, rules.review_days_before) == (7, 2)


def test_on_time_late_early_short_cancelled_unplanned(engine):
    on_time = planned(engine, "2026-11-02 10:00", 120, account="a")
    late = planned(engine, "2026-11-02 13:00", 120, account="a")
    early = planned(engine, "2026-11-02 16:00", 120, account="a")
    short = planned(engine, "2026-11-02 19:00", 180, account="a")
    cancelled = planned(engine, "2026-11-02 10:00", 60, account="b", host="王可")
    never = planned(engine, "2026-11-02 12:00", 60, account="b", host="王可")
    with db.write(engine) as conn:
        plan.set_status(conn, cancelled, "cancelled", "t_manager")
    held(engine, "2026-11-02 10:05", 118, account="a")
    held(engine, "2026-11-02 13:25", 120, account="a")  # 25 min late: matched, not as planned
    held(engine, "2026-11-02 15:40", 120, account="a")  # 20 min early
    held(engine, "2026-11-02 19:00", 120, account="a")  # an hour short
    unplanned = held(engine, "2026-11-02 15:00", 60, account="b")
    too_late = held(engine, "2026-11-02 12:45", 60, account="b")  # beyond the 30-minute window
    result = _compare(engine)
    judged = {m.planned.id: (m.as_planned, m.reasons) for m in result.matches}
    assert judged == {
        on_time: (True, []),
        late: (False, ["late"]),
        early: (False, ["early"]),
        short: (False, ["short"]),
    }
    assert {p.id for p in result.unmatched_planned} == {cancelled, never}
    assert {h.id for h in result.unmatched_held} == {unplanned, too_late}
    assert (result.planned, result.held_as_planned, result.accuracy) == (6, 1, pytest.approx(1 / 6))


def test_across_midnight_and_sessions_not_yet_due(engine):
    night = planned(engine, "2026-11-02 23:50", 180)
    planned(engine, "2026-11-03 23:50", 60)  # after "now": not counted yet
    held(engine, "2026-11-03 00:05", 176)  # next calendar day, 15 min late
    result = plan.compare(engine, DAY, DAY + dt.timedelta(days=1), when("2026-11-03 23:00"))
    assert result.planned == 1
    assert [(m.planned.id, m.reasons) for m in result.matches] == [(night, ["late"])]
    held(engine, "2026-11-02 23:52", 180)  # the closer start wins; the other is unplanned
    result = plan.compare(engine, DAY, DAY + dt.timedelta(days=1), when("2026-11-03 23:00"))
    assert [(m.planned.id, m.as_planned) for m in result.matches] == [(night, True)]
    assert len(result.unmatched_held) == 1


def test_a_host_moved_between_rooms(engine):
    a = planned(engine, "2026-11-02 19:00", 120, account="a", host="林晓雨")
    b = planned(engine, "2026-11-02 19:00", 120, account="b", host="王可")
    lin = person(engine, "林晓雨")
    held(engine, "2026-11-02 19:00", 120, account="b", host="xiaoyu_live", host_person_id=lin)
    held(engine, "2026-11-02 19:00", 120, account="a", host="王可")
    result = _compare(engine)
    assert {m.planned.id: (m.as_planned, m.reasons) for m in result.matches} == {
        a: (False, ["host"]),
        b: (False, ["host"]),
    }
    assert result.accuracy == 0


def test_room_name_matches_and_owner_counts_only_their_sessions(engine):
    mine = planned(engine, "2026-11-02 19:00", 120, account="晓雨的直播间", ops_owner="吴昊")
    planned(engine, "2026-11-02 10:00", 120, account="x", host="王可", ops_owner="其他人")
    held(engine, "2026-11-02 19:03", 125, account="acct-123", room="晓雨的直播间")
    result = _compare(engine, ops_owner="吴昊")
    assert (result.planned, result.held_as_planned) == (1, 1)
    assert result.matches[0].planned.id == mine and result.unmatched_held == []


def test_forecast_error_mape(engine):
    planned(engine, "2026-11-02 10:00", 120, account="a", forecast_gmv="80000", forecast_viewers="1000")
    planned(engine, "2026-11-02 14:00", 120, account="a", forecast_gmv="150000")
    planned(engine, "2026-11-02 18:00", 120, account="a")  # no forecast: not counted
    held(engine, "2026-11-02 10:00", 120, account="a", gmv=100000, viewers=1250)
    held(engine, "2026-11-02 14:00", 120, account="a", gmv=100000, viewers=900)
    held(engine, "2026-11-02 18:00", 120, account="a", gmv=5000)
    result = _compare(engine)
    assert result.mape("forecast_gmv", "gmv") == pytest.approx((0.2 + 0.5) / 2)
    assert result.mape("forecast_viewers", "viewers") == pytest.approx(0.2)


def test_script_timeliness(engine, clock_at):
    clock_at("2026-10-30T09:00:00")
    on_time = planned(engine, "2026-11-04 19:00", account="a")  # review due 2026-11-03 00:00
    late = planned(engine, "2026-11-04 12:00", account="b", host="王可", content_owner="周敏")
    planned(engine, "2026-11-05 19:00", account="c", host="赵敏")  # never approved
    planned(engine, "2026-11-09 19:00", account="c", host="赵敏")  # due later than "now"
    with db.write(engine) as conn:
        plan.record_script(conn, on_time, "approved", "t_manager")
    clock_at("2026-11-03T00:01:00")
    with db.write(engine) as conn:
        plan.record_script(conn, late, "approved", "t_manager")
    now = when("2026-11-06 00:00")
    result = plan.script_timeliness(engine, DAY, DAY + dt.timedelta(days=30), now)
    assert (result.due, result.on_time) == (3, 1)
    assert result.rate == pytest.approx(1 / 3)
    assert plan.script_timeliness(engine, DAY, DAY + dt.timedelta(days=30), now, owner="周敏").rate == 0
    assert plan.script_due(when("2026-11-04 19:00"), 2) == when("2026-11-03 00:00")
    assert plan.script_due(when("2026-11-09 08:00"), 7) == when("2026-11-03 00:00")


def test_the_sample_week_against_its_schedule(engine, samples):
    """The sample exports and the sample schedule: three sessions deviate on purpose (one planned 30 min
    earlier than held, one planned 180 min and held 96, one planned and never held), two shared-room
    sessions were held unplanned."""
    from lib import importing

    for name in (
        "roster.csv",
        "douyin_2026-11-02_2026-11-08.csv",
        "kuaishou_2026-11-02_2026-11-08.xlsx",
        "taobao_2026-11-02_2026-11-08.csv",
    ):
        report = importing.import_bytes(engine, (samples / name).read_bytes(), name, username="t")
        assert report.batch_id is not None, name
    name = "schedule_2026-11-02_2026-11-08.xlsx"
    assert plan.import_schedule(engine, (samples / name).read_bytes(), name, "t")[1]
    result = plan.compare(engine, dt.date(2026, 11, 2), dt.date(2026, 11, 8), when("2026-11-10 00:00"))
    assert (result.planned, len(result.matches), result.held_as_planned) == (29, 28, 26)
    assert sorted((m.planned.host_name, m.reasons) for m in result.matches if not m.as_planned) == [
        ("周俊杰", ["late"]),
        ("赵一鸣", ["short"]),
    ]
    assert [(p.host_name, p.starts_at) for p in result.unmatched_planned] == [
        ("王欣然", when("2026-11-07 20:00"))
    ]
    assert sorted((h.host_name or h.person, h.started_at) for h in result.unmatched_held) == [
        ("陈子墨", when("2026-11-02 20:30")),
        ("陈子墨", when("2026-11-05 10:00")),
    ]
    assert result.accuracy == pytest.approx(26 / 29)


def test_the_plan_metrics_are_in_the_catalogue():
    from lib.core.metrics import metric

    accuracy, scripts = metric("schedule_accuracy"), metric("script_on_time")
    assert (accuracy.unit, accuracy.default_target, accuracy.target_period) == (
        "pct",
        ("at_least", 0.95, None),
        "month",
    )
    assert (scripts.unit, scripts.default_target) == ("pct", ("at_least", 1.0, None))  # seed 004: 100 %
    assert (
        "30" in accuracy.help("zh") and "10 min" in accuracy.help("en") and "two days" in scripts.help("en")
    )
    for key in ("forecast_error_gmv", "forecast_error_viewers"):
        m = metric(key)
        assert (m.unit, m.better, m.source, m.default_target) == ("pct", "lower", "plan", None)
        assert "MAPE" in m.help("zh") and "MAPE" in m.help("en")
