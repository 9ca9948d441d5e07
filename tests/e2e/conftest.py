"""Browser fixtures: a real `streamlit run` on a free port with its own database, and Debian's Chromium
driven by Playwright (it cannot download browsers here)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LIVEOPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = ROOT / "tests" / "e2e" / "artifacts"
SIZES = {"phone": (390, 844), "desktop": (1440, 900)}  # the two sizes every page is looked at
PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.env = env or {}
        full_env = {**os.environ, "DATABASE_URL": database_url, "LIVEOPS_BCRYPT_ROUNDS": "4", **(env or {})}
        self.log = open(ARTIFACTS / f"server-{self.port}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless=true",
                f"--server.port={self.port}",
                "--server.address=127.0.0.1",
                "--browser.gatherUsageStats=false",
                "--server.fileWatcherType=none",
            ],
            cwd=ROOT,
            env=full_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.read().decode().strip() == "ok":
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not start on {self.url}; see {self.log.name}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture
def start_server():
    """start_server(database_url, env=None) -> Server; every server is stopped after the test."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    servers: list[Server] = []

    def _start(database_url: str, env: dict[str, str] | None = None) -> Server:
        server = Server(database_url, env)
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.stop()


def serve_demo_at(engine, database_url, start_server, clock_at, now: str, months: int) -> Server:
    """The demo (seed 5) loaded and served with the team's clock at `now`, in this process and the server."""
    from lib.demo import load_demo

    clock_at(now)
    load_demo(engine, months=months, seed=5)
    return start_server(database_url, env={"LIVEOPS_TEST_NOW": now})


# Streamlit's spinners, skeletons and fades redraw the page every frame, rasterised on the CPU here (no GPU):
# about a fifth of Chromium's CPU in a test (2.5 -> 2.0 CPU-seconds for the renderer per arrival at the home
# page, measured). The tests check what a page shows and where, not how it moves: motion is switched off in
# every context the tests open (as screenshots with animations="disabled" would do), the benches keep it.
NO_MOTION = """(() => {
  const still = () => {
    const style = document.createElement('style');
    style.textContent = '*, *::before, *::after { animation: none !important; transition: none !important; }';
    document.documentElement.appendChild(style);
  };
  if (document.documentElement) still(); else document.addEventListener('DOMContentLoaded', still);
})()"""


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # expect() waits 5 s by default, page waits 45 s (set per page): under CI's start-up load a rerun that
    # shows a message can take longer than 5 s, so assertions wait as long as the pages do.
    expect.set_options(timeout=45_000)

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        new_context = b.new_context

        def still_context(**options):
            context = new_context(**options)
            context.add_init_script(NO_MOTION)
            return context

        b.new_context = still_context  # type: ignore[method-assign]  # every test's context, as if its own
        yield b
        b.close()


@pytest.fixture(params=list(SIZES))
def sized(request, browser):
    """(size, page) at each of SIZES: a phone (touch, mobile user agent) and a desktop."""
    size = request.param
    width, height = SIZES[size]
    extra = {"is_mobile": True, "has_touch": True, "user_agent": PHONE_UA} if size == "phone" else {}
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", **extra)
    page = context.new_page()
    page.set_default_timeout(45_000)
    yield size, page
    context.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(45_000)
    yield pg
    context.close()


def login(page, server: Server, username: str, password: str) -> None:
    """Log in through the form and wait until the app shell (the sidebar's logout button) shows."""
    page.goto(server.url)
    page.get_by_role("textbox", name="用户名").wait_for()
    wait_idle(page)  # the first run (and its cookie component's rerun) is over: typing is not redrawn away
    page.get_by_role("textbox", name="用户名").fill(username)
    page.get_by_role("textbox", name="密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector(".st-key-logout_button")
    settle_after_login(page)


def arrive_logged_in(page, server: Server, username: str, path: str = "") -> None:
    """Open `path` as a user who logged in earlier: the browser holds a valid login cookie, as it does the
    day after a login (the app's own cookie path: read, checked against logouts, session started). For tests
    whose subject is a page, not the login form: the form's own tests (test_foundation_browser,
    test_login_security_browser, test_kpis_browser's shared link, ...) keep typing the password."""
    from lib.core import auth, clock
    from lib.core.db import get_engine
    from lib.core.login_cookie import encode_login_token

    key = server.env.get("LIVEOPS_COOKIE_KEY") or auth.cookie_key(get_engine(server.database_url))
    token, expires = encode_login_token(username, clock.now(), auth.COOKIE_EXPIRY_DAYS, key)
    page.context.add_cookies(
        [
            {
                "name": auth.COOKIE_NAME,
                "value": token,
                "url": server.url,
                "expires": expires,
                "sameSite": "Strict",
            }
        ]
    )
    page.goto(server.url + path)
    page.wait_for_selector(".st-key-logout_button")
    # The cookie component's frame reports the browser's cookies once it has loaded, and that report reruns
    # the app: a click landing in that rerun is lost. Wait for the frame, then for the rerun to end.
    page.wait_for_function(
        "() => { const f = document.querySelector('iframe[title$=\"CookieManager.cookie_manager\"]');"
        " return !!f && !!f.contentDocument && f.contentDocument.readyState === 'complete'; }"
    )
    wait_idle(page)


def settle_after_login(page) -> None:
    """Wait for the login cookie and for the rerun its component triggers once the cookie is written: a
    sidebar click that lands during that rerun is overtaken by it (a person is never that quick)."""
    wait_for_login_cookie(page)
    wait_idle(page)


def wait_idle(page) -> None:
    """Wait until the app has finished the rerun a click started (a keyed expander, a filter): a list opened
    during that rerun is closed by it when the page redraws."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")


def until_taken(page, act, attempts: int = 3):
    """Return `act()` — an action and the check that it took — done again when the check fails. Under CI's
    load an action that lands in a rerun started just before it is lost with the element it hit (a click, a
    key press); a person does it again, and so does this, after that rerun, up to `attempts` times."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(1, attempts + 1):
        wait_idle(page)  # an action landing during a rerun is lost with the element it hit
        try:
            return act()
        except (AssertionError, PlaywrightTimeout):
            if attempt == attempts:
                raise
    return None


def download(page, button):
    """Click a download button and return the Download. The file is made when the button is pressed (a
    deferred download) and the press also reruns the app: a lost click (seen twice in the shared-link test)
    is clicked again after 30 s."""

    def click():
        with page.expect_download(timeout=30_000) as info:
            button.click()
        return info.value

    return until_taken(page, click)


def wait_for_login_cookie(page, timeout: float = 20) -> None:
    """The login cookie is written by a component frame after the app shell shows; a test that opens a
    URL right away must wait for it, as a person would never notice."""
    deadline = time.time() + timeout
    while not any(c["name"] == "liveops_auth" for c in page.context.cookies()):
        if time.time() > deadline:
            raise AssertionError("the login cookie was not written")
        page.wait_for_timeout(100)


def go_to(page, label: str) -> None:
    """Open a page through the navigation as a person would, in this session (no reload): on a desktop the
    top bar (each section a dropdown), on a phone (< 768 px) the menu in the sidebar."""
    top = page.locator('[data-testid="stTopNav"]')
    if top.count() and top.is_visible():
        link = page.locator('[data-testid="stTopNavDropdownLink"]', has_text=label)
        for section in top.locator('[data-testid="stTopNavSection"]').all():
            section.click()
            try:
                link.first.wait_for(state="visible", timeout=1500)
            except Exception:  # noqa: BLE001 - not in this section: close it and try the next
                page.keyboard.press("Escape")
                continue
            link.first.click()
            return
        raise AssertionError(f"no page {label!r} in the top navigation")
    link = page.locator('[data-testid="stSidebarNav"] a', has_text=label)
    if link.first.bounding_box()["x"] < 0:  # the phone's menu is folded away off the left edge
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stSidebar\"]').getBoundingClientRect().left >= 0"
        )
    link.first.click()


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test leaves a screenshot of its page in tests/e2e/artifacts/ (what did it show?)."""
    outcome = yield
    report = outcome.get_result()
    pg = item.funcargs.get("page") or item.funcargs.get("phone")
    pg = pg if report.when == "call" and report.failed else None
    if pg is not None:
        try:
            pg.screenshot(path=str(ARTIFACTS / f"failed-{item.name}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - the page may be gone; the failure itself is what matters
            pass
