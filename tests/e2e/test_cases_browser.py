"""Browser: a manager starts a review from a session's page ("复盘本场"); the staff member it is shared with
opens the link, fills it in and submits; the manager publishes; anyone finds it by a Chinese word. A
`<script>` and an `<img onerror>` typed into the case show as text and never run."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lib.core.db import now, write
from lib.core.models import User
from tests.cases.case_data import add_people, add_session
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import ARTIFACTS, go_to, no_exception, settle_after_login, wait_idle

pytestmark = pytest.mark.e2e

HOSTILE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


def _context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(45_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return context, page, dialogs


def _login(page, url: str, username: str) -> None:
    page.goto(url)
    page.wait_for_selector('[data-testid="stForm"]')
    page.wait_for_timeout(1000)  # let the login view settle (a deep link is remembered meanwhile)
    wait_idle(page)
    page.get_by_role("textbox", name="用户名").fill(username)
    page.get_by_role("textbox", name="密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator(".st-key-logout_button").wait_for()
    settle_after_login(page)


def _nav(page, label: str, path: str) -> None:
    """Open a page through the menu once the app is idle (the post-login rerun is over)."""
    wait_idle(page)
    go_to(page, label)
    page.wait_for_url(f"**/{path}*")


def test_review_from_session_to_published_and_found(engine, database_url, users, start_server, browser):
    people = add_people(engine)
    day = now().date() - dt.timedelta(days=1)
    add_session(engine, people["林晓雨"], "林晓雨", day - dt.timedelta(days=7), 100_000, 5000, 150)
    add_session(engine, people["林晓雨"], "林晓雨", day, 130_000, 6500, 260)
    with write(
        engine
    ) as conn:  # the staff login is the host 林晓雨 (staff write up the sessions they hosted)
        conn.execute(
            sa.update(User).where(User.username == users["staff"]).values(person_id=people["林晓雨"])
        )
    server = start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "cases-e2e-cookie-key-" + "c" * 32})

    # 1. manager: session detail -> 复盘本场 -> a pre-filled editor
    mctx, manager, m_dialogs = _context(browser)
    _login(manager, server.url, users["manager"])
    _nav(manager, "单场详情", "session_detail")
    manager.get_by_role("link", name="复盘本场").click()
    title_box = manager.get_by_role("textbox", name="标题")
    # (the editor's widgets get their values a moment after they appear: expect() polls)
    expect(title_box).to_have_value(re.compile("林晓雨"))
    expect(manager.get_by_role("textbox", name="背景")).to_have_value(re.compile("¥130,000"))
    no_exception(manager)
    review_link = manager.url
    assert "new_from_session=" in review_link
    manager.screenshot(path=str(ARTIFACTS / "cases_prefilled.png"), full_page=True)

    # 2. staff opens the shared link, fills the review in and submits it
    sctx, staff, s_dialogs = _context(browser)
    _login(staff, server.url + "/cases?" + review_link.split("?", 1)[1], users["staff"])
    title_box = staff.get_by_role("textbox", name="标题")
    expect(title_box).to_have_value(re.compile("林晓雨"))
    expect(staff.get_by_role("textbox", name="背景")).to_have_value(re.compile("¥130,000"))
    title_box.fill("整点福袋复盘 " + HOSTILE)
    staff.get_by_role("textbox", name="亮点").fill("**整点福袋** 带动 UV 提升 30%\n\n" + HOSTILE)
    staff.get_by_role("textbox", name="不足").fill("3 款产品讲解超时")
    staff.get_by_role("textbox", name="改进措施").fill("- 优化脚本时长\n- 设置倒计时提醒")
    staff.get_by_role("textbox", name="标签").fill("福袋，UV")
    staff.get_by_role("textbox", name="任务").fill("完成话术培训")
    staff.get_by_role("textbox", name="改进措施").press("Tab")
    staff.get_by_role("button", name="保存并提交审核").click()
    staff.locator('[data-testid="stAlertContentSuccess"]', has_text="已保存并提交审核").wait_for()
    no_exception(staff)
    assert "case=" in staff.url
    case_id = staff.url.split("case=")[1].split("&")[0]
    staff.get_by_text("待审核").first.wait_for()
    assert staff.get_by_role("button", name="发布").count() == 0  # staff cannot publish
    staff.screenshot(path=str(ARTIFACTS / "cases_submitted.png"), full_page=True)

    # 3. manager finds the submitted case and publishes it
    manager.get_by_role("button", name="取消").click()  # leave the editor opened in step 1
    manager.get_by_role("textbox", name="搜索案例").fill("福袋")
    manager.get_by_role("textbox", name="搜索案例").press("Enter")
    manager.get_by_text("共 1 个案例").wait_for()
    manager.get_by_role("button", name="查看").click()
    manager.wait_for_url(f"**/cases?case={case_id}")
    manager.get_by_role("button", name="发布").click()
    manager.locator('[data-testid="stAlertContentSuccess"]', has_text="已发布").wait_for()
    no_exception(manager)

    # 4. staff searches a Chinese word and finds it; the hostile text is shown as text
    staff.get_by_role("button", name="返回案例库").click()
    search = staff.get_by_role("textbox", name="搜索案例")
    search.fill("福袋")
    search.press("Enter")
    staff.get_by_text("共 1 个案例").wait_for()
    main = staff.locator('[data-testid="stMain"]')
    main.locator("h4 strong", has_text="福袋").first.wait_for()  # the match is highlighted
    staff.screenshot(path=str(ARTIFACTS / "cases_search.png"), full_page=True)
    staff.get_by_role("button", name="查看").click()
    staff.locator("h1", has_text="整点福袋复盘").wait_for()
    staff.get_by_role("button", name="返回案例库").wait_for()
    staff.wait_for_timeout(1000)
    body = staff.locator('[data-testid="stMain"]').inner_text()
    assert "<script>window.__xss = 1</script>" in body
    assert '<img src=x onerror="window.__xss = 2">' in body
    assert staff.locator("strong", has_text="整点福袋").count() >= 1  # Markdown still renders
    assert staff.evaluate("window.__xss") is None
    assert staff.locator('[data-testid="stMain"] img[src="x"]').count() == 0
    assert staff.locator('[data-testid="stMain"] script').count() == 0
    assert not s_dialogs and not m_dialogs
    no_exception(staff)
    staff.screenshot(path=str(ARTIFACTS / "cases_published_view.png"), full_page=True)
    sctx.close()
    mctx.close()
