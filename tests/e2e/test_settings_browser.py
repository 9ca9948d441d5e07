"""Browser, on the demo data, at a phone's 390x844 and a desktop's 1440x900: the admin opens the settings
page from the navigation, renames a team, and changes a schedule rule from next month; every tab shows
without sideways scrolling. Screenshots go to tests/e2e/artifacts/settings-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from lib import plan, settings
from lib.demo import load_demo
from tests.e2e.conftest import ARTIFACTS, arrive_logged_in, go_to, no_exception
from tests.e2e.test_phone_layout import assert_no_sideways_scroll, settle

pytestmark = pytest.mark.e2e
NOW = "2026-12-07T08:30:00"


@pytest.fixture
def demo_server(engine, database_url, start_server, clock_at):
    clock_at(NOW)
    load_demo(engine)
    return start_server(database_url)


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    settle(page)
    no_exception(page)


def test_admin_changes_settings(demo_server, sized, engine):
    size, page = sized
    arrive_logged_in(page, demo_server, "admin")
    go_to(page, "系统设置")
    page.locator("h1:has-text('系统设置')").wait_for()
    settle(page)
    no_exception(page)
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / f"settings-org-{size}.png"), full_page=True)

    team = page.locator(".st-key-set_team_ren_name input")
    team.fill(f"直播一组-{size}")
    page.locator(".st-key-set_team_ren_go button").click()
    expect(page.get_by_text(f"已改名为：直播一组-{size}")).to_be_visible()
    assert f"直播一组-{size}" in [r["name"] for r in settings.named_rows(engine, "team")]

    _tab(page, "排期规则")
    page.locator(".st-key-set_plan_month").click()
    page.get_by_role("option", name="2027-01").click()
    settle(page)
    box = page.locator(".st-key-set_plan_on_time_minutes_2027-01 input")
    box.fill("12")
    box.press("Enter")
    settle(page)
    page.locator(".st-key-set_plan_go button").click()
    expect(page.get_by_text("已保存 1 项，2027-01 起生效。")).to_be_visible()
    assert plan.rules(engine).at(dt.date(2027, 1, 1)).on_time == dt.timedelta(minutes=12)
    assert plan.rules(engine).at(dt.date(2026, 12, 1)).on_time == dt.timedelta(minutes=10)
    settle(page)
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / f"settings-plan-{size}.png"), full_page=True)

    for name, shot in (("问题类型与 SLA", "incidents"), ("时区与问卷", "team"), ("变更记录", "history")):
        _tab(page, name)
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"settings-{shot}-{size}.png"), full_page=True)
