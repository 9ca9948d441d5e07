"""What the messages say: the brief's figures are the home page's and the KPI page's (same functions,
same numbers), a staff channel never gets managers' figures, and survey notices never carry results."""

from __future__ import annotations

import datetime as dt

import pytest

from lib import kpis, notify
from lib.core import clock
from lib.core.formatting import format_metric
from lib.demo import load_demo
from tests.notify.notify_testdata import channel, rule

MORNING = "2026-12-07T09:40:00"


@pytest.fixture
def demo(engine, clock_at):
    clock_at(MORNING)
    load_demo(engine, months=2, sessions=600, seed=7)
    return engine


def _sent(robot, kind):
    return [h.body for h in robot.delivered(kind)]


def test_brief_figures_are_the_home_pages_and_the_kpi_pages(demo, robot):
    engine = demo
    rule(engine, "brief", channel(engine, robot, "webhook"), at="09:30")
    rule(engine, "brief", channel(engine, robot, "wecom"), at="09:30")
    assert [r["status"] for r in notify.run_due(engine)] == ["sent", "sent"]
    [hook] = _sent(robot, "webhook")
    today = clock.today()
    home = kpis.overview_json(engine, clock.now())  # what `overview --json` and the home page show
    assert hook["data"]["tiles"] == {t["metric"]: t["actual"] for t in home["tiles"]}
    assert any(v for v in hook["data"]["tiles"].values())  # the demo has figures: not a vacuous match
    day = today - dt.timedelta(days=1)
    kpi_page = kpis.period_figures(engine, kpis.Filters(day, day), kpis.TILE_METRICS)
    assert hook["data"]["yesterday"] == {k: kpi_page.get(k) for k in kpis.TILE_METRICS}
    [wecom] = _sent(robot, "wecom")
    text = wecom["markdown"]["content"]
    for tile in home["tiles"]:
        assert format_metric(tile["metric"], tile["actual"], "zh") in text
    assert f"preset=custom&from={day}&to={day}" in text  # the KPI page on yesterday


def test_staff_channel_never_gets_managers_figures(demo, robot):
    engine = demo
    rule(
        engine,
        "brief",
        channel(engine, robot, "webhook", "staff-group", "tok-staff"),
        at="09:30",
        audience="staff",
    )
    rule(
        engine,
        "brief",
        channel(engine, robot, "webhook", "lead-group", "tok-lead"),
        at="09:30",
        audience="manager",
    )
    notify.run_due(engine)
    by_token = {h.path.rsplit("/", 1)[1]: h.body for h in robot.delivered("webhook")}
    staff, lead = by_token["tok-staff"], by_token["tok-lead"]
    flags = kpis.recent_flags(engine, clock.now())
    assert flags, "the demo has red flags: the check below is not vacuous"
    staff_text, lead_text = "\n".join(staff["lines"]), "\n".join(lead["lines"])
    assert flags[0]["group"] in lead_text and "红旗" in lead_text
    assert "红旗" not in staff_text and "待审批" not in staff_text
    assert not any(f["group"] in staff_text and kpis.flag_reason(f, "zh") in staff_text for f in flags)
    assert "approvals" in lead["data"] and "approvals" not in staff["data"]
    assert not any(
        "kpis?preset=custom&from" in link["url"] and "to=" in link["url"] and link["label"] == "查看红旗"
        for link in staff["links"]
    )


def test_manager_only_messages_refuse_a_staff_audience(engine, robot):
    name = channel(engine, robot, "wecom")
    for message in ("flags", "approval"):
        with pytest.raises(notify.NotifyError) as err:
            rule(engine, message, name, audience="staff")
        assert err.value.code == "audience_too_low"


FRIDAY = "2026-12-04T17:40:00"


def test_weekly_report_on_friday_with_the_kpi_pages_figures(engine, robot, clock_at):
    clock_at(FRIDAY)
    load_demo(engine, months=2, sessions=600, seed=7)
    rule(engine, "weekly", channel(engine, robot, "webhook"), at="17:30")
    [sent] = notify.run_due(engine)
    assert sent["status"] == "sent" and "|weekly:2026-W49|" in sent["key"]
    [body] = _sent(robot, "webhook")
    week = kpis.Filters(dt.date(2026, 11, 30), dt.date(2026, 12, 4))
    figures = kpis.period_figures(engine, week, kpis.TILE_METRICS)
    assert body["data"]["total"] == {k: figures.get(k) for k in kpis.TILE_METRICS}
    assert body["data"]["total"]["gmv"]  # the demo week has sales
    assert body["data"]["hosts"] == len(kpis.group_rows(engine, week, "host"))
    assert body["title"] == "周报 2026-11-30 – 2026-12-04"
    assert "preset=custom&from=2026-11-30&to=2026-12-04&by=host" in body["links"][0]["url"]
    assert notify.run_due(engine)[0]["status"] == "already_sent"


def test_weekly_is_not_due_before_friday_or_for_staff(engine, robot, clock_at):
    clock_at("2026-12-03T17:40:00")
    name = channel(engine, robot, "wecom")
    rule(engine, "weekly", name, at="17:30")
    assert notify.run_due(engine) == []
    with pytest.raises(notify.NotifyError) as err:
        rule(engine, "weekly", name, at="17:30", audience="staff")
    assert err.value.code == "audience_too_low"


def test_a_day_without_sessions_shows_no_target_against_nothing(engine, robot, clock_at):
    clock_at(MORNING)
    rule(engine, "brief", channel(engine, robot, "webhook"), at="09:30")
    notify.run_due(engine)
    [body] = _sent(robot, "webhook")
    assert "暂无数据" in body["lines"][0] and "目标" not in body["lines"][0]
    week = notify.weekly_message(engine, notify.weekly_report(engine, clock.today()), "zh")
    assert "目标" not in week.lines[0]
