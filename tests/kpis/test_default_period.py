"""Issue 11 item 4: a default period is never one day (the KPI page and the home page share it)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from lib import kpis, rollups
from lib.core.db import write
from lib.core.models import LiveSession
from lib.kpis import overview

D = dt.date


@pytest.mark.parametrize(
    ("today", "start", "end", "label"),
    [
        (D(2026, 12, 1), D(2026, 11, 1), D(2026, 11, 30), "kpis.period.previous_month_early"),
        (D(2026, 12, 6), D(2026, 11, 1), D(2026, 11, 30), "kpis.period.previous_month_early"),
        (D(2026, 12, 7), D(2026, 12, 1), D(2026, 12, 7), "kpis.period.month_to_date"),
        (D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31), "kpis.period.month_to_date"),
        (D(2027, 1, 1), D(2026, 12, 1), D(2026, 12, 31), "kpis.period.previous_month_early"),
        (D(2027, 3, 1), D(2027, 2, 1), D(2027, 2, 28), "kpis.period.previous_month_early"),
        (D(2028, 3, 1), D(2028, 2, 1), D(2028, 2, 29), "kpis.period.previous_month_early"),
    ],
)
def test_default_period(today, start, end, label):
    assert kpis.default_period(today) == (start, end, label)
    assert (end - start).days + 1 >= kpis.MIN_MONTH_DAYS
    view = kpis.view_from_params({}, today)
    assert (view["from"], view["to"]) == (start, end)  # the KPI page opens on it
    home = overview.period_of(dt.datetime.combine(today, dt.time(9)))
    assert (home.start, home.end) == (start, end)  # so does home
    assert kpis.default_note(view["preset"], start, end, today) == label


def test_a_chosen_period_is_not_called_the_default():
    today = D(2026, 12, 1)
    assert kpis.view_from_params({"preset": "this_month"}, today)["to"] == today  # asked for: kept
    assert kpis.default_note("this_month", today, today, today) is None
    assert kpis.default_note("custom", D(2026, 11, 1), D(2026, 11, 30), today) is None
    # a bad link falls back to the default period, not to one day
    assert kpis.view_from_params({"preset": "custom", "from": "x"}, today)["from"] == D(2026, 11, 1)


def test_previous_span_of_the_default_period():
    def previous(moment: str) -> tuple[str, str]:
        p = overview.period_of(dt.datetime.fromisoformat(moment))
        return p.previous_start.isoformat(), p.previous_end.isoformat()

    # early in a month: the whole last month against the whole month before it
    assert previous("2026-12-01T00:05") == ("2026-10-01T00:00:00", "2026-10-31T23:59:59")
    assert previous("2027-03-01T00:20") == ("2027-01-01T00:00:00", "2027-01-31T23:59:59")
    # month to date: the same elapsed part of last month, to the minute
    assert previous("2026-12-10T08:30:41") == ("2026-11-01T00:00:00", "2026-11-10T08:30:00")


def _session(engine, day: dt.date, gmv: float) -> None:
    with write(engine) as conn:
        conn.execute(
            insert(LiveSession).values(
                platform="douyin",
                account="a",
                room="r",
                host_name="h",
                started_at=dt.datetime.combine(day, dt.time(20)),
                started_on=day,
                gmv=gmv,
                viewers=1000,
                buyers=30,
            )
        )
        rollups.refresh_days(conn, [day])  # written straight into the table: its roll-up too


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_state_the_period_on_the_first(run_page, engine, clock_at, lang):
    clock_at("2026-12-01T09:00")
    _session(engine, D(2026, 11, 20), 50_000)
    _session(engine, D(2026, 12, 1), 7_000)  # today's session is not the default period
    kpi = run_page("kpis", "manager", lang=lang)
    assert not kpi.exception
    captions = [c.value for c in kpi.caption]
    expected = {
        "zh": "默认期间：2026-11-01 – 2026-11-30（上月，本月数据不足 7 天）",
        "en": "Default period: 2026-11-01 – 2026-11-30 (last month; this month has fewer than 7 days so far)",
    }[lang]
    assert expected in captions
    assert kpi.selectbox(key="kpis_preset").value == "last_month"
    if lang == "zh":  # (AppTest formats an untouched box's value outside the run: in the default language)
        kpi.selectbox(key="kpis_platform").set_value("douyin").run()  # another filter: the period stays
        assert kpi.selectbox(key="kpis_preset").value == "last_month"
        assert kpi.query_params["preset"] == "last_month"
    home = run_page("overview", "manager", lang=lang)
    assert not home.exception
    assert any(c.value.startswith("2026-11-01 – 2026-11-30") for c in home.caption)
    yesterday, month = [m for m in home.metric if m.label in ("成交金额", "GMV")]  # the two blocks, in order
    assert month.value == {"zh": "¥5万", "en": "¥50,000"}[lang]  # a Chinese tile reads 万 (issue 20)
    assert yesterday.value in ("暂无数据", "No data")  # nothing on 11-30


def test_kpi_page_mid_month_shows_month_to_date(run_page, engine, clock_at):
    clock_at("2026-12-09T09:00")
    _session(engine, D(2026, 12, 2), 8_000)
    at = run_page("kpis", "manager")
    assert not at.exception
    assert "默认期间：2026-12-01 – 2026-12-09（本月至今）" in [c.value for c in at.caption]
    at = run_page("kpis", "manager", query={"preset": "last_week"})
    assert not any(c.value.startswith("默认期间") for c in at.caption)
