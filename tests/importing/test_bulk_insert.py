"""bulk_insert's fast paths (SQLite: sqlite3's executemany with the column types' bind processing;
PostgreSQL: COPY) store exactly what SQLAlchemy's own INSERT stores: the same text for a datetime, a date,
money and floats, so range queries and comparisons see no difference."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from lib.core.db import write
from lib.core.models import LiveSession, Person, SessionMinute
from lib.importing import commit
from lib.importing.commit import bulk_insert

LS = LiveSession.__table__


def _session(account: str) -> dict:
    return {
        "platform": "douyin",
        "account": account,
        "host_name": "林晓雨",
        "started_at": dt.datetime(2026, 11, 2, 20, 0, 5),
        "started_on": dt.date(2026, 11, 2),
        "ended_at": dt.datetime(2026, 11, 3, 0, 13, 0),
        "duration_minutes": 252.9166666,
        "gmv": 12345.67,  # before orders: not the table's order
        "orders": 321,
        "retention_rate": 0.4125,
    }


def _raw(conn, account: str) -> tuple:
    # the driver's own view of the row: no SQLAlchemy result processing
    cols = [c for c in LS.c.keys() if c not in ("id", "account")]
    sql = f"SELECT {', '.join(cols)} FROM live_sessions WHERE account = '{account}'"
    return tuple(conn.exec_driver_sql(sql).one())


def test_fast_insert_stores_what_sqlalchemy_stores(engine):
    with write(engine) as conn:
        in_table_order = {c: _session("fast2")[c] for c in LS.c.keys() if c in _session("fast2")}
        bulk_insert(conn, LS, [_session("fast")])
        bulk_insert(conn, LS, [in_table_order])
        conn.execute(sa.insert(LS), [_session("slow")])
        if engine.dialect.name == "sqlite":  # keys in another order than the table's: still the fast path
            assert commit.sqlite_executemany(conn, LS, [_session("fast3")])
            assert _raw(conn, "fast3") == _raw(conn, "slow")
    with engine.connect() as conn:
        assert _raw(conn, "fast") == _raw(conn, "slow") == _raw(conn, "fast2")
        found = conn.execute(
            sa.select(sa.func.count()).where(LS.c.started_at >= dt.datetime(2026, 11, 2, 20, 0, 5))
        ).scalar()
        assert found == conn.execute(sa.select(sa.func.count()).select_from(LS)).scalar() >= 3


def test_minute_rows_and_a_table_with_defaults(engine):
    """Minute rows (integers only) take the fast path; a table with a Python-side default (people.active)
    gets the default applied, as SQLAlchemy would."""
    with write(engine) as conn:
        sid = conn.execute(sa.insert(LS).values(_session("m"))).inserted_primary_key[0]
        rows = [{"session_id": sid, "minute": m, "online": 10 * m, "gmv_cents": None} for m in range(3)]
        bulk_insert(conn, SessionMinute.__table__, rows)
        bulk_insert(conn, Person.__table__, [{"name": "测试甲", "hired_on": dt.date(2025, 3, 1)}])
    m = SessionMinute.__table__
    with engine.connect() as conn:
        got = conn.execute(sa.select(m.c.minute, m.c.online, m.c.gmv_cents).order_by(m.c.minute)).all()
        person = conn.execute(sa.select(Person.active, Person.hired_on).where(Person.name == "测试甲")).one()
    assert [tuple(r) for r in got] == [(0, 0, None), (1, 10, None), (2, 20, None)]
    assert tuple(person) == (True, dt.date(2025, 3, 1))
