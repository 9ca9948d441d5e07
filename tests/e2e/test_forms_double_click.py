"""Browser: a double tap on "保存问题" stores one incident, and the form closes (then reopens empty)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lib.core.models import Incident
from tests.e2e.conftest import no_exception
from tests.e2e.test_incidents_phone import open_page

pytestmark = pytest.mark.e2e


def test_double_tap_on_save_stores_one_incident(engine, database_url, users, start_server, page):
    server = start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "forms-e2e-cookie-key-0123456789abcdef"})
    open_page(page, server, "", users["staff"])  # app.py first: a fresh server shows a page's login wall
    open_page(page, server, "incidents", users["staff"])
    page.get_by_role("tab", name="登记问题").wait_for()
    page.get_by_label("问题描述").fill("声卡无声，双击保存")
    # Two taps at the button's place, the second while the first run is still saving (as a finger
    # does; Playwright's dblclick() arrives as one rerun and does not reproduce it).
    box = page.get_by_role("button", name="保存问题").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.mouse.click(x, y)
    page.locator('[data-testid="stAlertContentSuccess"]').wait_for()
    # Both clicks have been handled once the app is idle with the form closed ("再填一条" shown).
    page.get_by_role("button", name="再填一条").wait_for()
    page.get_by_role("button", name="保存问题", exact=True).wait_for(state="detached")  # stale ones too
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")
    no_exception(page)
    # The second tap either found the form closed (nothing happens) or came back with the used token.
    message = page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    assert re.search(r"已保存问题 #1\b|已保存，未重复提交.*编号 1\b", message), message
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Incident)).scalar() == 1
        assert conn.execute(select(Incident.description)).scalar() == "声卡无声，双击保存"

    page.get_by_role("button", name="再填一条").click()
    page.get_by_role("button", name="保存问题", exact=True).wait_for()
    assert page.get_by_label("问题描述").input_value() == ""
    no_exception(page)
