"""Browser, on the demo data on the 7th at 08:30, at a phone's 390x844 and a desktop's 1440x900: the KPI
tiles and ranking read month targets with pacing (时间进度 vs 完成进度, red when behind), the home page's
month-to-date block too, and the targets page lists and offers period targets. Screenshots go to
tests/e2e/artifacts/targets-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from lib import kpis
from lib import targets as tg
from lib.demo import load_demo
from tests.e2e.conftest import ARTIFACTS, arrive_logged_in, go_to, no_exception
from tests.e2e.test_phone_layout import assert_no_sideways_scroll, settle

pytestmark = pytest.mark.e2e
NOW = "2026-12-07T08:30:00"


@pytest.fixture
def paced_server(engine, database_url, start_server, clock_at):
    clock_at(NOW)  # the demo data, the targets and the server all on the 7th at 08:30
    load_demo(engine)
    start, end = dt.date(2026, 12, 1), dt.date(2026, 12, 7)
    row = kpis.period_figures(engine, kpis.Filters(start, end), ("gmv",))
    # the whole team behind pace (15 % done, 20.5 % of the month gone); 林晓雨 ahead of it (30 % done)
    tg.set_period_target(engine, "manager", "gmv", "2026-12", "all", "", round(row["gmv"] / 0.15, -3))
    hosts = dict((name, pid) for pid, name in tg.host_choices(engine))
    lin = kpis.period_figures(engine, kpis.Filters(start, end, host="林晓雨"), ("gmv",))
    tg.set_period_target(
        engine, "manager", "gmv", "2026-12", "person", hosts["林晓雨"], round(lin["gmv"] / 0.3, -3)
    )
    return start_server(database_url)


def test_pacing_on_kpi_home_and_targets_pages(paced_server, sized):
    size, page = sized
    arrive_logged_in(page, paced_server, "manager")
    page.goto(f"{paced_server.url}/kpis")
    page.locator('[data-testid="stMetricValue"]').first.wait_for()
    settle(page)
    no_exception(page)
    assert_no_sideways_scroll(page)
    gmv_tile = page.locator(".st-key-kpis_tile_gmv")
    expect(gmv_tile).to_contain_text("2026-12 月目标")
    expect(gmv_tile).to_contain_text("时间进度 20.")
    expect(gmv_tile).to_contain_text("完成进度 15.0%")
    expect(gmv_tile).to_contain_text("落后于时间进度")  # the badge, red
    expect(page.locator(".st-key-kpis_tile_viewers")).to_contain_text("单场目标")
    page.screenshot(path=str(ARTIFACTS / f"targets-kpis-{size}.png"))
    page.get_by_role("heading", name="排行", exact=True).scroll_into_view_if_needed()
    ranking = page.locator('[data-testid="stDataFrame"]').filter(
        has=page.locator('[role="columnheader"]', has_text="查看")
    )
    ranking.first.scroll_into_view_if_needed()
    if size == "desktop":  # a phone's grid draws only the columns in view (GMV and its achievement)
        expect(ranking.locator('[role="columnheader"]', has_text="时间进度")).to_have_count(
            1
        )  # a canvas: its accessible cells
        expect(ranking.locator('[role="row"]', has_text="林晓雨")).to_contain_text("周期目标")
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"targets-kpis-ranking-{size}.png"))

    go_to(page, "总览")
    page.locator(".st-key-home_tile_gmv").wait_for()
    settle(page)
    no_exception(page)
    expect(page.locator(".st-key-home_tile_gmv")).to_contain_text("时间进度")
    page.locator(".st-key-home_tile_gmv").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"targets-home-{size}.png"))

    go_to(page, "目标设置")
    page.locator("h1:has-text('目标管理')").wait_for()
    settle(page)
    page.locator("h1:has-text('目标管理')").scroll_into_view_if_needed()
    no_exception(page)
    assert_no_sideways_scroll(page)
    expect(page.get_by_text("周期目标（月度 / 季度总量）")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"targets-page-{size}.png"))
