"""Browser: a forged login cookie leaves the login form reachable (issue 12 item 11), and a logout in one
tab ends the session of another tab of the same browser at its next interaction (item 7)."""

import base64
import json
import time

import pytest
from playwright.sync_api import expect

from lib.core.auth import COOKIE_NAME
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import login, no_exception

pytestmark = pytest.mark.e2e

COOKIE_KEY = "e2e-cookie-key-" + "x" * 40


@pytest.fixture
def server(engine, users, database_url, start_server):
    return start_server(database_url, env={"LIVEOPS_COOKIE_KEY": COOKIE_KEY})


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def _wait_until(condition, what: str, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.1)


def test_a_forged_cookie_is_ignored_and_cleared(server, users, page):
    forged = ".".join(
        [
            _b64({"alg": "none", "typ": "JWT"}),
            _b64(
                {"username": users["admin"], "exp_date": time.time() + 3600, "issued": "2026-01-01T00:00:00"}
            ),
            "",
        ]
    )
    page.context.add_cookies([{"name": COOKIE_NAME, "value": forged, "url": server.url}])
    page.goto(server.url)
    page.locator(".st-key-login_username").wait_for()
    no_exception(page)
    assert page.locator(".st-key-logout_button").count() == 0
    # The app deletes the cookie it could not read...
    _wait_until(
        lambda: all(c["name"] != COOKIE_NAME for c in page.context.cookies()), "the cookie is deleted"
    )
    # ...and the login form works.
    login(page, server, users["admin"], TEST_PASSWORD)
    no_exception(page)


def test_logout_in_one_tab_ends_the_other_tab(server, users, page):
    login(page, server, users["admin"], TEST_PASSWORD)
    other = page.context.new_page()  # a second tab of the same browser: logged in by the cookie
    other.set_default_timeout(45_000)
    other.goto(f"{server.url}/users")
    other.locator('[data-testid="stDataFrame"]').wait_for()
    other.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")

    page.locator(".st-key-logout_button button").click()
    page.locator(".st-key-login_username").wait_for()

    # The other tab's next interaction (no reload) shows the login form, and no data.
    other.get_by_text("English", exact=True).click()
    other.locator(".st-key-login_username").wait_for()
    expect(other.locator('[data-testid="stDataFrame"]')).to_have_count(0)
    assert other.locator(".st-key-logout_button").count() == 0
    no_exception(other)


def test_the_login_cookie_lives_its_12_hours_in_a_browser_east_of_the_server(server, users, browser):
    """Issue 20: the server runs in UTC (as here), the browser in UTC+8: the cookie must still expire 12
    hours after the login (a naive server-local expiry made it die 8 hours early)."""
    from lib.core.auth import COOKIE_EXPIRY_DAYS
    from tests.e2e.conftest import wait_for_login_cookie

    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        pg = context.new_page()
        pg.set_default_timeout(45_000)
        before = time.time()
        login(pg, server, users["admin"], TEST_PASSWORD)
        wait_for_login_cookie(pg)
        cookie = next(c for c in context.cookies() if c["name"] == COOKIE_NAME)
        lifetime = cookie["expires"] - before
        assert abs(lifetime - COOKIE_EXPIRY_DAYS * 86400) < 120, f"the cookie lives {lifetime / 3600:.1f} h"
    finally:
        context.close()
