"""Keeping session_rollups equal to the raw sessions.

Approach: recompute the affected days. A write to live_sessions names the days it touched (before and
after the change); inside the same transaction every roll-up row of those days is deleted and
re-inserted by one INSERT ... SELECT ... GROUP BY over the raw sessions of those days (the day index
makes it cheap). Unlike a delta (subtract the old row, add the new), this is right by construction: a
day's roll-up is the GROUP BY of that day's raw rows whatever the write did, MAX columns included, and a
key with NULLs (no room, no roster host) needs no special matching. The price: a write recomputes whole
days, a few hundred sessions each. Two writers recomputing one day at once would each miss the other's
rows (and on PostgreSQL/MariaDB could both insert it): every session writer holds the import lock
(lib.importing lock_imports) first; the demo load writes into an empty database alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, insert, or_, select

from lib import incidents
from lib.core.models import LiveSession, SessionRollup
from lib.core.rollup_diff import keyed_differences
from lib.rollups import coarse
from lib.rollups.measures import measures

LS = LiveSession.__table__
R = SessionRollup
DAY_CHUNK = 200  # days per statement (an IN list every database takes)
KEYS = ("day", "platform", "room", "host_person_id", "host_name")


def _raw_keys() -> list[Any]:
    return [LS.c.started_on, LS.c.platform, LS.c.room, LS.c.host_person_id, LS.c.host_name]


def _fill(conn: Connection, table: Table, where: list[Any]) -> None:
    present = [m for m in measures(LS) if m.name in table.c]
    query = select(*_raw_keys(), *(m.expr for m in present)).where(*where).group_by(*_raw_keys())
    conn.execute(insert(table).from_select([*KEYS, *(m.name for m in present)], query))


def refresh_days(
    conn: Connection, days: Iterable[dt.date | None], rooms: Iterable[str | None] | None = None
) -> int:
    """Recompute the roll-ups of `days` from the raw sessions, in the caller's transaction; with `rooms`,
    only those rooms' keys on those days (room is a roll-up key, so (day, room) is still a whole part of
    the table: a bulk load by room recomputes its own rows, not every room's). Returns the days done."""
    wanted = sorted({d for d in days if d is not None})
    raw_only: list[Any] = []
    rolled_only: list[Any] = []
    if rooms is not None:
        given = set(rooms)
        names = sorted(r for r in given if r is not None)
        for table, out in ((LS, raw_only), (R, rolled_only)):
            cond = table.c.room.in_(names)
            out.append(or_(cond, table.c.room.is_(None)) if None in given else cond)
    changed: set[tuple[Any, ...]] = set()
    for i in range(0, len(wanted), DAY_CHUNK):
        chunk = wanted[i : i + DAY_CHUNK]
        before = coarse.day_rows(conn, chunk, rolled_only)
        conn.execute(delete(R).where(R.c.day.in_(chunk), *rolled_only))
        _fill(conn, R, [LS.c.started_on.in_(chunk), *raw_only])
        changed |= coarse.changed_keys(before, coarse.day_rows(conn, chunk, rolled_only))
    coarse.refresh(conn, changed)  # the coarser rows of the keys that changed, from the day rows
    return len(wanted)


def session_days(conn: Connection, *where: Any) -> set[dt.date]:
    """The days of the stored sessions matching `where` (call before and after a write: both count)."""
    return set(conn.execute(select(LS.c.started_on).where(*where).distinct()).scalars())


def rebuild_connection(conn: Connection, table: Table | None = None) -> None:
    """Empty and refill the roll-ups from every raw session, the coarser ones from the day rows (`table`:
    the day roll-up table as a migration sees it; only its columns are filled, and nothing else)."""
    target = R if table is None else table
    conn.execute(delete(target))
    _fill(conn, target, [])
    if table is None:
        coarse.rebuild_coarse(conn)


def rebuild(engine: Engine) -> None:
    from lib.core.db import write

    with write(engine) as conn:
        rebuild_connection(conn)
        incidents.rebuild_rollups(conn)  # the incident roll-ups (lib.incidents.rollup) too


def differences(conn: Connection) -> list[dict[str, Any]]:
    """Every day roll-up key whose stored sums differ from a fresh GROUP BY of the raw sessions (missing or
    extra keys included): [{table, key, column: [stored, fresh]}]."""
    ms = measures(LS)
    fresh_q = select(
        *(c.label(k) for c, k in zip(_raw_keys(), KEYS, strict=True)), *(m.expr.label(m.name) for m in ms)
    )
    fresh = conn.execute(fresh_q.group_by(*_raw_keys()))
    stored = conn.execute(select(*(R.c[k] for k in KEYS), *(R.c[m.name] for m in ms)))
    return [{"table": R.name, **d} for d in keyed_differences(stored, fresh, KEYS)]


def check(engine: Engine) -> list[dict[str, Any]]:
    """The differences of the session roll-ups (day, month, platform-day) and of the incident roll-ups."""
    with engine.connect() as conn:
        return differences(conn) + coarse.differences(conn) + incidents.rollup_differences(conn)
