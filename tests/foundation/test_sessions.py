"""A session's validity is checked against the database on every run (issue 12 item 7): a logout in
another tab or process, a password reset or a disable ends an open session at its next rerun."""

import pytest

from lib.core import auth
from lib.core.db import write
from lib.core.i18n import translate
from tests.conftest import TEST_PASSWORD, app_test


@pytest.fixture
def cookie_key(monkeypatch):
    monkeypatch.setattr(auth, "SECRETS_FILE", auth.SECRETS_FILE.parent / "no-such-secrets.toml")
    monkeypatch.setenv("LIVEOPS_COOKIE_KEY", "k" * 48)


def _logged_in_app(username: str):
    at = app_test("app.py").run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(TEST_PASSWORD)
    at.button[0].click()
    at = at.run()
    assert at.session_state["authentication_status"] is True
    assert [b for b in at.button if b.key == "logout_button"]
    return at


def _shows_login_form(at) -> bool:
    return "login_username" in {w.key for w in at.text_input}


def revoke_by_logout(conn, name):
    auth.revoke_sessions(conn, name)  # what the logout button of another tab does


def revoke_by_reset(conn, name):
    auth.update_user(conn, name, "t_admin", password="another-good-password")


def revoke_by_disable(conn, name):
    auth.update_user(conn, name, "t_admin", active=False)


@pytest.mark.parametrize("revoke", [revoke_by_logout, revoke_by_reset, revoke_by_disable])
def test_an_open_session_ends_at_its_next_run_once_revoked(engine, users, cookie_key, clock_at, revoke):
    clock_at("2026-11-24T09:00")
    at = _logged_in_app(users["manager"])  # logged in through the form; the overview page shows
    at = at.run()  # the next run (AppTest reruns the page itself, so the page's guard decides)
    assert not at.warning and at.session_state["authentication_status"] is True
    clock_at("2026-11-24T09:05")  # another tab logs out, an admin resets the password or disables
    with write(engine) as conn:
        revoke(conn, users["manager"])
    at = at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [translate("auth.login_required", "zh")]
    assert not at.session_state["authentication_status"]
    assert not at.dataframe and not at.metric


def test_app_shows_the_login_form_for_a_revoked_session(engine, users, cookie_key, clock_at):
    clock_at("2026-11-24T09:00")
    at = app_test("app.py", users["manager"])  # a session that logged in at 09:00
    clock_at("2026-11-24T09:05")
    with write(engine) as conn:
        auth.revoke_sessions(conn, users["manager"])
    at = at.run()
    assert not at.exception, at.exception
    assert _shows_login_form(at)
    assert not [b for b in at.button if b.key == "logout_button"]
    assert not at.session_state["authentication_status"]
    # A session that logged in after the logout is fine.
    clock_at("2026-11-24T09:06")
    at = app_test("app.py", users["manager"]).run()
    assert not _shows_login_form(at) and [b for b in at.button if b.key == "logout_button"]


@pytest.mark.parametrize("page", ["kpis", "users"])
def test_page_guard_ends_a_revoked_session(run_page, engine, users, clock_at, page):
    clock_at("2026-11-24T09:00")
    at = run_page(page, "admin")
    assert not at.exception and not at.warning
    clock_at("2026-11-24T09:05")
    with write(engine) as conn:
        auth.revoke_sessions(conn, users["admin"])
    at = at.run()
    assert [w.value for w in at.warning] == [translate("auth.login_required", "zh")]
    assert not at.dataframe and not at.metric


def test_a_session_without_its_login_time_is_not_trusted(engine, users):
    at = app_test("pages/users.py", users["admin"])
    del at.session_state["session_issued_at"]
    at = at.run()
    assert [w.value for w in at.warning] == [translate("auth.login_required", "zh")]
