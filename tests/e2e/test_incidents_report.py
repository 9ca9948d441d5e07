"""Browser, desktop: the report's charts render (distribution, trend, departments, one session's timeline)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import insert, update

from lib.core.db import now, write
from lib.core.models import Incident, LiveSession
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import ARTIFACTS, go_to, no_exception, settle_after_login
from tests.incidents.incidents_testdata import add, known_rows

pytestmark = pytest.mark.e2e


def choose(page, label: str) -> None:
    """Pick a radio option and wait until the page shows it picked: a click that lands while the page is
    rerunning is overtaken by that rerun, so (as a person would) click again until the choice holds."""
    radio = page.get_by_role("radio", name=label, exact=True)
    for _ in range(5):
        page.get_by_text(label, exact=True).click()
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")
        if radio.is_checked():
            return
    raise AssertionError(f"the option {label!r} did not stay chosen")


def test_report_charts_render(engine, database_url, users, start_server, page):
    rows = known_rows(engine)
    shift = now().replace(hour=20, minute=0, second=0) - dt.timedelta(days=3) - rows[0]["detected_at"]
    for row in rows:  # move the fixture into the page's default period (the last 30 days)
        for key in ("detected_at", "responded_at", "resolved_at"):
            row[key] = row[key] + shift if row[key] else None
    add(engine, rows)
    with write(engine) as conn:
        sid = conn.execute(
            insert(LiveSession).values(
                platform="抖音",
                account="ym",
                room="一鸣数码",
                host_name="赵一鸣",
                started_at=rows[0]["detected_at"],
                started_on=rows[0]["detected_at"].date(),
            )
        ).inserted_primary_key[0]
        conn.execute(update(Incident).where(Incident.room == "一鸣数码").values(session_id=sid))
    server = start_server(
        database_url, env={"LIVEOPS_COOKIE_KEY": "incidents-e2e-cookie-key-0123456789abcdef"}
    )
    page.goto(server.url)
    page.get_by_role("textbox", name="用户名").fill(users["manager"])
    page.get_by_role("textbox", name="密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator(".st-key-logout_button").wait_for()
    settle_after_login(page)
    go_to(page, "问题处理时长")
    page.locator('[data-testid="stMetric"]:has-text("SLA 达标率")').wait_for()
    no_exception(page)
    assert page.locator('[data-testid="stMetricValue"]').all_inner_texts() == ["8", "1", "4.0 分钟", "71.4%"]
    page.screenshot(path=str(ARTIFACTS / "incidents_report_desktop.png"), full_page=True)
    for tab, name in (
        ("解决时长分布", "distribution"),
        ("每周趋势", "trend"),
        ("部门达标率", "departments"),
        ("场次时间线", "timeline"),
    ):
        choose(page, tab)
        # the chosen view's own block, once its chart has rendered; one chart on the page at a time
        chart = page.locator(f'.st-key-rep_view_{name} [data-testid="stVegaLiteChart"]')
        chart.wait_for()
        expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(1)
        no_exception(page)
        chart.first.screenshot(path=str(ARTIFACTS / f"incidents_chart_{name}.png"))
