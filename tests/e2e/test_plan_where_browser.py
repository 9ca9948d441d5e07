"""Browser: where the plan shows, on the demo data at a fixed clock, at 390×844 and 1440×900 — a
session's review page with its plan block (plan beside what happened) and the home page with the demo
operations lead's missing forecasts in "what needs me now" and today's plan. Screenshots in
tests/e2e/artifacts/plan_*.png."""

from __future__ import annotations

import datetime as dt

import pytest

from lib import plan
from tests.e2e.conftest import ARTIFACTS, SIZES, arrive_logged_in, no_exception, serve_demo_at, wait_idle

pytestmark = pytest.mark.e2e
NOW = "2026-11-24T20:30"


@pytest.fixture
def demo_server(engine, database_url, start_server, clock_at):
    return serve_demo_at(engine, database_url, start_server, clock_at, NOW, months=1)


def _late_session(engine) -> tuple[int, int]:
    """A held session that matched its plan but not as planned, with a forecast: (session, planned)."""
    now = dt.datetime.fromisoformat(NOW)
    found = plan.compare(engine, now.date() - dt.timedelta(days=14), now.date(), now)
    match = next(m for m in found.matches if not m.as_planned and m.planned.forecast_gmv is not None)
    return match.held.id, match.planned.id


@pytest.mark.parametrize("size", list(SIZES))
def test_review_plan_block_and_home_needs_me(demo_server, engine, browser, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(45_000)
    arrive_logged_in(page, demo_server, "manager")
    page.set_viewport_size({"width": width, "height": height})

    card = page.locator(".st-key-home_plan")
    card.wait_for()
    wait_idle(page)
    no_exception(page)
    text = card.inner_text()
    assert "排期待办" in text and "缺预估（GMV / 观看人数）" in text
    assert page.get_by_text("今日排期").count() == 1
    card.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / f"plan_home_{size}.png"))

    session_id, _planned_id = _late_session(engine)
    page.goto(f"{demo_server.url}/session_detail?session={session_id}")
    block = page.locator(".st-key-review_plan")
    block.wait_for()
    wait_idle(page)
    no_exception(page)
    shown = block.inner_text()
    assert "未按计划" in shown and "运营负责人" in shown
    block.scroll_into_view_if_needed()  # a table draws once it is on screen
    block.locator('[data-testid="stDataFrame"]').wait_for()  # the plan beside what happened
    box = block.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1  # no sideways scrolling on a phone
    page.wait_for_timeout(500)
    block.screenshot(path=str(ARTIFACTS / f"plan_review_block_{size}.png"))
    page.screenshot(path=str(ARTIFACTS / f"plan_review_{size}.png"))

    page.goto(f"{demo_server.url}/schedule")  # scripts missing today and tomorrow, by content owner
    now = dt.datetime.fromisoformat(NOW)
    owners = plan.duties.missing_scripts(engine, now.date(), now)
    assert owners  # the demo leaves some of tomorrow's scripts unreviewed
    missing = page.locator(".st-key-plan_missing")
    missing.wait_for()
    wait_idle(page)
    no_exception(page)
    for owner, rows in owners.items():
        assert f"{owner}：{len(rows)} 场" in missing.inner_text()
    missing.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / f"plan_missing_scripts_{size}.png"))
    context.close()
