"""Browser: a shared KPI link with filters survives the login and shows the same tiles; the XLSX download
reads back with the ranked table's numbers."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import ARTIFACTS, download, go_to, no_exception, settle_after_login
from tests.kpis.test_kpi_pages import money
from tests.kpis.truth_data import load_roster, load_truth_sessions, truth_sessions

pytestmark = pytest.mark.e2e

LINK = "/kpis?preset=custom&from=2026-11-02&to=2026-11-08&platform=douyin&by=host&gran=day"


@pytest.fixture
def kpi_server(engine, database_url, start_server, samples, users):
    people = load_roster(engine, samples)
    load_truth_sessions(engine, samples, people)
    return start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "kpis-e2e-" + "k" * 40})


def _login_form(page, username: str) -> None:
    page.get_by_role("textbox", name="用户名").fill(username)
    page.get_by_role("textbox", name="密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_shared_link_after_login_shows_the_same_tiles_and_xlsx(kpi_server, browser, users, samples, tmp_path):
    douyin = [s for s in truth_sessions(samples) if s["platform"] == "抖音"]
    gmv = money(sum(s["gmv"] for s in douyin))  # ¥…万 on a Chinese tile
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(kpi_server.url)  # app.py has run in this server: the deep link is remembered across login
    page.wait_for_selector('[data-testid="stForm"]')
    page.goto(kpi_server.url + LINK)
    page.wait_for_selector('[data-testid="stForm"]')
    page.wait_for_timeout(1500)  # let the "page not found" notice of the login view settle
    _login_form(page, users["manager"])
    page.wait_for_selector("h1:has-text('直播数据 vs 目标')")
    settle_after_login(page)  # the cookie component's rerun would swallow the download click below
    page.wait_for_selector('[data-testid="stMetricValue"]')
    no_exception(page)
    assert "platform=douyin" in page.url and "from=2026-11-02" in page.url
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert gmv in values
    assert "14 场直播" in page.inner_text("body")
    page.wait_for_selector('[data-testid="stVegaLiteChart"]')
    page.set_viewport_size({"width": 1400, "height": 3400})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "kpis_shared_link.png"))

    path = tmp_path / "ranking.xlsx"
    download(page, page.locator(".st-key-kpis_xlsx button")).save_as(path)
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    hosts = {r[header.index("主播")]: r for r in body}
    assert set(hosts) == {"林晓雨", "陈子墨", "周俊杰"}
    lin = [s for s in douyin if s["host"] == "林晓雨"]
    assert hosts["林晓雨"][header.index("成交金额")] == pytest.approx(sum(s["gmv"] for s in lin))
    assert hosts["林晓雨"][header.index("直播场次")] == len(lin)

    page.set_viewport_size({"width": 1400, "height": 1600})
    go_to(page, "目标设置")  # same session, no reload
    page.wait_for_selector("h1:has-text('目标管理')")
    page.wait_for_selector('[data-testid="stDataFrame"]')
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "kpis_targets.png"))
    go_to(page, "单场详情")
    page.wait_for_selector("h1:has-text('单场详情')")
    page.wait_for_selector('[data-testid="stDataFrame"]')
    no_exception(page)
    latest = max(truth_sessions(samples), key=lambda s: s["start"])  # the picker starts at the latest
    assert f"{latest['room']} · {latest['host']}" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "kpis_session_detail.png"))
    context.close()
