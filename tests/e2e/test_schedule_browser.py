"""The schedule page in a browser: a day's plan on a phone (390 x 844, a tap opens the editor) and the
rooms × days grid on a desktop (1440 x 900); screenshots in tests/e2e/artifacts."""

from __future__ import annotations

import pytest

from lib import plan
from tests.e2e.conftest import ARTIFACTS, no_exception
from tests.e2e.test_incidents_phone import open_page

pytestmark = pytest.mark.e2e
SAMPLE = "schedule_2026-11-02_2026-11-08.csv"
ENV = {
    "LIVEOPS_COOKIE_KEY": "schedule-e2e-cookie-key-0123456789abcdef",
    "LIVEOPS_TEST_NOW": "2026-11-04T09:00:00",
}


def _context(browser, width: int, height: int, mobile: bool):
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", is_mobile=mobile
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def _seed(engine, samples):
    checked, ref = plan.import_schedule(engine, (samples / SAMPLE).read_bytes(), SAMPLE, "t_manager")
    assert ref is not None, checked.errors


def test_day_plan_on_a_phone_and_week_grid_on_a_desktop(
    engine, database_url, users, samples, start_server, browser
):
    _seed(engine, samples)
    server = start_server(database_url, env=ENV)
    context, phone = _context(browser, 390, 844, True)
    open_page(phone, server, "", users["manager"])
    open_page(phone, server, "schedule", users["manager"])
    phone.get_by_text("直播排期").first.wait_for()
    card = phone.get_by_text(
        "20:30–00:30+1 · 淘宝 佳怡生活馆 · 孙佳怡", exact=True
    )  # the card, not the missing-scripts line
    card.wait_for()  # Wednesday 2026-11-04 is "today" on the server's clock
    phone.get_by_text("11-04 周三").first.wait_for()
    phone.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")
    no_exception(phone)
    phone.screenshot(path=str(ARTIFACTS / "schedule_phone_day.png"), full_page=True)
    phone.locator(".st-key-plan_edit_" + str(_id_of(engine, "孙佳怡", "2026-11-04 20:30"))).get_by_role(
        "button"
    ).click()
    phone.get_by_text("编辑排期").wait_for()
    phone.get_by_label("主播").wait_for()
    no_exception(phone)
    phone.screenshot(path=str(ARTIFACTS / "schedule_phone_editor.png"), full_page=True)
    context.close()

    context, desk = _context(browser, 1440, 900, False)
    open_page(desk, server, "schedule", users["manager"])
    desk.get_by_role("tab", name="本周总览").click()
    desk.locator('[data-testid="stDataFrame"]').first.wait_for()
    no_exception(desk)
    desk.screenshot(path=str(ARTIFACTS / "schedule_desktop_week.png"), full_page=False)
    context.close()


def _id_of(engine, host: str, start: str) -> int:
    import datetime as dt

    day = dt.date.fromisoformat(start[:10])
    rows = plan.schedule(engine, day, day, dt.datetime.fromisoformat(start))
    return next(
        r["id"] for r in rows if r["host_name"] == host and f"{r['starts_at']:%Y-%m-%d %H:%M}" == start
    )
