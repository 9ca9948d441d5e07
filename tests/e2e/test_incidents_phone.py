"""Browser at a phone-sized viewport (390 x 844): log an incident, resolve it, see it in the report."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lib.core.models import Incident
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import (  # noqa: F401
    ARTIFACTS,
    CHROMIUM_ARGS,
    no_exception,
    settle_after_login,
    wait_idle,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def open_page(page, server, page_key: str, username: str) -> None:
    """Open a deep link: a full page load starts a new session, which the login cookie may or may not
    log in; if the login form shows, log in and the app goes on to the requested page."""
    page.goto(f"{server.url}/{page_key}")
    box = page.get_by_role("textbox", name="用户名")
    box.or_(page.locator(".st-key-logout_button")).first.wait_for(state="attached")
    if box.count():  # else the login cookie logged this new session in already
        box.fill(username)
        page.get_by_role("textbox", name="密码").fill(TEST_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.locator(".st-key-logout_button").wait_for(state="attached")
        settle_after_login(page)
    page.locator(".st-key-logout_button").wait_for(state="attached")


def test_log_resolve_and_report_on_a_phone(engine, database_url, users, start_server, phone):
    server = start_server(
        database_url, env={"LIVEOPS_COOKIE_KEY": "incidents-e2e-cookie-key-0123456789abcdef"}
    )
    open_page(phone, server, "", users["manager"])  # app.py first: a fresh server shows a page's login wall
    open_page(phone, server, "incidents", users["manager"])
    phone.get_by_role("tab", name="登记问题").wait_for()
    phone.get_by_label("问题描述").fill("推流中断，已切换备用线路")
    phone.get_by_role("button", name="保存问题").click()
    phone.locator('[data-testid="stAlertContentSuccess"]').wait_for()
    assert "已保存问题" in phone.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    no_exception(phone)
    phone.screenshot(path=str(ARTIFACTS / "incidents_phone_logged.png"), full_page=True)
    with engine.connect() as conn:
        (row,) = conn.execute(
            select(Incident.id, Incident.responded_at, Incident.resolved_at, Incident.created_by)
        ).all()
    assert row.responded_at is None and row.resolved_at is None and row.created_by == users["manager"]

    phone.get_by_role("tab", name="更新未解决问题").click()
    # nothing is pre-filled: the handler taps "现在" for the response, then for the resolution
    for moment in ("responded", "resolved"):
        wait_idle(phone)
        # While a rerun draws, the old widget may still be there beside the new one (marked stale).
        box = phone.locator(f'.st-key-upd_{moment}_{row.id}:not([data-stale="true"]) input').first
        expect(box).to_have_value("")
        phone.locator(f".st-key-upd_{moment}_{row.id}_now").get_by_role("button", name="现在").click()
        expect(box).not_to_have_value("")
        phone.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")
    phone.get_by_role("button", name="保存更新").click()
    phone.get_by_text("已更新问题").wait_for()
    no_exception(phone)
    with engine.connect() as conn:
        assert conn.execute(select(Incident.resolved_at)).scalar() is not None

    open_page(phone, server, "incident_report", users["manager"])
    phone.locator('[data-testid="stMetric"]:has-text("SLA 达标率")').wait_for()
    no_exception(phone)
    values = phone.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert values[:2] == ["1", "0"]  # one incident, none open
    assert values[3] == "100.0%"  # resolved within its SLA (the one formatter: one decimal)
    phone.locator('[data-testid="stDataFrame"]').first.wait_for()  # the figures (a canvas grid)
    assert phone.locator('[data-testid="stDataFrame"]').count() == 1
    body = phone.inner_text("body")
    assert "超时清单（含原因） (0)" in body and "未解决问题 (0)" in body
    phone.screenshot(path=str(ARTIFACTS / "incidents_phone_report.png"), full_page=True)
