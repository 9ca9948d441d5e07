"""The login cookie is read by our own code: a forged, malformed or expired one reads as "not logged in"
(issue 12 item 11) instead of an exception that hides the login form."""

import base64
import datetime as dt
import json
import time

import jwt
import pytest

from lib.core.login_cookie import encode_login_token, read_login_token

KEY = "k" * 64  # HS512 (refused anyway) warns below 64 bytes
ISSUED = dt.datetime(2026, 11, 24, 9, 0, 0)


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def _claims(**overrides) -> dict:
    return {"username": "t_admin", "exp_date": time.time() + 3600, "issued": ISSUED.isoformat(), **overrides}


def test_a_token_we_issued_reads_back():
    token, expires = encode_login_token("t_admin", ISSUED, 0.5, KEY)
    read = read_login_token(token, KEY)
    assert (read.username, read.issued) == ("t_admin", ISSUED)
    assert read.expires == pytest.approx(expires) and expires > time.time() + 11 * 3600


FORGED = {
    "alg_none": _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(_claims()) + ".",
    "alg_none_no_dot": _b64({"alg": "none"}) + "." + _b64(_claims()),
    "hs512_same_key": jwt.encode(_claims(), KEY, algorithm="HS512"),
    "other_key": jwt.encode(_claims(), "x" * 48, algorithm="HS256"),
    "expired": jwt.encode(_claims(exp_date=time.time() - 1), KEY, algorithm="HS256"),
    "no_expiry": jwt.encode({"username": "t_admin", "issued": ISSUED.isoformat()}, KEY, algorithm="HS256"),
    "expiry_as_text": jwt.encode(_claims(exp_date="tomorrow"), KEY, algorithm="HS256"),
    "expiry_infinite": jwt.encode(_claims(exp_date=1e400), KEY, algorithm="HS256"),
    "username_number": jwt.encode(_claims(username=7), KEY, algorithm="HS256"),
    "no_issued": jwt.encode(_claims(issued=None), KEY, algorithm="HS256"),
    "issued_garbage": jwt.encode(_claims(issued="yesterday"), KEY, algorithm="HS256"),
    "issued_with_zone": jwt.encode(_claims(issued="2026-11-24T09:00:00+08:00"), KEY, algorithm="HS256"),
    "garbage": "not-a-token",
    "three_dots": "a.b.c",
    "empty": "",
    "huge": "a" * 100_000,
    "json_array_payload": _b64({"alg": "HS256"}) + "." + base64.urlsafe_b64encode(b"[1]").decode() + ".x",
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_forged_or_malformed_cookies_read_as_no_login(name):
    assert read_login_token(FORGED[name], KEY) is None


@pytest.mark.parametrize("raw", [None, 12, b"bytes"])
def test_non_text_values_read_as_no_login(raw):
    assert read_login_token(raw, KEY) is None


# --- app.py's cookie path, under AppTest (its st.context.cookies is replaced by a fixed jar) ----------------


@pytest.fixture
def cookie_jar(engine, users, monkeypatch):
    """cookie_jar(value) -> an AppTest of app.py whose browser sends `liveops_auth=value`."""
    from streamlit.runtime.context import ContextProxy, StreamlitCookies

    from lib.core import auth
    from tests.conftest import app_test

    monkeypatch.setattr(auth, "SECRETS_FILE", auth.SECRETS_FILE.parent / "no-such-secrets.toml")
    monkeypatch.setenv("LIVEOPS_COOKIE_KEY", KEY)
    jar: dict[str, str] = {}
    monkeypatch.setattr(ContextProxy, "cookies", property(lambda self: StreamlitCookies(jar)))

    def _app(value: str):
        jar[auth.COOKIE_NAME] = value
        return app_test("app.py")

    return _app


def _login_form_shown(at) -> bool:
    return "login_username" in {w.key for w in at.text_input}


@pytest.mark.parametrize("name", ["alg_none", "hs512_same_key", "other_key", "expired", "garbage", "huge"])
def test_app_ignores_a_forged_cookie_and_shows_the_login_form(cookie_jar, name):
    at = cookie_jar(FORGED[name]).run()
    assert not at.exception, at.exception
    assert _login_form_shown(at)
    assert not at.session_state["authentication_status"]
    assert "clear_login_cookie" in at.session_state  # the component that deletes it was rendered


def test_app_logs_in_from_a_good_cookie_and_not_from_a_revoked_one(cookie_jar, engine, users, clock_at):
    from lib.core import auth
    from lib.core.db import write

    clock_at("2026-11-24T09:00")
    token, _ = encode_login_token(users["staff"], auth.now(), 0.5, KEY)
    at = cookie_jar(token).run()
    assert not at.exception and not _login_form_shown(at)
    assert at.session_state["username"] == users["staff"]
    clock_at("2026-11-24T09:05")
    with write(engine) as conn:
        auth.revoke_sessions(conn, users["staff"])
    at = cookie_jar(token).run()
    assert not at.exception and _login_form_shown(at)
    assert not at.session_state["authentication_status"]


def _browser_reads(expires_text: str, browser_zone: dt.tzinfo) -> float:
    """The instant a browser's `new Date(text)` makes of the cookie component's expiry: an ISO date-time
    without an offset is the browser's local time."""
    parsed = dt.datetime.fromisoformat(expires_text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=browser_zone)).timestamp()


@pytest.mark.parametrize("hours", [8, 0, -5])
def test_the_cookie_expiry_is_the_same_instant_in_every_browser_zone(monkeypatch, hours):
    """Issue 20: the expiry handed to the cookie component was a naive server-local time, so with the server
    in UTC and the browser in UTC+8 the cookie died 8 hours early."""
    from lib.web import login

    _token, expires = encode_login_token("t_admin", ISSUED, 0.5, KEY)
    state = {login.PENDING_COOKIE: ("token", expires)}
    calls = []

    def cookie_manager(**kwargs):
        calls.append(kwargs)
        return False

    model = type("M", (), {"cookie_name": "liveops_auth", "cookie_manager": type("C", (), {})()})()
    model.cookie_manager.cookie_manager = cookie_manager
    authenticator = type("A", (), {"cookie_controller": type("CC", (), {"cookie_model": model})()})()
    monkeypatch.setattr(login.st, "session_state", state)
    login.write_pending_cookie(authenticator)
    zone = dt.timezone(dt.timedelta(hours=hours))
    assert _browser_reads(calls[0]["options"]["expires"], zone) == pytest.approx(expires, abs=1)
