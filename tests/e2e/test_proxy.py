"""A team's deployment: Debian's nginx with deploy/nginx/liveops.conf (only ports and the listen address
substituted) in front of three `streamlit run` processes on one PostgreSQL database, driven by Chromium.

One browser uploads an export through one process; a second browser, kept by its cookie on another process,
sees the new sessions' figures; the first browser's process is then killed, and that browser reconnects
through nginx to a live process, logged in again from its login cookie, with no stored data lost. nginx's
access log (the upstream of each request) proves which process served whom."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lib.core.models import LiveSession
from tests.conftest import SAMPLES, TEST_PASSWORD
from tests.e2e.conftest import ARTIFACTS, go_to, login, no_exception
from tests.e2e.proxy import CONF, DEFAULT_PORTS, SHARED_ENV, Proxy, proxy_ports, start_proxy, start_servers

pytestmark = [pytest.mark.e2e, pytest.mark.all_databases]

KUAISHOU_WEEK = "/kpis?preset=custom&from=2026-11-02&to=2026-11-08&platform=kuaishou&by=host&gran=day"


@pytest.fixture
def proxied(engine, database_url, tmp_path):
    """Three app processes (started side by side) behind nginx; everything is stopped afterwards."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the proxy test runs on PostgreSQL, as a team's deployment does")
    servers = start_servers(database_url, 3, SHARED_ENV)
    proxy = start_proxy(proxy_ports(servers), tmp_path)
    yield proxy, servers
    proxy.proc.terminate()
    proxy.proc.wait(timeout=10)
    for server in servers:
        if server.proc.poll() is None:
            server.stop()


def _browser_on(browser, proxy: Proxy, node: str):
    """A browser whose stickiness cookie already names `node` (as if nginx had drawn it)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.add_cookies([{"name": "liveops_node", "value": node, "url": proxy.url}])
    page = context.new_page()
    page.set_default_timeout(45_000)
    return context, page


def test_upload_in_one_process_seen_through_another_and_a_killed_process_is_survived(
    proxied, engine, users, browser
):
    proxy, servers = proxied
    ctx_a, page_a = _browser_on(browser, proxy, "a")
    ctx_b, page_b = _browser_on(browser, proxy, "b")
    try:
        login(page_a, proxy, users["admin"], TEST_PASSWORD)
        go_to(page_a, "数据上传")
        page_a.wait_for_selector("h1:has-text('数据上传')")
        page_a.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            str(SAMPLES / "kuaishou_2026-11-02_2026-11-08.xlsx")
        )
        page_a.get_by_role("button", name="提交导入").click()
        success = page_a.locator('[data-testid="stAlertContentSuccess"]', has_text="已导入")
        expect(success).to_contain_text("新增 9", timeout=45_000)
        no_exception(page_a)

        login(page_b, proxy, users["manager"], TEST_PASSWORD)
        page_b.goto(proxy.url + KUAISHOU_WEEK)
        page_b.wait_for_selector('[data-testid="stMetricValue"]')
        expect(page_b.locator("body")).to_contain_text("9 场直播")
        no_exception(page_b)
        page_b.screenshot(path=str(ARTIFACTS / "proxy_second_process.png"))

        # Every request of each browser went to its own process (the upload's PUT included).
        by_node: dict[str, set[str]] = {}
        for node, upstream in proxy.upstreams():
            if node in ("a", "b"):
                by_node.setdefault(node, set()).add(upstream)
        assert by_node["a"] == {f"127.0.0.1:{servers[0].port}"}
        assert by_node["b"] == {f"127.0.0.1:{servers[1].port}"}

        servers[0].proc.kill()  # the process browser A is on dies
        servers[0].proc.wait(timeout=10)
        # Browser A opens the dashboard again: nginx passes it to a live process, which logs it in from its
        # login cookie (the form only at worst).
        page_a.goto(proxy.url)
        login_form = page_a.get_by_role("textbox", name="用户名")
        shell = page_a.locator(".st-key-logout_button")
        shell.or_(login_form).first.wait_for()
        if not shell.count():
            login(page_a, proxy, users["admin"], TEST_PASSWORD)
        page_a.goto(proxy.url + KUAISHOU_WEEK)
        page_a.wait_for_selector('[data-testid="stMetricValue"]')
        expect(page_a.locator("body")).to_contain_text("9 场直播")
        no_exception(page_a)
        page_a.screenshot(path=str(ARTIFACTS / "proxy_after_kill.png"))
        served_after = {u for n, u in proxy.upstreams()[-20:] if n == "a"}
        assert f"127.0.0.1:{servers[0].port}" not in served_after - {""}
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(LiveSession)).scalar() == 9
    except Exception:
        page_a.screenshot(path=str(ARTIFACTS / "failed-proxy-a.png"))
        page_b.screenshot(path=str(ARTIFACTS / "failed-proxy-b.png"))
        raise
    finally:
        ctx_a.close()
        ctx_b.close()


def test_nginx_conf_keeps_its_promises():
    """The settings the README's "Install for a team" relies on are in the shipped file."""
    text = CONF.read_text()
    for needed in (
        "location /_stcore/stream",
        "proxy_set_header Upgrade $http_upgrade",
        "proxy_read_timeout 86400s",
        "proxy_buffering off",
        "X-Forwarded-For",
        "X-Forwarded-Proto",
        "$cookie_liveops_node",
        "client_max_body_size 50m",
    ):
        assert needed in text, needed
    assert all(f"127.0.0.1:{p}" in text for p in DEFAULT_PORTS)
