"""Browser, issue 20: at 08:30 on the 7th the manager's first screen answers yesterday (against the same
weekday last week) and the month to date, each saying the exact span compared; the KPI page's "this month"
says it too. At 1440×900 and 390×844; screenshots in tests/e2e/artifacts/compare_*.png."""

from __future__ import annotations

import datetime as dt

import pytest

from lib import kpis
from lib.core.formatting import format_metric_compact
from tests.e2e.conftest import ARTIFACTS, SIZES, arrive_logged_in, no_exception, serve_demo_at, wait_idle

pytestmark = pytest.mark.e2e

NOW = "2026-12-07T08:30"  # a Monday morning: yesterday is Sunday 12-06
MONTH_COMPARE = "对比 11-01 00:00 – 11-07 08:30（上月同期）"


@pytest.fixture
def demo_server(engine, database_url, start_server, clock_at):
    return serve_demo_at(engine, database_url, start_server, clock_at, NOW, months=2)


@pytest.mark.parametrize("size", list(SIZES))
def test_first_screen_answers_yesterday_then_the_month(demo_server, engine, browser, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(45_000)
    arrive_logged_in(page, demo_server, "manager")
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_selector(".st-key-home_yesterday_gmv [data-testid='stMetricValue']")
    wait_idle(page)
    no_exception(page)

    body = page.inner_text("body")
    assert "昨日 12-06（周日）" in body and "对比 2026-11-29（上周同日）与目标" in body
    assert MONTH_COMPARE in body
    moment = dt.datetime.fromisoformat(NOW)
    yesterday = {t.metric: t for t in kpis.yesterday_tiles(engine, moment)}
    shown = page.locator(".st-key-home_yesterday_gmv [data-testid='stMetricValue']").inner_text()
    assert shown == format_metric_compact("gmv", yesterday["gmv"].actual, "zh")  # 万 on a Chinese tile
    box = page.locator(".st-key-home_yesterday_gmv").bounding_box()
    assert box["y"] + box["height"] <= height  # yesterday's GMV tile is whole on the first screen
    page.screenshot(path=str(ARTIFACTS / f"compare_home_{size}.png"))
    tall = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": max(height, tall + 50)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"compare_home_{size}_full.png"))
    page.set_viewport_size({"width": width, "height": height})

    page.goto(demo_server.url + "/kpis?preset=this_month")
    page.wait_for_selector("h1:has-text('直播数据 vs 目标')")
    page.wait_for_selector('[data-testid="stMetricValue"]')
    wait_idle(page)
    no_exception(page)
    month = kpis.period_filters(dt.date(2026, 12, 1), dt.date(2026, 12, 7), moment, "month")
    sessions = kpis.kpi_view(engine, month).sessions
    assert f"2026-12-01 至 2026-12-07 08:30（含）· {sessions} 场直播" in page.inner_text("body")
    assert MONTH_COMPARE in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / f"compare_kpis_{size}.png"))
    context.close()
