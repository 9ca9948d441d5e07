"""The coarser roll-ups, kept from session_rollups in the writer's transaction.

session_month_rollups: per month x platform x room x host, so the whole months of a range read one row per
key instead of one per key and day (a demo month: ~30x fewer rows). session_platform_day_rollups: per day x
platform, for questions that filter and group by nothing finer (the unfiltered trend, the home tiles).

Both are recomputed from the day roll-up (a GROUP BY of its rows: right by construction, as the day rows
are right in the same transaction), for the months and days a write touched; `differences` compares them
with a fresh GROUP BY of the raw sessions, not of the day roll-up, so a drift anywhere shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, func, insert, literal, or_, select

from lib.core.dates import month_end, month_start, month_starts
from lib.core.models import LiveSession, SessionMonthRollup, SessionPlatformDayRollup, SessionRollup
from lib.core.rollup_diff import keyed_differences
from lib.rollups.measures import combined, measures

LS = LiveSession.__table__
DAY_CHUNK = 200  # days per statement (an IN list every database takes)
KEY_CHUNK = 50  # month keys recomputed per statement (an OR of key matches)
WHOLE_MONTH_FROM = 400  # more changed keys in a month than this (a bulk load): the month recomputed whole
MONTH_KEYS = ("month", "platform", "room", "host_person_id", "host_name")
PLATFORM_KEYS = ("day", "platform")
_HOST_KEYS = ("platform", "room", "host_person_id", "host_name")


def _fill_month(conn: Connection, month: dt.date, day_table: Table, target: Table, where: list[Any]) -> None:
    """The month's rows of `target` from the day roll-up's rows of that month (and `where`)."""
    ms = [m for m in measures(LS) if m.name in target.c]
    keys = [day_table.c[k] for k in _HOST_KEYS]
    query = (
        select(literal(month, target.c.month.type), *keys, *(combined(day_table, m) for m in ms))
        .where(day_table.c.day >= month, day_table.c.day <= month_end(month), *where)
        .group_by(*keys)
    )
    conn.execute(insert(target).from_select([*MONTH_KEYS, *(m.name for m in ms)], query))


def _fill_platform_days(conn: Connection, day_table: Table, target: Table, where: list[Any]) -> None:
    ms = [m for m in measures(LS) if m.name in target.c]
    keys = [day_table.c.day, day_table.c.platform]
    query = select(*keys, *(combined(day_table, m) for m in ms)).where(*where).group_by(*keys)
    conn.execute(insert(target).from_select([*PLATFORM_KEYS, *(m.name for m in ms)], query))


def day_rows(conn: Connection, days: list[dt.date], where: list[Any]) -> set[tuple[Any, ...]]:
    """The day roll-up's whole rows of `days` (and `where`): read before and after a refresh, their
    difference names the keys whose month rows must be recomputed."""
    r = SessionRollup
    return {tuple(row) for row in conn.execute(select(*r.c).where(r.c.day.in_(days), *where))}


def changed_keys(before: set[tuple[Any, ...]], after: set[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    """(day, platform, room, host person id, host name) of every day row that changed, came or went."""
    return {row[:5] for row in before ^ after}


def refresh(conn: Connection, changed: set[tuple[Any, ...]]) -> None:
    """After the day roll-up changed at `changed` (changed_keys): those keys' month rows, and the platform
    rows of those days. Only the changed keys: a month's rows are a GROUP BY of the month's day rows, and a
    whole month at 1,000,000 sessions is ~60,000 of them (seconds per import), a key's ~30."""
    r, m, p = SessionRollup, SessionMonthRollup, SessionPlatformDayRollup
    by_month: dict[dt.date, set[tuple[Any, ...]]] = {}
    for day, *key in changed:
        by_month.setdefault(month_start(day), set()).add(tuple(key))
    for month, keys in sorted(by_month.items()):
        if len(keys) > WHOLE_MONTH_FROM:  # a bulk write: the month at once
            conn.execute(delete(m).where(m.c.month == month))
            _fill_month(conn, month, r, m, [])
            continue
        ordered = sorted(keys, key=lambda k: tuple(str(x) for x in k))
        for i in range(0, len(ordered), KEY_CHUNK):
            part = ordered[i : i + KEY_CHUNK]
            conn.execute(delete(m).where(m.c.month == month, _keys_cond(m, part)))
            _fill_month(conn, month, r, m, [_keys_cond(r, part)])
    days = sorted({row[0] for row in changed})
    for i in range(0, len(days), DAY_CHUNK):
        chunk = days[i : i + DAY_CHUNK]
        conn.execute(delete(p).where(p.c.day.in_(chunk)))
        _fill_platform_days(conn, r, p, [r.c.day.in_(chunk)])


def _keys_cond(table: Table, keys: list[tuple[Any, ...]]) -> Any:
    """Rows of these (platform, room, host person id, host name) keys: found by room (the room index),
    then matched on the rest through COALESCE, so no database walks the person index instead (most demo
    hosts have no person: IS NULL would match every row of the month). A NULL matches its COALESCE stand-in
    too: more keys recomputed, never fewer, and the delete and the fill use the same condition."""
    c = table.c
    exact = [
        and_(
            func.coalesce(c.platform, "") == platform,
            func.coalesce(c.host_person_id, -1) == (-1 if person is None else person),
            func.coalesce(c.host_name, "") == (name or ""),
        )
        for platform, _room, person, name in keys
    ]
    return and_(_room_cond(table, {k[1] for k in keys}), or_(*exact))


def _room_cond(table: Table, given: set[Any]) -> Any:
    cond = table.c.room.in_(sorted(n for n in given if n is not None))
    return or_(cond, table.c.room.is_(None)) if None in given else cond


def rebuild_coarse(
    conn: Connection,
    day_table: Table | None = None,
    month_table: Table | None = None,
    platform_table: Table | None = None,
) -> None:
    """Empty and refill both coarse roll-ups from the day roll-up (the tables as a migration sees them)."""
    r = SessionRollup if day_table is None else day_table
    m = SessionMonthRollup if month_table is None else month_table
    p = SessionPlatformDayRollup if platform_table is None else platform_table
    conn.execute(delete(m))
    conn.execute(delete(p))
    first, last = conn.execute(select(func.min(r.c.day), func.max(r.c.day))).one()
    for month in month_starts(first, last):
        _fill_month(conn, month, r, m, [])
    _fill_platform_days(conn, r, p, [])


@dataclass(frozen=True)
class _Keyed:
    _mapping: dict[str, Any]  # what keyed_differences reads of a row


def _fresh_months(conn: Connection) -> Iterator[_Keyed]:
    """A fresh GROUP BY of the raw sessions per month x platform x room x host (one statement a month; the
    month put in here: MySQL returns a selected date parameter as text)."""
    ms = measures(LS)
    keys = [LS.c[k] for k in _HOST_KEYS]
    first, last = conn.execute(select(func.min(LS.c.started_on), func.max(LS.c.started_on))).one()
    for month in month_starts(first, last):
        query = (
            select(*keys, *(x.expr.label(x.name) for x in ms))
            .where(LS.c.started_on >= month, LS.c.started_on <= month_end(month))
            .group_by(*keys)
        )
        for row in conn.execute(query):
            yield _Keyed({"month": month, **row._mapping})


def differences(conn: Connection) -> list[dict[str, Any]]:
    """The keys of both coarse roll-ups whose stored sums differ from a fresh GROUP BY of the raw sessions
    (each key says its table)."""
    ms = measures(LS)
    m, p = SessionMonthRollup, SessionPlatformDayRollup
    out = []
    stored = conn.execute(select(*(m.c[k] for k in MONTH_KEYS), *(m.c[x.name] for x in ms)))
    for diff in keyed_differences(stored, _fresh_months(conn), MONTH_KEYS):
        out.append({"table": m.name, **diff})
    keys = [LS.c.started_on.label("day"), LS.c.platform]
    fresh = conn.execute(
        select(*keys, *(x.expr.label(x.name) for x in ms)).group_by(LS.c.started_on, LS.c.platform)
    )
    stored = conn.execute(select(*(p.c[k] for k in PLATFORM_KEYS), *(p.c[x.name] for x in ms)))
    for diff in keyed_differences(stored, fresh, PLATFORM_KEYS):
        out.append({"table": p.name, **diff})
    return out
