"""Browser, as the demo admin at 390x844 and 1440x900: the notify page's channels (URL masked, a test
message answered by a local robot), rules with a preview, and its layout. Screenshots go to
tests/e2e/artifacts/notify-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lib import notify
from lib.core.db import write
from lib.demo import load_demo
from tests.e2e.conftest import ARTIFACTS, arrive_logged_in, go_to, no_exception, until_taken, wait_idle
from tests.e2e.test_phone_layout import OVERFLOW_JS, shoot
from tests.notify import receiver as rcv

pytestmark = pytest.mark.e2e


@pytest.fixture
def robot():
    rx, server = rcv.start({"dingtalk": "SECbrowser-0001"})
    yield rx
    server.shutdown()
    server.server_close()


@pytest.fixture
def notify_server(engine, database_url, start_server, robot):
    load_demo(engine)
    with write(engine) as conn:
        notify.add_channel(
            conn, "运营钉钉群", "dingtalk", robot.url("dingtalk", "tok-browser-4242"), "SECbrowser-0001", "t"
        )
        notify.add_rule(conn, "brief", "运营钉钉群", "t", at="09:30", audience="manager")
        notify.add_rule(conn, "sla", "运营钉钉群", "t", audience="staff", quiet=("22:00", "08:00"))
        for kind, name in (
            ("wecom", "（企微）运营群"),
            ("feishu", "（飞书）运营群"),
            ("webhook", "（中台）数据推送"),
        ):
            notify.add_channel(conn, name, kind, robot.url(kind, "tok-browser-5353"), None, "t")
            notify.add_rule(conn, "brief", name, "t", at="09:30", audience="manager")
    return start_server(database_url)


# Each platform's brief as its group would see it (the card's header, the Markdown's link text).
PLATFORM_VIEWS = (
    ("wecom", "（企微）运营群", "昨日明细"),
    ("feishu", "（飞书）运营群", "昨日明细"),
)


def pick_rule(page, channel: str) -> None:
    """Choose the brief rule of `channel` in the rules tab's picker."""
    wait_idle(page)  # a rerun would close a list opened meanwhile
    picker = page.locator(".st-key-nru_pick").get_by_role("combobox")
    picker.scroll_into_view_if_needed()

    def open_list() -> None:
        picker.evaluate("el => el.blur()")  # still focused from the last pick: ArrowDown would not open it
        picker.focus()
        page.keyboard.press("ArrowDown")  # opens the list wherever the picker sits on the screen
        expect(picker).to_have_attribute("aria-expanded", "true", timeout=5_000)

    until_taken(page, open_list)  # a key press lost in a late rerun (once, on the phone): pressed again
    page.get_by_role("option").filter(has_text=channel).first.click()
    expect(picker).to_have_value(re.compile(re.escape(channel)))
    wait_idle(page)


def test_notify_page_at_phone_and_desktop(notify_server, sized, robot):
    size, page = sized
    arrive_logged_in(page, notify_server, "admin")
    go_to(page, "群通知")
    expect(page.get_by_role("heading", name="群通知", exact=True)).to_be_visible()
    wait_idle(page)
    no_exception(page)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "tok-browser" not in body and "SECbrowser" not in body
    assert page.evaluate(OVERFLOW_JS) <= 1  # nothing wider than the screen
    page.get_by_role("button", name="发送测试消息").click()
    expect(page.get_by_text("测试消息已送达")).to_be_visible()
    expect(page.locator('[data-testid="stCode"]').first).to_contain_text('"errcode": 0')
    assert robot.hits[-1].signed_ok is True
    shoot(page, f"notify-channels-{size}")
    page.get_by_role("tab", name="规则").click()
    wait_idle(page)
    page.get_by_role("button", name="预览（与发送内容一致）").click()
    expect(page.locator(".st-key-notify_preview")).to_contain_text("晨报")
    no_exception(page)
    shoot(page, f"notify-rules-{size}")
    page.locator(".st-key-notify_platform_view").screenshot(
        path=str(ARTIFACTS / f"notify-platform-dingtalk-{size}.png")
    )
    assert (ARTIFACTS / f"layout-notify-rules-{size}.png").exists()
    for kind, channel, shown in PLATFORM_VIEWS:
        pick_rule(page, channel)
        page.get_by_role("button", name="预览（与发送内容一致）").click()
        view = page.locator(".st-key-notify_platform_view")
        expect(view).to_contain_text(shown)
        expect(view).to_contain_text("晨报")
        wait_idle(page)  # the preview's rerun redraws the view: a screenshot during it finds it detached (CI)
        no_exception(page)
        view.screenshot(path=str(ARTIFACTS / f"notify-platform-{kind}-{size}.png"))
    go_to(page, "周报")
    expect(page.get_by_role("heading", name="周报：本周对比目标")).to_be_visible()
    wait_idle(page)
    no_exception(page)
    assert page.evaluate(OVERFLOW_JS) <= 1
    shoot(page, f"notify-reports-{size}")
