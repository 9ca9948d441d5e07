"""Passwords, throttling and lockout, disabled users, cookie revocation, the cookie-key refusal."""

import datetime as dt

import pytest

from lib.core import auth
from lib.core.db import ConfigError, write
from lib.core.models import AuditLog
from tests.conftest import TEST_PASSWORD

T0 = dt.datetime(2026, 11, 24, 9, 0, 0)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "password_too_short"),
        ("elevenchars", "password_too_short"),
        ("x" * 73, "password_too_long"),
        ("密码" * 13, "password_too_long"),
    ],
)
def test_password_rules_refuse(password, code):
    with pytest.raises(auth.AuthError) as err:
        auth.validate_password(password)
    assert err.value.code == code


@pytest.mark.parametrize("password", ["twelve-chars", "x" * 72, "中文密码也可以用的长密码"])
def test_password_rules_accept(password):
    auth.validate_password(password)
    assert auth.check_password(password, auth.hash_password(password))


def _audit_actions(engine, username):
    with engine.connect() as conn:
        rows = conn.execute(
            AuditLog.__table__.select().where(AuditLog.username == username).order_by(AuditLog.id)
        )
        return [r.action for r in rows]


def test_five_failures_lock_for_fifteen_minutes_then_unlock(engine, users):
    name = users["staff"]
    with write(engine) as conn:
        for i in range(4):
            assert auth.attempt_login(
                conn, name, "wrong-password-x", T0 + dt.timedelta(minutes=i)
            ).reason == ("bad_credentials")
        fifth = auth.attempt_login(conn, name, "wrong-password-x", T0 + dt.timedelta(minutes=4))
    assert fifth.reason == "locked" and fifth.locked_until == T0 + dt.timedelta(minutes=19)
    with write(engine) as conn:
        # Even the right password is refused while locked.
        assert auth.attempt_login(conn, name, TEST_PASSWORD, T0 + dt.timedelta(minutes=18)).reason == "locked"
        assert auth.attempt_login(conn, name, TEST_PASSWORD, T0 + dt.timedelta(minutes=19, seconds=1)).ok
    actions = _audit_actions(engine, name)
    assert actions.count("login_failed") == 5 and "lockout" in actions and "login_refused_locked" in actions
    assert actions[-1] == "login"


def test_failures_outside_the_window_do_not_add_up(engine, users):
    name = users["staff"]
    with write(engine) as conn:
        for i in range(4):
            auth.attempt_login(conn, name, "wrong-password-x", T0 + dt.timedelta(minutes=i))
        # 20 minutes later the window has passed: this is failure 1 of a new window.
        result = auth.attempt_login(conn, name, "wrong-password-x", T0 + dt.timedelta(minutes=20))
    assert result.reason == "bad_credentials"


def test_success_resets_the_counter(engine, users):
    name = users["staff"]
    with write(engine) as conn:
        for i in range(4):
            auth.attempt_login(conn, name, "wrong-password-x", T0 + dt.timedelta(minutes=i))
        assert auth.attempt_login(conn, name, TEST_PASSWORD, T0 + dt.timedelta(minutes=5)).ok
        assert auth.attempt_login(conn, name, "wrong-password-x", T0 + dt.timedelta(minutes=6)).reason == (
            "bad_credentials"
        )


def test_unknown_user_and_disabled_user(engine, users):
    with write(engine) as conn:
        assert auth.attempt_login(conn, "nobody", TEST_PASSWORD).reason == "bad_credentials"
        auth.update_user(conn, users["staff"], "t_admin", active=False)
        assert auth.attempt_login(conn, users["staff"], TEST_PASSWORD).reason == "disabled"
        assert auth.load_user(conn, users["staff"]) is None
        assert users["staff"] not in auth.credentials(conn)["usernames"]
    assert "login_failed" in _audit_actions(engine, "nobody")


def test_logout_and_reset_revoke_sessions(engine, users, clock_at):
    """Sessions and cookies carry their login time in team time; logout and reset end the older ones."""
    clock_at("2026-11-24T09:00")
    name = users["manager"]
    at = auth.now()

    with write(engine) as conn:
        assert auth.session_user(conn, name, at - dt.timedelta(minutes=1)).username == name
        auth.revoke_sessions(conn, name)  # logout
        assert auth.session_user(conn, name, at - dt.timedelta(minutes=1)) is None
        assert auth.session_user(conn, name, at) is None  # the logout's own second
        assert auth.session_user(conn, name, at + dt.timedelta(seconds=3)).username == name  # a later login
        conn.execute(auth.update(auth.User).values(sessions_valid_after=None))
        assert auth.session_user(conn, name, at - dt.timedelta(minutes=1)) is not None
        auth.update_user(conn, name, "t_admin", password="another-good-password")
        assert auth.session_user(conn, name, at - dt.timedelta(minutes=1)) is None
        assert auth.session_user(conn, name, None) is None  # a session without its login time


def test_user_admin_rules(engine, users):
    with write(engine) as conn:
        with pytest.raises(auth.AuthError, match="user_exists"):
            auth.add_user(conn, users["staff"], TEST_PASSWORD, "staff")
        with pytest.raises(auth.AuthError, match="bad_role"):
            auth.add_user(conn, "newbie", TEST_PASSWORD, "root")
        with pytest.raises(auth.AuthError, match="bad_username"):
            auth.add_user(conn, "<script>", TEST_PASSWORD, "staff")
        auth.update_user(conn, users["staff"], "t_admin", role="manager")
        assert auth.load_user(conn, users["staff"]).role == "manager"


def test_cookie_key_refused_outside_demo(engine, monkeypatch):
    monkeypatch.setattr(auth, "SECRETS_FILE", auth.SECRETS_FILE.parent / "no-such-secrets.toml")
    monkeypatch.delenv("LIVEOPS_COOKIE_KEY", raising=False)
    with pytest.raises(ConfigError, match="missing"):
        auth.cookie_key(engine)
    monkeypatch.setenv("LIVEOPS_COOKIE_KEY", "change-me-to-a-long-random-string-of-32-or-more-characters")
    with pytest.raises(ConfigError, match="example"):
        auth.cookie_key(engine)
    monkeypatch.setenv("LIVEOPS_COOKIE_KEY", "too-short")
    with pytest.raises(ConfigError, match="shorter"):
        auth.cookie_key(engine)
    monkeypatch.setenv("LIVEOPS_COOKIE_KEY", "k" * 40)
    assert auth.cookie_key(engine) == "k" * 40


def test_cookie_key_from_demo_database(engine, monkeypatch):
    from lib.core.db import set_setting

    monkeypatch.setattr(auth, "SECRETS_FILE", auth.SECRETS_FILE.parent / "no-such-secrets.toml")
    with write(engine) as conn:
        set_setting(conn, "demo_mode", "1")
        set_setting(conn, "demo_cookie_key", "d" * 48)
    assert auth.cookie_key(engine) == "d" * 48
