"""Login throttling under concurrent attempts (issue 12 item 1) and equal answers for every refusal, so a
stranger cannot tell which usernames exist (item 6)."""

import datetime as dt
import threading

import bcrypt
import pytest
from sqlalchemy import select, update

from lib.core import auth
from lib.core.db import write
from lib.core.i18n import translate
from lib.core.models import AuditLog, User
from tests.conftest import TEST_PASSWORD, app_test

T0 = dt.datetime(2026, 11, 24, 9, 0, 0)
BURST_ROUNDS = 8  # ~15-30 ms a check: long enough that a burst's reads all happen before its writes
WRONG = "wrong-password-x"


@pytest.fixture
def target(engine, monkeypatch):
    """A user whose hash costs BURST_ROUNDS (the suite's default cost 4 is too quick to race)."""
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", BURST_ROUNDS)
    with write(engine) as conn:
        auth.add_user(conn, "burst_user", TEST_PASSWORD, "staff")
    return "burst_user"


def _burst(engine, username: str, passwords: list[str]) -> list[auth.LoginResult]:
    """Every password tried at once, one thread and transaction each; results in the order given."""
    results: list[auth.LoginResult | BaseException | None] = [None] * len(passwords)
    start = threading.Barrier(len(passwords))

    def attempt(i: int) -> None:
        try:
            start.wait(timeout=30)
            with write(engine) as conn:
                results[i] = auth.attempt_login(conn, username, passwords[i], T0)
        except BaseException as exc:  # noqa: BLE001 - reported below, with the thread's index
            results[i] = exc

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(passwords))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    errors = [(i, r) for i, r in enumerate(results) if not isinstance(r, auth.LoginResult)]
    assert errors == [], errors
    return results  # type: ignore[return-value]


def _state(engine, username: str):
    with engine.connect() as conn:
        return conn.execute(
            select(User.failed_logins, User.locked_until).where(User.username == username)
        ).one()


def _actions(engine, username: str) -> list[str]:
    with engine.connect() as conn:
        stmt = select(AuditLog.action).where(AuditLog.username == username).order_by(AuditLog.id)
        return list(conn.execute(stmt).scalars())


def test_a_burst_of_wrong_passwords_counts_every_failure_and_locks(engine, target):
    results = _burst(engine, target, [WRONG] * 19)
    state = _state(engine, target)
    assert state.failed_logins == 19
    assert state.locked_until == T0 + auth.LOCKOUT
    assert sum(r.reason == "locked" for r in results) == 19 - (auth.MAX_FAILED_LOGINS - 1)
    actions = _actions(engine, target)
    assert actions.count("login_failed") == 19 and actions.count("lockout") == 1
    # The right password afterwards is refused: the burst reached the limit.
    with write(engine) as conn:
        after = auth.attempt_login(conn, target, TEST_PASSWORD, T0 + dt.timedelta(minutes=1))
    assert (after.ok, after.reason) == (False, "locked")


def test_the_right_password_inside_a_burst_wins_only_before_the_limit(engine, target):
    passwords = [WRONG] * 19 + [TEST_PASSWORD]
    results = _burst(engine, target, passwords)
    actions = [a for a in _actions(engine, target) if a in ("login_failed", "login", "login_refused_locked")]
    assert len(actions) == 20
    state = _state(engine, target)
    if results[-1].ok:
        # Allowed only when fewer than the limit had failed before it; the counter restarted at it.
        before = actions.index("login")
        assert before < auth.MAX_FAILED_LOGINS
        assert state.failed_logins == 19 - before
    else:
        assert results[-1].reason == "locked"
        assert actions.index("login_refused_locked") >= auth.MAX_FAILED_LOGINS
        assert state.failed_logins == 19
    assert state.locked_until == T0 + auth.LOCKOUT  # 19 wrong ones lock it either way


def test_the_right_password_is_refused_when_failures_reach_the_limit_during_its_check(engine, target):
    """The race of the report, made deterministic: the right attempt has read the row (not locked) and is
    inside bcrypt when five wrong attempts commit; it must still be refused."""
    real_check = auth.check_password

    def check_while_others_fail(password: str, hashed: str) -> bool:
        if password == TEST_PASSWORD:
            for _ in range(auth.MAX_FAILED_LOGINS):
                with write(engine) as other:
                    auth.attempt_login(other, target, WRONG, T0)
        return real_check(password, hashed)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(auth, "check_password", check_while_others_fail)
        with write(engine) as conn:
            result = auth.attempt_login(conn, target, TEST_PASSWORD, T0)
    assert (result.ok, result.reason, result.locked_until) == (False, "locked", T0 + auth.LOCKOUT)
    assert _state(engine, target).failed_logins == auth.MAX_FAILED_LOGINS


def test_locked_account_refuses_the_right_password_until_it_unlocks(engine, target):
    with write(engine) as conn:
        conn.execute(
            update(User).where(User.username == target).values(locked_until=T0 + dt.timedelta(minutes=5))
        )
        assert auth.attempt_login(conn, target, TEST_PASSWORD, T0).reason == "locked"
        assert auth.attempt_login(conn, target, TEST_PASSWORD, T0 + dt.timedelta(minutes=5, seconds=1)).ok
    assert _state(engine, target).failed_logins == 0


# --- no enumeration: one bcrypt check at the configured cost, one message --------------------------------


@pytest.fixture
def four_cases(engine, users, monkeypatch):
    """username -> situation, for an unknown, a disabled, a locked and a plain existing user."""
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 5)  # not the suite's 4, nor the old dummy hash's 4
    with write(engine) as conn:
        for name in ("e_disabled", "e_locked", "e_plain"):
            auth.add_user(conn, name, TEST_PASSWORD, "staff")
        auth.update_user(conn, "e_disabled", "t_admin", active=False)
        conn.execute(
            update(User).where(User.username == "e_locked").values(locked_until=auth.now() + auth.LOCKOUT)
        )
    return {"unknown": "e_nobody", "disabled": "e_disabled", "locked": "e_locked", "wrong": "e_plain"}


@pytest.mark.parametrize("case", ["unknown", "disabled", "locked", "wrong", "locked_right", "disabled_right"])
def test_every_attempt_checks_one_hash_at_the_configured_cost(engine, four_cases, monkeypatch, case):
    costs: list[int] = []
    real_checkpw = bcrypt.checkpw

    def counting_checkpw(password: bytes, hashed: bytes) -> bool:
        costs.append(int(hashed.split(b"$")[2]))
        return real_checkpw(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting_checkpw)
    situation, _, right = case.partition("_")
    with write(engine) as conn:
        result = auth.attempt_login(conn, four_cases[situation], TEST_PASSWORD if right else WRONG)
    assert not result.ok
    assert costs == [5]


def _login(at, username: str, password: str):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click()
    return at.run()


def test_every_refusal_shows_the_same_message(engine, four_cases, monkeypatch):
    monkeypatch.setattr(auth, "SECRETS_FILE", auth.SECRETS_FILE.parent / "no-such-secrets.toml")
    monkeypatch.setenv("LIVEOPS_COOKIE_KEY", "k" * 48)
    expected = translate("auth.error.login_refused", "zh", max=auth.MAX_FAILED_LOGINS, minutes=15)
    for situation, name in four_cases.items():
        password = WRONG if situation in ("unknown", "wrong") else TEST_PASSWORD
        at = _login(app_test("app.py").run(), name, password)
        assert not at.exception, (situation, at.exception)
        assert [e.value for e in at.error] == [expected], situation
        assert not at.session_state["authentication_status"]
    # The account that just locked itself answers in the same words.
    at = app_test("app.py").run()
    for _ in range(auth.MAX_FAILED_LOGINS):
        at = _login(at, "e_plain", WRONG)
        assert [e.value for e in at.error] == [expected]
