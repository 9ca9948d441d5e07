"""Browser: the incident form at desktop (1440×900) and phone (390×844) width: "responded" starts empty,
one tap on "现在" fills it with the team clock's minute, and the saved incident has that response time.
Screenshots in tests/e2e/artifacts/incident_form_*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lib.core.models import Incident
from tests.e2e.conftest import ARTIFACTS, arrive_logged_in, no_exception, wait_idle

pytestmark = pytest.mark.e2e
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.mark.parametrize("size", list(SIZES))
def test_incident_form_responded_empty_then_now(engine, database_url, start_server, browser, users, size):
    server = start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "incident-form-e2e-" + "k" * 40})
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(45_000)
    arrive_logged_in(page, server, users["manager"])
    page.goto(f"{server.url}/incidents")
    page.get_by_role("tab", name="登记问题").wait_for()
    wait_idle(page)
    no_exception(page)
    responded = page.locator(".st-key-inc_responded input")
    assert responded.input_value() == ""  # nothing happened yet: nothing recorded
    assert "尚未填写" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / f"incident_form_{size}.png"))
    page.locator(".st-key-inc_responded_now").get_by_role("button", name="现在").click()
    expect(responded).not_to_have_value("")  # the team clock's minute, e.g. "2026-12-07T12:30"
    wait_idle(page)
    filled = responded.input_value()
    page.locator(".st-key-inc_responded").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"incident_form_{size}_now.png"))
    page.get_by_label("问题描述").fill("推流卡顿，已切换备用线路")
    page.get_by_role("button", name="保存问题").click()
    page.locator('[data-testid="stAlertContentSuccess"]').wait_for()
    no_exception(page)
    with engine.connect() as conn:
        (row,) = conn.execute(select(Incident.detected_at, Incident.responded_at)).all()
    assert row.responded_at is not None and row.responded_at.strftime("%Y-%m-%dT%H:%M") == filled
    context.close()
