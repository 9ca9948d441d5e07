"""Engine and transactions, the data version, settings and the audit log.

The only module that knows the database URL: `DATABASE_URL`, else `[connections.liveops] url` in
`.streamlit/secrets.toml`, else the SQLite file `data/liveops.db`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, create_engine, event, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from lib.core import clock
from lib.core.models import AppSetting, AuditLog, DataVersion

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE = ROOT / "data" / "liveops.db"
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"

_engines: dict[str, Engine] = {}


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message names it."""


def database_url() -> str:
    """The configured database URL (see module docstring for the order)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    if SECRETS_FILE.exists():
        with SECRETS_FILE.open("rb") as fh:
            try:
                secrets = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{SECRETS_FILE} is not valid TOML: {exc}") from exc
        section = secrets.get("connections", {}).get("liveops", {})
        if section.get("url"):
            return str(section["url"])
    return f"sqlite:///{DEFAULT_SQLITE}"


def normalise_url(url: str) -> str:
    """Pick this project's drivers for bare postgresql:// and mysql:// URLs; utf8mb4 on MySQL."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername in ("mysql", "mariadb"):
        parsed = parsed.set(drivername="mysql+pymysql")
    if parsed.get_backend_name() in ("mysql", "mariadb") and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer of another process
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


# PostgreSQL's default work_mem (4 MB) makes it sort a week of roll-up rows to group them by host (20,000
# rows, ~3,700 hosts at 10,000,000 sessions: 55-75 ms) where a hash takes 22 ms. Per sort or hash of a
# connection, only while one runs; a query that needs more still spills to disk, as before.
PG_WORK_MEM = "16MB"


def _pg_settings(dbapi_conn: Any, _record: Any) -> None:
    with dbapi_conn.cursor() as cur:
        cur.execute(f"SET work_mem = '{PG_WORK_MEM}'")
    dbapi_conn.commit()  # the SET opened a transaction (psycopg is not in autocommit here)


def get_engine(url: str | None = None) -> Engine:
    """One engine (connection pool) per URL per process."""
    url = normalise_url(url or database_url())
    engine = _engines.get(url)
    if engine is None:
        parsed = make_url(url)
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_recycle"] = 1800
        engine = create_engine(url, **kwargs)
        if parsed.get_backend_name() == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        elif parsed.get_backend_name() == "postgresql":
            event.listen(engine, "connect", _pg_settings)
        _engines[url] = engine
    return engine


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def forget_engines_after_fork(*engines: Engine) -> None:
    """In a forked child: drop the parent's pooled connections without closing them (closing would end the
    parent's sessions on the server); the child opens its own if it ever needs one."""
    for engine in (*_engines.values(), *engines):
        engine.dispose(close=False)


@contextmanager
def write(engine: Engine | None = None) -> Iterator[Connection]:
    """A write transaction that bumps the data version on commit (so every process's cache expires)."""
    engine = engine or get_engine()
    with engine.begin() as conn:
        yield conn
        bump_data_version(conn)


def bump_data_version(conn: Connection) -> None:
    conn.execute(update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1))


def inserted_id(result: CursorResult[Any]) -> int:
    """The id of the row a one-row INSERT added (SQLAlchemy types its key as optional)."""
    key = result.inserted_primary_key
    if key is None:
        raise TypeError("not the result of a one-row INSERT")
    return int(key[0])


def data_version(engine: Engine | None = None) -> int:
    """The current data version: cache keys include it, so a write anywhere invalidates them."""
    engine = engine or get_engine()
    with engine.connect() as conn:
        return int(conn.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar() or 0)


def get_setting(conn: Connection, key: str, default: str | None = None) -> str | None:
    value = conn.execute(select(AppSetting.value).where(AppSetting.key == key)).scalar()
    return default if value is None else value


def set_setting(conn: Connection, key: str, value: str) -> None:
    if conn.execute(select(AppSetting.key).where(AppSetting.key == key)).first():
        conn.execute(update(AppSetting).where(AppSetting.key == key).values(value=value))
    else:
        conn.execute(AppSetting.__table__.insert().values(key=key, value=value))


def stored_zone() -> str:
    """The admin's time zone (app_settings), or "" when none is stored or there is no schema yet."""
    try:
        with get_engine().connect() as conn:
            return get_setting(conn, clock.ZONE_SETTING) or ""
    except (SQLAlchemyError, ConfigError):
        return ""


clock.read_stored_zone_with(stored_zone)


def is_demo(engine: Engine | None = None) -> bool:
    """True when the database was filled by `lib.cli demo` (demo banner, demo logins, no cookie key)."""
    engine = engine or get_engine()
    with engine.connect() as conn:
        return get_setting(conn, "demo_mode", "0") == "1"


def now() -> dt.datetime:
    """The team's wall-clock time (lib.core.clock): what every stored timestamp uses."""
    return clock.now()


def audit(conn: Connection, username: str | None, action: str, **detail: Any) -> None:
    """Append to the audit log inside the caller's transaction."""
    conn.execute(
        AuditLog.__table__.insert().values(
            at=now(),
            username=username,
            action=action,
            detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        )
    )


def backend(engine: Engine | None = None) -> str:
    """sqlite, postgresql or mysql (MariaDB reports mysql)."""
    return (engine or get_engine()).dialect.name


def ping(engine: Engine | None = None) -> None:
    with (engine or get_engine()).connect() as conn:
        conn.execute(text("SELECT 1"))
