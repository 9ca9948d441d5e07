"""app.py under AppTest: the start-up refusal without a cookie key, the login form, lockout message,
and navigation that lists only the pages a role may open."""

import pytest

from lib.core import auth
from lib.core.access import pages_for
from lib.core.db import set_setting, write
from lib.core.i18n import translate
from tests.conftest import TEST_PASSWORD, app_test


@pytest.fixture
def no_secrets(monkeypatch):
    monkeypatch.setattr(auth, "SECRETS_FILE", auth.SECRETS_FILE.parent / "no-such-secrets.toml")


def test_refuses_to_start_without_a_cookie_key_outside_demo(engine, users, no_secrets):
    at = app_test("app.py").run()
    assert not at.exception
    assert [e.value for e in at.error] == [translate("app.config_error", "zh")]
    assert "LIVEOPS_COOKIE_KEY" in at.code[0].value
    assert len(at.text_input) == 0  # no login form


def test_refuses_an_example_key(engine, users, no_secrets, monkeypatch):
    monkeypatch.setenv("LIVEOPS_COOKIE_KEY", "change-me-to-a-long-random-string-of-32-or-more-characters")
    at = app_test("app.py").run()
    assert "example" in at.code[0].value


def _login(at, username, password):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click()
    return at.run()


def test_login_form_wrong_password_then_lockout(engine, users, no_secrets, monkeypatch):
    monkeypatch.setenv("LIVEOPS_COOKIE_KEY", "k" * 48)
    at = app_test("app.py").run()
    assert translate("auth.demo_logins", "zh", password=auth.DEMO_PASSWORD) not in [i.value for i in at.info]
    refused = translate("auth.error.login_refused", "zh", max=auth.MAX_FAILED_LOGINS, minutes=15)
    for _ in range(5):  # one message, locked or not: it must not tell which names exist
        at = _login(at, users["staff"], "wrong-password-123")
        assert [e.value for e in at.error] == [refused]
    at = _login(at, users["staff"], TEST_PASSWORD)
    assert [e.value for e in at.error] == [refused]
    assert not at.session_state["authentication_status"]


def test_demo_mode_shows_demo_logins_and_needs_no_key(engine, users, no_secrets):
    with write(engine) as conn:
        set_setting(conn, "demo_mode", "1")
        set_setting(conn, "demo_cookie_key", "d" * 48)
    at = app_test("app.py").run()
    assert not at.error
    assert translate("auth.demo_logins", "zh", password=auth.DEMO_PASSWORD) in [i.value for i in at.info]


@pytest.mark.parametrize("role", ["admin", "manager", "staff"])
def test_login_shows_only_the_pages_of_the_role(engine, users, no_secrets, monkeypatch, role):
    monkeypatch.setenv("LIVEOPS_COOKIE_KEY", "k" * 48)
    at = _login(app_test("app.py").run(), users[role], TEST_PASSWORD)
    assert not at.exception, at.exception
    assert at.session_state["authentication_status"] is True
    assert at.session_state["username"] == users[role]
    allowed = {p.key for p in pages_for(role)}
    if role == "staff":
        assert "users" not in allowed and "targets" not in allowed
    assert "overview" in allowed
