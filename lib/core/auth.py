"""Users, passwords, login throttling and access rules (no Streamlit here; lib/ui.py wires the widgets).

Access roles (admin / manager / staff) decide what a user may see and do; they are not positions.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import bcrypt
from sqlalchemy import Connection, Engine, Row, and_, case, func, insert, or_, select, update

from lib.core import forms
from lib.core.db import SECRETS_FILE, ConfigError, audit, get_engine, get_setting, inserted_id, now
from lib.core.errors import CodedError
from lib.core.models import Person, User
from lib.core.usernames import canonical_username, username_skeleton

ROLES = ("admin", "manager", "staff")
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_BYTES = 72  # bcrypt's limit; bcrypt 5 raises beyond it
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
COOKIE_NAME = "liveops_auth"
COOKIE_EXPIRY_DAYS = 0.5  # 12 hours: the JWT cookie cannot be HttpOnly, so keep it short
MIN_COOKIE_KEY_CHARS = 32
EXAMPLE_COOKIE_KEYS = {"", "change-me", "change-me-to-a-long-random-string-of-32-or-more-characters"}
DEMO_PASSWORD = "liveops-demo-2026"
BCRYPT_ROUNDS = int(os.environ.get("LIVEOPS_BCRYPT_ROUNDS", "12"))


class AuthError(CodedError):
    """A user-facing refusal; `code` is an i18n key under auth.error, `params` fill it."""

    prefix = "auth.error"


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    person_id: int | None


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    reason: str  # ok / bad_credentials / locked / disabled
    user: CurrentUser | None = None
    locked_until: dt.datetime | None = None


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AuthError("password_too_short", min=MIN_PASSWORD_CHARS)
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AuthError("password_too_long", max=MAX_PASSWORD_BYTES)


def validate_username(username: str) -> str:
    """The canonical form of a new username (see lib.core.usernames), or AuthError when it is not allowed."""
    name = canonical_username(username)
    if not (3 <= len(name) <= 64) or not all(c.isalnum() or c in "._-" for c in name):
        raise AuthError("bad_username", value=name or username)
    return name


def hash_password(password: str) -> str:
    validate_password(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


@functools.cache
def _dummy_hash(rounds: int) -> str:
    """A hash nobody's password matches, at the configured cost: checked for unknown names."""
    return bcrypt.hashpw(os.urandom(16), bcrypt.gensalt(rounds)).decode()


def check_password(password: str, hashed: str) -> bool:
    """The password matches the bcrypt hash (False for an oversized password or a malformed hash)."""
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(raw, hashed.encode())
    except ValueError:
        return False


def _current(row: Row[*tuple[Any, ...]]) -> CurrentUser:
    return CurrentUser(row.id, row.username, row.display_name, row.role, row.person_id)


def _user_row(conn: Connection, username: str) -> Row[*tuple[Any, ...]] | None:
    """The user with this name in canonical form (older rows may differ from it in ASCII case only)."""
    key = canonical_username(username)
    if not key:
        return None
    rows = conn.execute(
        select(User.__table__).where(or_(User.username == key, func.lower(User.username) == key))
    ).all()
    return next((r for r in rows if r.username == key), rows[0] if rows else None)


def _confusable_with(conn: Connection, name: str) -> str | None:
    """An existing username that looks like `name` (same skeleton), if any."""
    skeleton = username_skeleton(name)
    existing = conn.execute(select(User.username)).scalars()
    return next((other for other in existing if username_skeleton(other) == skeleton), None)


def add_user(
    conn: Connection,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    person_id: int | None = None,
    actor: str | None = None,
) -> int:
    username = validate_username(username)
    if role not in ROLES:
        raise AuthError("bad_role", value=role)
    if _user_row(conn, username) is not None:
        raise AuthError("user_exists", value=username)
    lookalike = _confusable_with(conn, username)
    if lookalike is not None:
        raise AuthError("username_confusable", value=username, other=lookalike)
    added = conn.execute(
        insert(User).values(
            username=username,
            display_name=display_name or username,
            role=role,
            password_hash=hash_password(password),
            active=True,
            person_id=person_id,
            failed_logins=0,
            created_at=now(),
        )
    )
    audit(conn, actor, "user_add", user=username, role=role)
    return inserted_id(added)


def update_user(
    conn: Connection,
    username: str,
    actor: str | None,
    *,
    role: str | None = None,
    active: bool | None = None,
    password: str | None = None,
    person_id: int | None | str = "keep",
    display_name: str | None = None,
    version: int | None = None,
) -> None:
    """Change role, enable/disable, reset password or link a roster person; audited. With `version` (the
    one the editor loaded) a change saved in between refuses this one (forms.StaleEdit)."""
    row = _user_row(conn, username)
    if row is None:
        raise AuthError("no_such_user", value=username)
    values: dict[str, object] = {}
    if role is not None:
        if role not in ROLES:
            raise AuthError("bad_role", value=role)
        values["role"] = role
    if active is not None:
        values["active"] = active
        if not active:
            values["sessions_valid_after"] = now() + dt.timedelta(seconds=1)
    if password is not None:
        values.update(
            password_hash=hash_password(password),
            failed_logins=0,
            locked_until=None,
            sessions_valid_after=now() + dt.timedelta(seconds=1),
        )
    if person_id != "keep":
        if (
            person_id is not None
            and conn.execute(select(Person.id).where(Person.id == person_id)).first() is None
        ):
            raise AuthError("no_such_person", value=person_id)
        values["person_id"] = person_id
    if display_name:
        values["display_name"] = display_name
    if values:
        if not forms.update_if_version(
            conn, User.__table__, User.id == row.id, row.version if version is None else version, values
        ):
            raise forms.last_audited_change(conn, "user_update", "user", username)
        shown = {k: ("***" if k == "password_hash" else v) for k, v in values.items()}
        audit(conn, actor, "user_update", user=username, **shown)


def attempt_login(
    conn: Connection, username: str, password: str, at: dt.datetime | None = None
) -> LoginResult:
    """Check a password with throttling: 5 failures within 15 minutes lock the name for 15 minutes.

    Exactly one bcrypt check at the configured cost whatever the outcome (unknown, disabled, locked), so
    the answer's timing tells nothing about the name; the caller shows one message for every refusal.
    Failures are counted in SQL and the lockout is decided on the counter the database holds after the
    increment, so concurrent attempts cannot overwrite each other's count.
    """
    at = at or now()
    row = _user_row(conn, username)
    password_ok = check_password(
        password, row.password_hash if row is not None else _dummy_hash(BCRYPT_ROUNDS)
    )
    if row is None:
        audit(conn, username, "login_failed", reason="unknown_user")
        return LoginResult(False, "bad_credentials")
    if not row.active:
        audit(conn, row.username, "login_refused_disabled")
        return LoginResult(False, "disabled")
    if not password_ok:
        return _record_failure(conn, row, at)
    if _clear_failures_unless_locked(conn, row.id, at):
        audit(conn, row.username, "login")
        return LoginResult(True, "ok", _current(row))
    # A locking read: the latest committed lock, not this transaction's snapshot (MariaDB).
    locked_until = conn.execute(
        select(User.locked_until).where(User.id == row.id).with_for_update()
    ).scalar_one()
    audit(conn, row.username, "login_refused_locked", until=locked_until)
    return LoginResult(False, "locked", locked_until=locked_until)


def _clear_failures_unless_locked(conn: Connection, user_id: int, at: dt.datetime) -> bool:
    """A right password: reset the counter in one statement that also checks the lock (row-locked by the
    database, so a lock set by a concurrent wrong attempt that committed first is seen)."""
    not_locked = or_(User.locked_until.is_(None), User.locked_until <= at)
    result = conn.execute(
        update(User)
        .where(User.id == user_id, not_locked)
        .values(failed_logins=0, first_failed_at=None, locked_until=None)
    )
    return result.rowcount == 1


def _record_failure(conn: Connection, row: Row[*tuple[Any, ...]], at: dt.datetime) -> LoginResult:
    """A wrong password: add one to the counter of the current window (or start a window) in SQL, then
    lock when the count the database now holds reaches the limit. Failures while locked count too."""
    window_open = and_(User.first_failed_at.is_not(None), User.first_failed_at > at - LOCKOUT)
    # Ordered: MariaDB evaluates SET left to right with the new values; the counter must see the old window.
    conn.execute(
        update(User)
        .where(User.id == row.id)
        .ordered_values(
            (User.failed_logins, case((window_open, User.failed_logins + 1), else_=1)),
            (User.first_failed_at, case((window_open, User.first_failed_at), else_=at)),
        )
    )
    state = conn.execute(select(User.failed_logins, User.locked_until).where(User.id == row.id)).one()
    failures = int(state.failed_logins)
    audit(conn, row.username, "login_failed", reason="bad_password", failures=failures)
    locked_until = state.locked_until if state.locked_until is not None and state.locked_until > at else None
    if locked_until is None and failures >= MAX_FAILED_LOGINS:
        locked_until = at + LOCKOUT
        conn.execute(update(User).where(User.id == row.id).values(locked_until=locked_until))
        audit(conn, row.username, "lockout", until=locked_until)
    if locked_until is not None:
        return LoginResult(False, "locked", locked_until=locked_until)
    return LoginResult(False, "bad_credentials")


def load_user(conn: Connection, username: str | None) -> CurrentUser | None:
    """The active user with this name, or None (disabled users count as logged out)."""
    if not username:
        return None
    row = _user_row(conn, username)
    if row is None or not row.active:
        return None
    return _current(row)


def session_user(conn: Connection, username: str | None, issued: dt.datetime | None) -> CurrentUser | None:
    """The user of a login session (or cookie) issued at `issued` (team time), or None when the user is
    gone or disabled, or logged out / had the password reset since (then every session of theirs ends)."""
    if not username or issued is None:
        return None
    row = _user_row(conn, username)
    if row is None or not row.active:
        return None
    if row.sessions_valid_after is not None and issued < row.sessions_valid_after:
        return None
    return _current(row)


def revoke_sessions(conn: Connection, username: str) -> None:
    """Logout: every session and cookie issued so far for this user stops working, in every process."""
    row = _user_row(conn, username)
    if row is None:
        return
    # +1 s: login times are whole seconds (lib.core.clock); a login in the logout's own second ends too.
    conn.execute(
        update(User).where(User.id == row.id).values(sessions_valid_after=now() + dt.timedelta(seconds=1))
    )
    audit(conn, row.username, "logout")


def credentials(conn: Connection) -> dict[str, Any]:
    """The credentials dict streamlit-authenticator expects, built from the database (hashed)."""
    rows = conn.execute(select(User.__table__).where(User.active.is_(True)))
    return {
        "usernames": {
            u.username: {
                "name": u.display_name,
                "password": u.password_hash,
                "roles": [u.role],
                "email": None,
            }
            for u in rows
        }
    }


def cookie_key(engine: Engine | None = None) -> str:
    """The login-cookie signing key: env LIVEOPS_COOKIE_KEY, else secrets [auth] cookie_key.

    Outside demo mode a missing, short or example key is refused (ConfigError with the setting's name);
    a demo database uses the random key stored in it when it was filled.
    """
    key = os.environ.get("LIVEOPS_COOKIE_KEY", "").strip()
    if not key and SECRETS_FILE.exists():
        with SECRETS_FILE.open("rb") as fh:
            key = str(tomllib.load(fh).get("auth", {}).get("cookie_key", "")).strip()
    if key and key not in EXAMPLE_COOKIE_KEYS and len(key) >= MIN_COOKIE_KEY_CHARS:
        return key
    engine = engine or get_engine()
    with engine.connect() as conn:
        demo = get_setting(conn, "demo_mode", "0") == "1"
        demo_key = get_setting(conn, "demo_cookie_key")
    if demo and demo_key:
        return demo_key
    reason = "an example value" if key in EXAMPLE_COOKIE_KEYS and key else "missing"
    if key and key not in EXAMPLE_COOKIE_KEYS:
        reason = f"shorter than {MIN_COOKIE_KEY_CHARS} characters"
    raise ConfigError(
        f"Login cookie key is {reason}: set LIVEOPS_COOKIE_KEY or [auth] cookie_key in "
        f".streamlit/secrets.toml to a random string of {MIN_COOKIE_KEY_CHARS}+ characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
    )


def list_users(engine: Engine) -> list[dict[str, Any]]:
    """Every user with role, state and linked roster person (no password hashes)."""
    stmt = (
        select(
            User.username,
            User.display_name,
            User.role,
            User.active,
            User.locked_until,
            User.person_id,
            Person.name.label("person"),
            User.created_at,
            User.version,
        )
        .outerjoin(Person, Person.id == User.person_id)
        .order_by(User.username)
    )
    with engine.connect() as conn:
        return [row._asdict() for row in conn.execute(stmt)]


def roster_choices(engine: Engine) -> list[tuple[int, str]]:
    """(person id, name) of active roster people, for linking a user to a person."""
    with engine.connect() as conn:
        return [
            (person_id, name)
            for person_id, name in conn.execute(
                select(Person.id, Person.name).where(Person.active.is_(True)).order_by(Person.name)
            )
        ]


def people_names(conn: Connection, usernames: Iterable[object]) -> dict[str, str]:
    """The name a reader knows each login by (an uploader, an author): the roster person's name, else the
    user's display name; a login not found keeps its username."""
    wanted = {u for u in usernames if isinstance(u, str) and u}
    if not wanted:
        return {}
    stmt = (
        select(User.username, func.coalesce(Person.name, User.display_name, User.username))
        .outerjoin(Person, Person.id == User.person_id)
        .where(User.username.in_(wanted))
    )
    return {**{u: u for u in wanted}, **{u: name for u, name in conn.execute(stmt)}}
