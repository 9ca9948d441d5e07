"""Browser: a staff user answers the open round; a manager sees results only when enough answers exist."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "surveys"))

from conftest import ARTIFACTS, arrive_logged_in, go_to, no_exception, wait_idle  # noqa: E402
from survey_data import answer, link_user, make_respondents, open_round  # noqa: E402

from lib import surveys  # noqa: E402


def open_page(page, label: str, marker: str) -> None:
    """Open a page through the menu once the app is idle (login() waited for the post-login rerun)."""
    wait_idle(page)
    go_to(page, label)
    page.get_by_text(marker, exact=False).first.wait_for()


def test_staff_answers_and_manager_sees_results_only_with_enough(
    engine, users, database_url, start_server, page, browser
):
    link_user(engine, users["staff"], "运营部")
    november = open_round(engine, period="2026-11", name="十一月协作调查")
    page.set_default_timeout(40_000)  # the machine is shared: allow slow reruns
    server = start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "survey-e2e-cookie-key-" + "x" * 32})

    arrive_logged_in(page, server, users["staff"])
    open_page(page, "协作满意度问卷", "本问卷为保密问卷")
    page.get_by_role("button", name="提交问卷").wait_for()
    radios = page.locator('[data-testid="stForm"] [data-testid="stRadio"]')
    assert radios.count() == 16  # 4 other departments x 4 questions
    target = radios.first.locator('[data-testid="stRadioOption"]').first.bounding_box()
    assert target["height"] >= 40 and target["width"] >= 44  # a 1–5 choice a thumb can hit
    for i in range(12):  # the last department (客服部) left blank: no contact
        radios.nth(i).get_by_text("4", exact=True).click()
    page.locator("textarea").fill("直播前一天把商品信息表定稿")
    page.screenshot(path=str(ARTIFACTS / "survey_form.png"), full_page=True)
    page.get_by_role("button", name="提交问卷").dblclick()  # a double tap saves once, and says so
    success = page.locator('[data-testid="stAlertContentSuccess"]')
    success.wait_for()
    assert "本轮已回答人数：1" in success.inner_text()
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert surveys.response_count(engine, november) == 1
    # the form goes on the rerun after the success message: wait for it rather than race it
    expect(page.locator('[data-testid="stForm"] [data-testid="stRadio"]')).to_have_count(0)
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "survey_thanks.png"), full_page=True)

    # Three more answers (4 in all), then a second round with 6; both closed.
    others = make_respondents(engine, {"技术部": 3, "内容部": 6})
    for user_id in others["技术部"]:
        answer(engine, november, user_id, 5)
    surveys.close_round(engine, november, "t_manager")
    october = open_round(engine, period="2026-10", name="十月协作调查")
    for user_id in others["内容部"]:
        answer(engine, october, user_id, 5, comment="交接清晰")
    surveys.close_round(engine, october, "t_manager")

    context = browser.new_context(viewport={"width": 1400, "height": 3400}, locale="zh-CN")
    manager = context.new_page()
    manager.set_default_timeout(40_000)
    try:
        arrive_logged_in(manager, server, users["manager"])
        open_page(manager, "协作满意度结果", "本轮回答不足 5 份")
        assert manager.locator('[data-testid="stMetric"]').count() == 0
        no_exception(manager)
        manager.screenshot(path=str(ARTIFACTS / "survey_results_too_few.png"), full_page=True)

        manager.locator('[data-testid="stSelectbox"]').first.click()
        manager.get_by_role("option", name="十月协作调查").click()
        metric = manager.locator('[data-testid="stMetric"]').first
        metric.wait_for()
        assert "6" in metric.inner_text()
        manager.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
        assert manager.get_by_text("本轮回答不足 5 份", exact=False).count() == 0
        no_exception(manager)
        manager.screenshot(path=str(ARTIFACTS / "survey_results.png"), full_page=True)
    finally:
        context.close()


def test_fresh_server_deep_link_to_results_shows_no_data(engine, database_url, start_server, page):
    from survey_data import closed_round_with

    closed_round_with(engine, {"运营部": 6})
    server = start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "survey-e2e-cookie-key-" + "x" * 32})
    page.goto(f"{server.url}/survey_results")  # the very first request of this process
    page.get_by_text("请先登录", exact=False).first.wait_for()
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.get_by_text("跨部门协作满意度结果").count() == 0
    no_exception(page)


OPTION_BOXES_JS = """el => [...el.querySelectorAll('[data-testid="stRadioOption"]')].map(o => {
    const r = o.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; })"""


def settled_boxes(page, radio) -> list[dict]:
    """The options' boxes read at one instant, once two reads 200 ms apart agree: a box read while the page
    still shifts (a frame above it drawing) would put one option 14 px off its row."""
    boxes = radio.evaluate(OPTION_BOXES_JS)
    for _ in range(25):
        page.wait_for_timeout(200)
        again = radio.evaluate(OPTION_BOXES_JS)
        if again == boxes:
            break
        boxes = again
    return boxes


def test_the_five_scores_share_one_row_on_a_phone(engine, users, database_url, start_server, browser):
    """Issue 20: at 390 px the survey's 1–5 wrapped onto two rows; they stay on one row, each still a
    target a thumb can hit, and nothing runs off the screen."""
    link_user(engine, users["staff"], "运营部")
    open_round(engine, period="2026-11", name="十一月协作调查")
    server = start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "survey-e2e-cookie-key-" + "x" * 32})
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(45_000)
    try:
        arrive_logged_in(page, server, users["staff"])
        wait_idle(page)
        page.goto(f"{server.url}/survey")
        page.get_by_role("button", name="提交问卷").wait_for()
        wait_idle(page)
        radios = page.locator('[data-testid="stForm"] [data-testid="stRadio"]')
        for i in (0, 1):
            options = settled_boxes(page, radios.nth(i))
            assert len(options) == 5
            assert max(o["y"] for o in options) - min(o["y"] for o in options) < 2, options  # one row
            assert all(o["x"] >= 0 and o["x"] + o["width"] <= 390 for o in options)
            assert all(o["height"] >= 40 and o["width"] >= 44 for o in options)  # still thumb-sized
        radios.first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "survey_phone_390.png"))
        no_exception(page)
    finally:
        context.close()
