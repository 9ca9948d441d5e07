"""Browser: the review page (curves with the incident span, retention, Top 5, sources), the PK page and the
products page on the sample week, at desktop (1440×900) and phone (390×844) width, with screenshots in
tests/e2e/artifacts/."""

from __future__ import annotations

import pytest

from lib.core.formatting import format_value
from tests.e2e.conftest import ARTIFACTS, arrive_logged_in, no_exception
from tests.review.review_data import XY_1102, XY_1103, load_review_week, truth_of

pytestmark = pytest.mark.e2e
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.fixture
def review_server(engine, database_url, start_server, users):
    ids = load_review_week(engine)
    return start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "review-e2e-" + "k" * 40}), ids


def _open(page, url: str, title: str, charts: int) -> None:
    page.goto(url)
    page.wait_for_selector(f"h1:has-text('{title}')")
    page.wait_for_function(
        'n => document.querySelectorAll(\'[data-testid="stVegaLiteChart"] canvas, '
        '[data-testid="stVegaLiteChart"] svg\').length >= n',
        arg=charts,
    )
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")
    no_exception(page)


def _tall(page, width: int) -> None:
    """Make the viewport as tall as the page (Streamlit scrolls inside its own container, so a full-page
    screenshot would stop at the window)."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(int(height) + 100, 12000)})
    page.wait_for_timeout(1500)  # the charts redraw at the new size


@pytest.mark.parametrize("size", list(SIZES))
def test_review_pk_and_products_pages_in_the_browser(review_server, browser, users, size):
    server, ids = review_server
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(45_000)
    arrive_logged_in(page, server, users["manager"])

    _open(page, f"{server.url}/session_detail?session={ids[XY_1102]}", "单场详情与复盘", 4)
    body = page.inner_text("body")
    record = truth_of(XY_1102)
    minutes = record["minutes"]
    page.locator('[data-testid="stMetric"]:has-text("留存 · 全场")').wait_for()
    tiles = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    for length in (5, 15, len(minutes)):  # retention (seed 000): person-minutes / visits / minutes on air
        rows = minutes[:length]
        visits = rows[0]["online"] + sum(m["entering"] for m in rows[1:])
        assert format_value(sum(m["online"] for m in rows) / visits / length, "pct", "zh") in tiles
    assert "在线人数相对开场" in page.inner_text("body")  # the old ratio, named as what it is
    for text in ("分钟曲线", "留存分段", "Top 5 商品", "流量来源", "最大在线下滑", "红色区域"):
        assert text in body, text
    picker = page.locator('[data-testid="stSelectbox"] input').first.input_value()
    assert "2026-11-02 20:00" in picker and "林晓雨" in picker  # the linked session, not the latest
    page.screenshot(path=str(ARTIFACTS / f"review_session_{size}.png"))
    retention = page.get_by_role("heading", name="留存分段")
    retention.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / f"review_retention_{size}.png"))
    _tall(page, width)
    page.screenshot(path=str(ARTIFACTS / f"review_session_{size}_full.png"))

    page.set_viewport_size({"width": width, "height": height})
    page.get_by_role("link", name="与另一场 PK").click()  # the review page's link carries the session
    page.wait_for_selector("h1:has-text('直播PK')")
    page.wait_for_url(f"**/session_pk?session={ids[XY_1102]}*")
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")
    no_exception(page)

    _open(page, f"{server.url}/session_pk?session={ids[XY_1103]}", "直播PK", 3)
    assert f"vs={ids[XY_1102]}" in page.url  # B defaults to the host's previous session
    assert "总量对比" in page.inner_text("body")
    _tall(page, width)
    page.screenshot(path=str(ARTIFACTS / f"review_pk_{size}_full.png"))

    _open(page, f"{server.url}/products?from=2026-11-02&to=2026-11-08&product=3712052", "商品分析", 1)
    assert "哪位主播卖得最好" in page.inner_text("body")
    _tall(page, width)
    page.screenshot(path=str(ARTIFACTS / f"review_products_{size}_full.png"))
    context.close()
