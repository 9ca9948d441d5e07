"""The KPI sums read from the roll-ups: the same statement shape and labels as lib.kpis `sums_query`
(its GROUP BY over live_sessions), over the coarsest roll-ups that can answer instead.

What the roll-ups can serve: any date range, the platform, room, host and team filters (host and team are
the roster person or the exported host name, both roll-up keys), and the groups day/week/month (by day),
host, team, room, platform and "all". What they cannot: one row per session (`by="session"`): the
per-session view stays on the raw rows, and `sums_query` returns None for it.

Which roll-up (`parts`): per day x platform when nothing finer than the platform is filtered or grouped
(the unfiltered trend, the tiles); else the whole months of the range from the month roll-up and the days
around them from the day roll-up, in one UNION ALL, unless the groups are days (the day roll-up alone).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import Engine, FromClause, Table, and_, func, literal, or_, select, union, union_all

from lib.core.dates import month_end, month_start
from lib.core.metrics import is_sum_column
from lib.core.models import LiveSession, SessionMonthRollup, SessionPlatformDayRollup, SessionRollup
from lib.rollups.measures import combined, measures, selected

R = SessionRollup
M = SessionMonthRollup
P = SessionPlatformDayRollup
TIME_GROUPS = ("day", "week", "month")
_MEASURES = measures(LiveSession.__table__)  # only their names and how they combine are used here
_ONE_DAY = dt.timedelta(days=1)


class Part(NamedTuple):
    """One roll-up table read over [first, last] of its period column (a month row: its first day)."""

    table: Table
    period: str  # "day" or "month"
    first: dt.date
    last: dt.date


def parts(filters: Any, by: str, date_from: dt.date, date_to: dt.date) -> list[Part]:
    """The roll-up tables (and their spans) that together hold exactly the days [date_from, date_to]."""
    finer = bool(filters.room or filters.host or filters.team)
    if not finer and by in (*TIME_GROUPS, "platform", "all"):
        return [Part(P, "day", date_from, date_to)]
    first = date_from if date_from.day == 1 else month_end(date_from) + _ONE_DAY
    last = date_to if date_to == month_end(date_to) else month_start(date_to) - _ONE_DAY
    if by in TIME_GROUPS or first > last:  # days asked for, or no whole month in the range
        return [Part(R, "day", date_from, date_to)]
    out = [Part(R, "day", date_from, first - _ONE_DAY)] if date_from < first else []
    out.append(Part(M, "month", first, month_start(last)))
    return out + ([Part(R, "day", last + _ONE_DAY, date_to)] if last < date_to else [])


def _where(part: Part, filters: Any, roster: Any, by: str = "") -> list[Any]:
    """lib.kpis where_conditions over a roll-up's keys (`filters` a kpis.Filters, `roster` a kpis.Roster)."""
    t = part.table
    conds: list[Any] = [t.c[part.period] >= part.first, t.c[part.period] <= part.last]
    if by == "person":
        conds.append(t.c.host_person_id.is_not(None))
    if filters.platform:
        conds.append(t.c.platform == filters.platform)
    if filters.room:
        conds.append(t.c.room == filters.room)
    if filters.host:
        ids = roster.person_ids(filters.host)
        by_name = and_(t.c.host_person_id.is_(None), t.c.host_name == filters.host)
        conds.append(or_(t.c.host_person_id.in_(ids), by_name) if ids else by_name)
    if filters.team:
        team_id = roster.team_id(filters.team)
        ids = [pid for pid, tid in roster.person_team.items() if tid == team_id and team_id is not None]
        conds.append(t.c.host_person_id.in_(ids) if ids else literal(False))
    return conds


def _key_sources(by: str) -> tuple[tuple[str, str], ...] | None:
    """(column, label) of the group keys of `by`; None for a question no roll-up answers."""
    if by in TIME_GROUPS:
        return (("day", "k_day"),)
    if by in ("host", "team"):
        return (("host_person_id", "k_person"), ("host_name", "k_host_name"))
    if by == "person":  # roster hosts only (the scorecards): one row per person, the rest left in SQL
        return (("host_person_id", "k_person"),)
    if by in ("room", "platform"):
        return ((by, f"k_{by}"),)
    if by == "all":
        return ()
    return None  # "session" (one row per session) or unknown: not a roll-up's question


def _grouped(source: FromClause, keys: tuple[tuple[str, str], ...], by: str, chosen: list[Any]) -> Any:
    cols = [source.c[c].label(label) for c, label in keys]
    extra = [func.max(source.c.platform).label("k_room_platform")] if by == "room" else []
    query = select(*cols, *extra, *(combined(source, m, as_float=True) for m in chosen))
    return query.group_by(*cols) if cols else query


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
    keys = _key_sources(by)
    if keys is None:
        return None
    chosen = selected(_MEASURES, metric_keys, extras)
    spans = parts(filters, by, date_from or filters.date_from, date_to or filters.date_to)
    if len(spans) == 1:
        [part] = spans
        return _grouped(part.table, keys, by, chosen).where(*_where(part, filters, roster, by))
    # Months and days of one range: their rows side by side, then grouped as one table.
    plain = {c for c, _label in keys} | ({"platform"} if by == "room" else set())
    rows = [
        select(*(p.table.c[c] for c in sorted(plain)), *(p.table.c[m.name] for m in chosen)).where(
            *_where(p, filters, roster, by)
        )
        for p in spans
    ]
    return _grouped(union_all(*rows).subquery("parts"), keys, by, chosen)


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
    return frame_of(engine, query)


def frame_of(engine: Engine, query: Any) -> pd.DataFrame:
    """The rows of a sums statement (this module's or lib.kpis' raw one): group keys as read, the sums
    (`sessions` and every `metric__input` column) as floats, NaN for NULL."""
    with engine.connect() as conn:
        result = conn.execute(query)
        names, rows = list(result.keys()), result.all()
    sums = [i for i, name in enumerate(names) if is_sum_column(name)]
    keys = [i for i, name in enumerate(names) if not is_sum_column(name)]
    # The sums as one float block (None -> NaN, Decimal -> float): converting ~120 columns one by one
    # costs more than the query on a month's roll-up rows.
    values = np.array([[r[i] for i in sums] for r in rows], dtype="float64").reshape(len(rows), len(sums))
    block = pd.DataFrame(values, columns=[names[i] for i in sums])
    labels = pd.DataFrame([tuple(r[i] for i in keys) for r in rows], columns=[names[i] for i in keys])
    return pd.concat([labels, block], axis=1)[names]


def keys_in_range(engine: Engine, date_from: dt.date, date_to: dt.date) -> list[tuple[Any, ...]]:
    """The distinct (platform, room, host person id, exported host name) with sessions in the range: the
    roll-up keys of those days (the KPI page's filter choices), its whole months from the month roll-up."""
    cols = ("platform", "room", "host_person_id", "host_name")
    spans = parts(_NO_FILTERS, "host", date_from, date_to)
    rows = [select(*(p.table.c[c] for c in cols)).where(*_where(p, _NO_FILTERS, None)) for p in spans]
    query = rows[0].distinct() if len(rows) == 1 else union(*rows)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query).all()]


class _NoFilters(NamedTuple):
    platform: None = None
    room: None = None
    host: None = None
    team: None = None


_NO_FILTERS = _NoFilters()
