"""Two `streamlit run` processes on one database: a write through one is visible in the other at its next
rerun (the data version every write bumps is part of every cache key). CI runs it on PostgreSQL too."""

import pytest

from lib.demo import load_demo
from tests.e2e.conftest import arrive_logged_in, no_exception

pytestmark = [pytest.mark.e2e, pytest.mark.all_databases]


def test_a_write_in_one_process_shows_in_the_other(engine, database_url, start_server, browser):
    load_demo(engine, months=2, seed=5)  # a 1st of the month has no sessions yet
    server_a, server_b = start_server(database_url), start_server(database_url)
    assert server_a.proc.pid != server_b.proc.pid
    ctx_a, ctx_b = browser.new_context(), browser.new_context()
    page_a, page_b = ctx_a.new_page(), ctx_b.new_page()
    for page, server in ((page_a, server_a), (page_b, server_b)):
        page.set_default_timeout(45_000)
        arrive_logged_in(page, server, "admin")  # the login form and deep links have their own tests
        page.goto(f"{server.url}/users")
        page.wait_for_selector("text=共 3 个用户")

    # Add a user through process B's page.
    page_b.get_by_role("textbox", name="用户名").fill("second_process")
    page_b.get_by_role("textbox", name="初始密码").fill("a-long-enough-password")
    page_b.get_by_role("button", name="新增用户").click()
    page_b.wait_for_selector("text=共 4 个用户")

    # Process A still shows its last run; its next rerun (any interaction) reads the new data version.
    assert page_a.get_by_text("共 3 个用户").is_visible()
    page_a.get_by_text("English", exact=True).click()
    page_a.wait_for_selector("text=4 users")
    no_exception(page_a)
    ctx_a.close()
    ctx_b.close()
