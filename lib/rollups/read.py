"""The KPI sums read from the roll-ups: the same statement shape and labels as lib.kpis `sums_query`
(its GROUP BY over live_sessions), over session_rollups instead.

What the roll-up can serve: any date range, the platform, room, host and team filters (host and team are
the roster person or the exported host name, both roll-up keys), and the groups day/week/month (by day),
host, team, room, platform and "all". What it cannot: one row per session (`by="session"`): the
per-session view stays on the raw rows, and `sums_query` returns None for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, literal, or_, select

from lib.core.models import LiveSession, SessionRollup
from lib.rollups.measures import measures, selected

R = SessionRollup
TIME_GROUPS = ("day", "week", "month")
_MEASURES = measures(LiveSession.__table__)  # only their names and how they combine are used here


def _where(filters: Any, roster: Any, date_from: dt.date, date_to: dt.date) -> list[Any]:
    """lib.kpis where_conditions over the roll-up keys (`filters` a kpis.Filters, `roster` a kpis.Roster)."""
    conds: list[Any] = [R.c.day >= date_from, R.c.day <= date_to]
    if filters.platform:
        conds.append(R.c.platform == filters.platform)
    if filters.room:
        conds.append(R.c.room == filters.room)
    if filters.host:
        ids = roster.person_ids(filters.host)
        by_name = and_(R.c.host_person_id.is_(None), R.c.host_name == filters.host)
        conds.append(or_(R.c.host_person_id.in_(ids), by_name) if ids else by_name)
    if filters.team:
        team_id = roster.team_id(filters.team)
        ids = [pid for pid, tid in roster.person_team.items() if tid == team_id and team_id is not None]
        conds.append(R.c.host_person_id.in_(ids) if ids else literal(False))
    return conds


def _group_columns(by: str) -> list[Any] | None:
    if by in TIME_GROUPS:
        return [R.c.day.label("k_day")]
    if by in ("host", "team"):
        return [R.c.host_person_id.label("k_person"), R.c.host_name.label("k_host_name")]
    if by == "room":
        return [R.c.room.label("k_room")]
    if by == "platform":
        return [R.c.platform.label("k_platform")]
    if by == "all":
        return []
    return None  # "session" (one row per session) or unknown: not a roll-up's question


def _combined(name: str, combine: str) -> Any:
    col = R.c[name]
    if combine == "max":
        return func.max(col).label(name)
    if combine == "count":  # a count over no row is 0 on the raw table, as here
        return func.coalesce(func.sum(col), 0).label(name)
    return func.sum(col).label(name)


def sums_query(
    filters: Any,
    by: str,
    roster: Any,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    metric_keys: tuple[str, ...] | None = None,
    extras: bool = False,
) -> Any | None:
    """The statement answering `lib.kpis.sums_query(filters, by, roster, ...)` from the roll-ups: the
    same group-key and sum labels, the same values (floats up to the order of addition); None when the
    roll-up cannot answer (`by="session"`)."""
    keys = _group_columns(by)
    if keys is None:
        return None
    extra = [func.max(R.c.platform).label("k_room_platform")] if by == "room" else []
    where = _where(filters, roster, date_from or filters.date_from, date_to or filters.date_to)
    cols = [_combined(m.name, m.combine) for m in selected(_MEASURES, metric_keys, extras)]
    query = select(*keys, *extra, *cols).where(*where)
    return query.group_by(*keys) if keys else query


def sums_frame(
    engine: Engine,
    filters: Any,
    by: str,
    roster: Any,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    metric_keys: tuple[str, ...] | None = None,
    extras: bool = False,
) -> pd.DataFrame:
    """What lib.kpis `sums_by` returns (group keys, float sums), read from the roll-ups. Raises ValueError
    for a question they cannot answer (`by="session"`): the caller stays on the raw rows for that."""
    query = sums_query(filters, by, roster, date_from, date_to, metric_keys, extras)
    if query is None:
        raise ValueError(f"the roll-ups cannot answer by={by!r}")
    with engine.connect() as conn:
        result = conn.execute(query)
        frame = pd.DataFrame([tuple(r) for r in result.all()], columns=list(result.keys()))
    for name in frame.columns:
        if name == "sessions" or "__" in name:
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return frame


def keys_in_range(engine: Engine, date_from: dt.date, date_to: dt.date) -> list[tuple[Any, ...]]:
    """The distinct (platform, room, host person id, exported host name) with sessions in the range: the
    roll-up keys of those days (the KPI page's filter choices)."""
    keys = (R.c.platform, R.c.room, R.c.host_person_id, R.c.host_name)
    query = select(*keys).where(R.c.day >= date_from, R.c.day <= date_to).group_by(*keys)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query).all()]
