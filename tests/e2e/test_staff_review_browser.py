"""Browser: a staff member (roster person 林晓雨, the demo's `staff`) opens the review of a session she
hosted and writes its case ("复盘本场"); a link to another host's session and a bad link say so, and the
message is still there after the page's cookie-login rerun; a room and product names that look like URLs
show as text, not links (issue 20; issue 25 items 11-13). Desktop and phone, screenshots in artifacts."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lib.core.auth import add_user
from lib.core.db import write
from lib.core.i18n import translate
from lib.core.models import LiveSession, Person, SessionProduct
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import ARTIFACTS, arrive_logged_in, no_exception, wait_idle
from tests.review.review_data import XY_1102, ZHOU_1102, load_review_week

pytestmark = pytest.mark.e2e
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
HOST = "t_host"


@pytest.fixture
def staff_server(engine, database_url, start_server, users):
    ids = load_review_week(engine)
    sid = ids[XY_1102]
    with write(engine) as conn:
        person = conn.execute(sa.select(Person.id).where(Person.name == "林晓雨")).scalar_one()
        add_user(conn, HOST, TEST_PASSWORD, "staff", display_name="林晓雨", person_id=person)
        conn.execute(
            sa.update(LiveSession).where(LiveSession.id == sid).values(room="http://evil.example 直播间")
        )
        conn.execute(
            sa.update(SessionProduct)
            .where(SessionProduct.session_id == sid, SessionProduct.product_id == "3712052")
            .values(name="www.evil.example 电饭煲")
        )
    return start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "staff-e2e-" + "k" * 40}), ids


def _settled(page) -> str:
    """The page's text once every rerun (the cookie login's included) is over."""
    page.wait_for_selector("h1")
    wait_idle(page)
    page.wait_for_timeout(1500)  # a late rerun (the cookie component's) would redraw by now
    wait_idle(page)
    no_exception(page)
    return page.inner_text('[data-testid="stMain"]')


@pytest.mark.parametrize("size", list(SIZES))
def test_staff_review_their_own_session_and_are_told_about_others(staff_server, browser, size):
    server, ids = staff_server
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(45_000)
    arrive_logged_in(page, server, HOST)

    own = ids[XY_1102]
    page.goto(f"{server.url}/session_detail?session={own}")  # a fresh load: the cookie logs her in
    text = _settled(page)
    assert "单场详情与复盘" in text and "分钟曲线" in text and "Top 5 商品" in text
    assert "http://evil.example" in text.replace("\u2060", "")  # the room, as text (a word joiner inside)
    main = page.locator('[data-testid="stMain"]')
    hrefs = main.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href') || '')")
    assert not [h for h in hrefs if "evil" in h], hrefs  # no link made of user text
    page.screenshot(path=str(ARTIFACTS / f"staff_review_own_{size}.png"))

    page.get_by_role("link", name="复盘本场").click()
    page.wait_for_selector("h1:has-text('写案例')")
    wait_idle(page)
    assert f"new_from_session={own}" in page.url
    expect(page.get_by_role("textbox", name="背景")).to_have_value(re.compile("成交金额"))
    page.screenshot(path=str(ARTIFACTS / f"staff_review_case_{size}.png"))

    other = ids[ZHOU_1102]
    page.goto(f"{server.url}/session_detail?session={other}")
    text = _settled(page)
    assert translate("session_access.refused", "zh", id=other) in text
    assert "分钟曲线" not in text and f"session={other}" in page.url
    page.screenshot(path=str(ARTIFACTS / f"staff_review_refused_{size}.png"))

    page.goto(f"{server.url}/session_detail?session=abc")
    text = _settled(page)
    assert "链接中的场次编号“abc”无效" in text and "session=abc" in page.url
    page.screenshot(path=str(ARTIFACTS / f"staff_review_bad_link_{size}.png"))
    context.close()
