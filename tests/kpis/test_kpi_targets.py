"""Target resolution (scope precedence, history across months), kinds, achievement, status, setting."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from lib import targets as tg
from lib.core.models import AuditLog, Target


def row(
    id,
    metric="gmv",
    scope_kind="all",
    scope_value="",
    month_from="2020-01",
    kind="at_least",
    value=1.0,
    value_high=None,
    set_at=dt.datetime(2026, 1, 1),
):
    return tg.TargetRow(
        id, metric, scope_kind, scope_value, month_from, kind, value, value_high, "session", "t", set_at
    )


ROWS = (
    row(1, value=100),
    row(2, scope_kind="platform", scope_value="douyin", value=200),
    row(3, scope_kind="room", scope_value="小雨家电旗舰店", value=300),
    row(4, scope_kind="team", scope_value="7", value=400),
    row(5, scope_kind="person", scope_value="11", value=500, month_from="2026-11"),
    row(6, value=150, month_from="2026-10"),  # the whole team's target rises from October
    row(7, scope_kind="team", scope_value="7", value=450, month_from="2026-12"),
)


@pytest.mark.parametrize(
    ("month", "scope", "expected_id"),
    [
        ("2026-11", {"person": "11", "team": "7", "room": "小雨家电旗舰店", "platform": "douyin"}, 5),
        (
            "2026-10",
            {"person": "11", "team": "7", "room": "小雨家电旗舰店", "platform": "douyin"},
            4,
        ),  # before 5
        ("2026-11", {"person": "12", "team": "7", "platform": "douyin"}, 4),  # host without own target
        ("2026-12", {"team": "7"}, 7),  # a newer team target replaces the old one from its month
        ("2026-11", {"team": "7"}, 4),  # ...and the months before keep the old value
        ("2026-11", {"room": "小雨家电旗舰店", "platform": "douyin"}, 3),  # room over platform
        ("2026-11", {"platform": "douyin"}, 2),
        ("2026-11", {"platform": "taobao"}, 6),  # whole team, newest month_from <= month
        ("2026-09", {}, 1),  # history: before October the old whole-team value holds
        ("2026-10", {"person": None, "team": None}, 6),
    ],
)
def test_resolution_most_specific_then_latest(month, scope, expected_id):
    assert tg.resolve(ROWS, "gmv", month, scope).id == expected_id


def test_resolution_none_before_first_month_and_other_metric():
    assert tg.resolve(ROWS, "gmv", "2019-12", {}) is None
    assert tg.resolve(ROWS, "viewers", "2026-11", {}) is None


def test_same_month_latest_set_wins():
    rows = (row(1, value=1, set_at=dt.datetime(2026, 1, 1)), row(2, value=2, set_at=dt.datetime(2026, 2, 1)))
    assert tg.resolve(rows, "gmv", "2026-05", {}).value == 2


@pytest.mark.parametrize(
    ("kind", "value", "high", "actual", "achievement", "status"),
    [
        ("at_least", 100, None, 120, 1.2, "green"),
        ("at_least", 100, None, 100, 1.0, "green"),
        ("at_least", 100, None, 95, 0.95, "amber"),
        ("at_least", 100, None, 50, 0.5, "red"),
        ("at_least", 100, None, None, None, "no_data"),
        ("at_most", 30, None, 20, 1.5, "green"),  # response time 20 s against ≤ 30 s
        ("at_most", 30, None, 30, 1.0, "green"),
        ("at_most", 30, None, 60, 0.5, "red"),
        ("at_most", 30, None, 0, 1.0, "green"),
        ("between", 2, 4, 3, 1.0, "green"),  # 3 h inside 2–4 h
        ("between", 2, 4, 2, 1.0, "green"),
        ("between", 2, 4, 1.5, 0.75, "red"),  # too short: 1.5 / 2
        ("between", 2, 4, 4.2, 4 / 4.2, "amber"),  # slightly too long
        ("between", 2, 4, 8, 0.5, "red"),
    ],
)
def test_achievement_and_status(kind, value, high, actual, achievement, status):
    got = tg.achievement(kind, value, high, actual)
    assert got == (pytest.approx(achievement) if achievement is not None else None)
    assert tg.status(got) == status


def test_additive_targets_scale_with_sessions_and_months():
    gmv = row(1, value=100_000)
    assert tg.scaled(gmv, sessions=7, months=0.25) == (700_000, None)
    followers = tg.TargetRow(
        2,
        "new_followers",
        "all",
        "",
        "2020-01",
        "at_least",
        5000,
        None,
        "month",
        "s",
        dt.datetime(2020, 1, 1),
    )
    assert tg.scaled(followers, sessions=7, months=0.5) == (2500, None)
    conversion = row(3, metric="conversion_rate", value=0.03)
    assert tg.scaled(conversion, sessions=7, months=1) == (0.03, None)
    assert tg.months_span(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == pytest.approx(1.0)
    assert tg.months_span(dt.date(2026, 11, 2), dt.date(2026, 11, 8)) == pytest.approx(7 / 30)
    assert tg.months_span(dt.date(2026, 10, 17), dt.date(2026, 11, 15)) == pytest.approx(15 / 31 + 15 / 30)


def test_defaults_preloaded(engine):
    rows = tg.load_targets(engine)
    duration = tg.resolve(rows, "duration_hours", "2026-11", {})
    assert (duration.kind, duration.value, duration.value_high) == ("between", 2, 4)
    assert tg.resolve(rows, "conversion_rate", "2026-11", {}).value == 0.03
    assert tg.resolve(rows, "cs_response_seconds", "2026-11", {}).kind == "at_most"
    assert tg.resolve(rows, "gmv_mom", "2026-11", {}).value == 0.15


def test_set_target_keeps_history_and_audits(engine):
    tg.set_target(engine, "t_manager", "conversion_rate", "all", "", "2026-12", "at_least", 0.05)
    tg.set_target(engine, "t_manager", "duration_hours", "platform", "douyin", "2026-11", "between", 2.5, 3.5)
    rows = tg.load_targets(engine)
    assert tg.resolve(rows, "conversion_rate", "2026-11", {}).value == 0.03  # old value before December
    assert tg.resolve(rows, "conversion_rate", "2027-01", {}).value == 0.05
    band = tg.resolve(rows, "duration_hours", "2026-11", {"platform": "douyin"})
    assert (band.value, band.value_high, band.set_by) == (2.5, 3.5, "t_manager")
    with engine.connect() as conn:
        assert conn.execute(select(Target.id).where(Target.metric == "conversion_rate")).all().__len__() == 2
        audits = conn.execute(
            select(AuditLog.username, AuditLog.action, AuditLog.detail)
            .where(AuditLog.action == "target.set")
            .order_by(AuditLog.id)
        ).all()
    assert [a.username for a in audits] == ["t_manager", "t_manager"]
    assert json.loads(audits[0].detail)["value"] == 0.05


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("nope", "all", "", "2026-11", "at_least", 1, None), "metric"),
        (("gmv", "galaxy", "x", "2026-11", "at_least", 1, None), "scope"),
        (("gmv", "room", " ", "2026-11", "at_least", 1, None), "scope_value"),
        (("gmv", "all", "", "2026-13", "at_least", 1, None), "month"),
        (("gmv", "all", "", "26-11", "at_least", 1, None), "month"),
        (("gmv", "all", "", "2026-11", "about", 1, None), "kind"),
        (("gmv", "all", "", "2026-11", "at_least", None, None), "value"),
        (("duration_hours", "all", "", "2026-11", "between", 4, 2), "between"),
        (("duration_hours", "all", "", "2026-11", "between", 2, None), "between"),
    ],
)
def test_bad_targets_are_refused_and_nothing_stored(engine, args, code):
    before = len(tg.load_targets(engine))
    with pytest.raises(tg.TargetError) as exc:
        tg.set_target(engine, "t_manager", *args)
    assert exc.value.code == code
    assert len(tg.load_targets(engine)) == before
