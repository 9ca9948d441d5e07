"""Settings figures depend on are versioned: a change from this month on never rewrites last month.
SLA attainment and schedule accuracy of last month stay as they were; this month's use the new value."""

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from lib import incidents as inc
from lib import plan, settings
from lib.core.models import AppSetting, AuditLog, SettingValue
from tests.incidents.incidents_testdata import add
from tests.plan.helpers import held, planned, when

NOW = "2026-12-10T12:00"
LAST_MONTH = inc.ReportFilter(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
THIS_MONTH = inc.ReportFilter(dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def _incident(detected: dt.datetime, resolve_minutes: float) -> dict:
    """A simple network incident answered in a minute (the generic simple SLA: respond 2, resolve 5)."""
    return {
        "category": "网络中断",
        "severity": "simple",
        "detected_at": detected,
        "responded_at": detected + dt.timedelta(minutes=1),
        "resolved_at": detected + dt.timedelta(minutes=resolve_minutes),
    }


def _attainment(engine, flt) -> float | None:
    return inc.report(engine, flt)[0]["sla_attainment"]


def _with_simple_resolve(engine, minutes: float) -> list[dict]:
    """The SLA table in force now with the generic simple resolve limit changed."""
    frame = inc.sla_table(engine)
    rows = [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        for r in frame.to_dict("records")
    ]
    for row in rows:
        if row["category"] is None and row["severity"] == "simple":
            row["resolve_minutes"] = minutes
    return rows


def test_changed_sla_keeps_last_months_attainment(engine, clock_at):
    clock_at(NOW)
    add(engine, [_incident(dt.datetime(2026, 11, 20, 20), 4), _incident(dt.datetime(2026, 11, 21, 20), 8)])
    add(engine, [_incident(dt.datetime(2026, 12, 2, 20), 4), _incident(dt.datetime(2026, 12, 3, 20), 8)])
    assert (_attainment(engine, LAST_MONTH), _attainment(engine, THIS_MONTH)) == (50.0, 50.0)

    assert inc.save_slas(engine, _with_simple_resolve(engine, 10), "t_admin") == "2026-12"

    assert _attainment(engine, LAST_MONTH) == 50.0  # November keeps the SLA of its time
    assert _attainment(engine, THIS_MONTH) == 100.0  # December uses the new one
    assert inc.sla_lookup(engine, "网络中断", "simple").resolve_minutes == 10
    assert inc.sla_lookup(engine, "网络中断", "simple", dt.datetime(2026, 11, 21)).resolve_minutes == 5
    november = inc.sla_table(engine, dt.datetime(2026, 11, 30))
    assert november[november["category"].isna() & (november["severity"] == "simple")][
        "resolve_minutes"
    ].tolist() == [5]


def test_sla_saved_again_in_the_same_month_replaces_that_version(engine, clock_at):
    clock_at(NOW)
    inc.save_slas(engine, _with_simple_resolve(engine, 10), "t_admin")
    inc.save_slas(engine, _with_simple_resolve(engine, 12), "t_admin")
    assert [(a.date(), b) for a, b in inc.sla_versions(engine)] == [
        (dt.date(2000, 1, 1), dt.datetime(2026, 12, 1)),
        (dt.date(2026, 12, 1), None),
    ]
    assert inc.sla_lookup(engine, "网络中断", "simple").resolve_minutes == 12


def test_sla_from_a_later_month_then_this_month_chains(engine, clock_at):
    clock_at(NOW)
    inc.save_slas(engine, _with_simple_resolve(engine, 20), "t_admin", "2027-02")
    inc.save_slas(engine, _with_simple_resolve(engine, 10), "t_admin")  # December, before February's
    at = {
        m: inc.sla_lookup(engine, "网络中断", "simple", when(m)).resolve_minutes
        for m in ("2026-11-30 23:00", "2027-01-31 23:00", "2027-02-01 00:00")
    }
    assert at == {"2026-11-30 23:00": 5, "2027-01-31 23:00": 10, "2027-02-01 00:00": 20}


@pytest.mark.parametrize("month", ["2026-11", "2026-13", "next", ""])
def test_sla_month_refused_and_nothing_stored(engine, clock_at, month):
    clock_at(NOW)
    before = inc.sla_versions(engine)
    with pytest.raises(settings.SettingsError) as caught:
        inc.save_slas(engine, _with_simple_resolve(engine, 10), "t_admin", month)
    assert caught.value.params["value"] == month
    assert "生效月份" in caught.value.message("zh") and "In force from" in caught.value.message("en")
    assert inc.sla_versions(engine) == before


def test_changed_tolerance_keeps_last_months_schedule_accuracy(engine, clock_at):
    clock_at(NOW)
    planned(engine, "2026-11-20 20:00")
    held(engine, "2026-11-20 20:20")  # 20 minutes late: within the match window, not on time
    planned(engine, "2026-12-03 20:00")
    held(engine, "2026-12-03 20:20")
    after = when("2026-12-10 12:00")

    def accuracy(day_from, day_to):
        return plan.compare(engine, day_from, day_to, after).accuracy

    nov, dec = (dt.date(2026, 11, 1), dt.date(2026, 11, 30)), (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert (accuracy(*nov), accuracy(*dec)) == (0.0, 0.0)
    settings.set_value(engine, "plan.on_time_minutes", "25", "t_admin")
    assert accuracy(*nov) == 0.0  # November is judged by the tolerance it had
    assert accuracy(*dec) == 1.0
    assert accuracy(dt.date(2026, 11, 1), dt.date(2026, 12, 31)) == 0.5  # each session by its own month


def test_changed_review_rule_moves_only_this_months_due_dates(engine, clock_at):
    clock_at(NOW)
    nov, dec = planned(engine, "2026-11-20 20:00"), planned(engine, "2026-12-20 20:00")
    settings.set_value(engine, "plan.review_days_before", "3", "t_admin")
    settings.set_value(engine, "plan.draft_days_before", "10", "t_admin", "2027-01")
    got = {
        r["id"]: (r["review_due"], r["draft_due"])
        for r in plan.schedule(engine, dt.date(2026, 11, 1), dt.date(2026, 12, 31), when(NOW))
    }
    assert got[nov] == (when("2026-11-19 00:00"), when("2026-11-14 00:00"))  # 2 and 7 days: November's
    assert got[dec] == (when("2026-12-18 00:00"), when("2026-12-14 00:00"))  # review 3 days from December
    assert plan.rules(engine).at(dt.date(2027, 1, 5)).draft_days_before == 10


def test_setting_stored_and_audited_with_who_and_month(engine, clock_at):
    clock_at(NOW)
    assert settings.set_value(engine, "plan.match_window_minutes", "45", "t_admin", "2027-01") == 45
    with engine.connect() as conn:
        row = conn.execute(sa.select(SettingValue.__table__)).one()
        audit = conn.execute(sa.select(AuditLog.action, AuditLog.username, AuditLog.detail)).all()
    assert (row.key, row.month_from, row.value, row.set_by) == (
        "plan.match_window_minutes",
        "2027-01",
        "45",
        "t_admin",
    )
    assert [(a, u, json.loads(d)) for a, u, d in audit] == [
        (
            "setting_set",
            "t_admin",
            {"key": "plan.match_window_minutes", "value": 45, "old": 30, "month_from": "2027-01"},
        )
    ]
    listed = {i["key"]: i for i in settings.listing(engine)}
    assert listed["plan.match_window_minutes"]["value"] == 30  # in force now: still the default
    assert listed["plan.match_window_minutes"]["versions"][0]["month_from"] == "2027-01"


@pytest.mark.parametrize(
    ("key", "value", "month", "code", "named"),
    [
        ("plan.on_time_minutes", "abc", None, "not_whole", ("准时容差", "abc")),
        ("plan.on_time_minutes", "2.5", None, "not_whole", ("准时容差", "2.5")),
        ("plan.match_window_minutes", "0", None, "out_of_range", ("匹配窗口", "0")),
        ("plan.match_window_minutes", "99999", None, "out_of_range", ("匹配窗口", "99999")),
        ("plan.on_time_minutes", "40", None, "order", ("准时容差", "40")),  # above the 30-minute window
        ("plan.review_days_before", "8", None, "order", ("脚本审核截止", "8")),  # after the 7-day draft
        ("plan.draft_days_before", "5", "2026-11", "month_past", ("生效月份", "2026-11")),
        ("plan.draft_days_before", "5", "2026/12", "bad_month", ("生效月份", "2026/12")),
        ("team.timezone", "Mars/Olympus", None, "bad_zone", ("团队时区", "Mars/Olympus")),
        ("team.timezone", "Asia/Tokyo", "2027-01", "not_versioned", ("团队时区", "2027-01")),
        ("no.such", "1", None, "unknown_key", ("no.such",)),
    ],
)
def test_bad_settings_refused_with_field_and_value(engine, clock_at, key, value, month, code, named):
    clock_at(NOW)
    with pytest.raises(settings.SettingsError) as caught:
        settings.set_value(engine, key, value, "t_admin", month)
    assert caught.value.code == code
    assert all(part in caught.value.message("zh") for part in named)
    assert value in caught.value.message("en") or (month or "") in caught.value.message("en")
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SettingValue)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(AuditLog)).scalar() == 0


def test_survey_thresholds_through_the_surveys_rule(engine):
    settings.set_value(engine, "surveys.comment_k", "12", "t_admin")
    settings.set_value(engine, "surveys.k", "6", "t_admin")
    listed = {i["key"]: i["value"] for i in settings.listing(engine)}
    assert (listed["surveys.k"], listed["surveys.comment_k"]) == (6, 12)
    with pytest.raises(Exception) as caught:  # the surveys' own refusal: comment K never below K
        settings.set_value(engine, "surveys.comment_k", "5", "t_admin")
    assert caught.value.code == "comment_k_too_low"


def test_time_zone_stored_and_read_by_the_clock(engine, monkeypatch):
    from zoneinfo import ZoneInfo

    from lib.core import clock

    monkeypatch.setenv("LIVEOPS_TIMEZONE", "Asia/Shanghai")
    assert clock.zone_name() == "Asia/Shanghai"  # nothing stored: the environment's zone
    settings.set_timezone(engine, "Asia/Tokyo", "t_admin")
    try:
        assert clock.zone_name() == "Asia/Tokyo" and clock.team_zone() == ZoneInfo("Asia/Tokyo")
        listed = {i["key"]: i["value"] for i in settings.listing(engine)}
        assert listed["team.timezone"] == "Asia/Tokyo"
    finally:
        clock.forget_stored_zone()
    monkeypatch.setenv("LIVEOPS_TIMEZONE", "Europe/Berlin")
    with engine.begin() as conn:  # the stored zone goes: the environment's is the default again
        conn.execute(sa.delete(AppSetting).where(AppSetting.key == clock.ZONE_SETTING))
    clock.forget_stored_zone()
    assert clock.zone_name() == "Europe/Berlin"
