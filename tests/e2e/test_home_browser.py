"""Browser: the home page as the demo manager at 1440×900 and on a phone (390×844): yesterday and the month
come first, then what needs me now with its counts; a period tile opens the KPI page on the same period; the red-flag link lands on the
KPI page's red flags for the same week. Screenshots in tests/e2e/artifacts/home_*.png."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest

from lib import kpis
from lib.core.i18n import translate
from tests.e2e.conftest import ARTIFACTS, SIZES, arrive_logged_in, no_exception, serve_demo_at

pytestmark = pytest.mark.e2e

NOW = "2026-11-24T20:30"
TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def demo_server(engine, database_url, start_server, clock_at):
    return serve_demo_at(engine, database_url, start_server, clock_at, NOW, months=2)


def zh(key: str, **params) -> str:
    return translate(key, "zh", **params)


@pytest.mark.parametrize("size", list(SIZES))
def test_home_needs_me_then_tiles_drill_down(demo_server, engine, browser, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(45_000)
    arrive_logged_in(page, demo_server, "manager")  # at 1440 px, then the size under test
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_selector(".st-key-home_flags")
    page.wait_for_selector('[data-testid="stMetricValue"]')
    page.wait_for_timeout(800)
    no_exception(page)

    start = TODAY - dt.timedelta(days=6)
    flags = kpis.recent_flags(engine, dt.datetime.fromisoformat(NOW))
    head = page.locator(".st-key-home_flags").inner_text()
    assert zh("overview.flags_head", n=len(flags), days=7, start=start, end=TODAY).replace("**", "") in head
    for key in ("incidents", "approvals", "items", "survey"):
        assert page.locator(f".st-key-home_{key}").count() == 1, key
    # A manager's first screen answers first (issue 20): yesterday, then the month, then what needs me.
    needs_y = page.locator(".st-key-home_flags").bounding_box()["y"]
    tiles_y = page.locator(".st-key-home_tile_gmv").bounding_box()["y"]
    yesterday_y = page.locator(".st-key-home_yesterday_gmv").bounding_box()["y"]
    assert yesterday_y < tiles_y < needs_y
    assert yesterday_y + 150 < height  # yesterday's GMV is on the first screen, on the phone too
    page.screenshot(path=str(ARTIFACTS / f"home_manager_{size}.png"))  # the first screen
    # The app scrolls inside its own container: a tall window shows the whole page in one picture.
    tall = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    print(f"home page at {width}px: {tall} px tall, first card at y={needs_y:.0f}")
    page.set_viewport_size({"width": width, "height": max(height, tall + 50)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"home_manager_{size}_full.png"))
    page.set_viewport_size({"width": width, "height": height})

    page.locator(".st-key-home_tile_gmv a").click()
    page.wait_for_selector("h1:has-text('直播数据 vs 目标')")
    page.wait_for_selector('[data-testid="stMetricValue"]')
    no_exception(page)
    query = parse_qs(urlparse(page.url).query)
    assert query.get("preset") == ["this_month"] and query.get("metric") == ["gmv"]
    period = kpis.period_of(dt.datetime.fromisoformat(NOW))
    body = page.inner_text("body")
    assert f"{period.start} – {period.end}" in body  # the KPI page names the same period
    page.screenshot(path=str(ARTIFACTS / f"home_tile_to_kpis_{size}.png"))
    context.close()


def test_red_flags_link_lands_on_the_same_week(demo_server, engine, page):
    arrive_logged_in(page, demo_server, "manager")
    page.locator(".st-key-home_flags a").click()
    page.wait_for_selector("h1:has-text('直播数据 vs 目标')")
    page.get_by_text(zh("kpis.flags"), exact=True).wait_for()
    no_exception(page)
    query = parse_qs(urlparse(page.url).query)
    start = TODAY - dt.timedelta(days=6)
    assert query.get("from") == [str(start)] and query.get("to") == [str(TODAY)]
