"""Incident roll-ups: per detection day x category x severity x owner department, the counts the report
reads (incidents, open, resolved, SLA met; the resolve maximum) and the duration sums a mean needs.

Kept like the session roll-ups (lib.rollups): every write to incidents names the days it touched (before
and after), and inside the same transaction those days are deleted and recomputed by one INSERT ... SELECT
... GROUP BY over the raw incidents of those days, with the report's own expressions (IncidentQuery:
durations in whole seconds, the SLA of the category and severity, else the generic one).

SLA semantics (the report's): an incident is judged with the SLA table in force when it was detected
(incident_slas.valid_from/valid_to, lib.incidents.sql), so saving SLAs from a month changes the `met` of the
days from that month on only; lib.incidents.admin recomputes those days in the same transaction. The
durations and counts stored here do not depend on any SLA.

What the roll-up answers: whole-day periods (the report's filter is in days) filtered by category,
severity and owner department, grouped by nothing, category, severity, department or week. What it
cannot: a filter or group finer than its keys (platform, room, host, handler, session): `serves` says
no, and the report reads the raw incidents for those. Percentiles are never a roll-up's: a sum cannot
give a median (sql_percentiles ranks the raw durations).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Date, Table, case, cast, delete, func, insert, literal_column, select
from sqlalchemy import type_coerce as coerce

from lib.core.models import Department, Incident, IncidentRollup
from lib.core.rollup_diff import keyed_differences
from lib.incidents.model import ReportFilter
from lib.incidents.sql import IncidentQuery, week_start

R = IncidentRollup
KEYS = ("day", "category", "severity", "owner_department_id")
DAY_CHUNK = 200  # days per statement
ROLLUP_GROUPS = (None, "category", "severity", "department", "week")


def day_of(col: Any, dialect: str) -> Any:
    """The calendar day of a timestamp column, typed as a date (SQLite: its text YYYY-MM-DD)."""
    return coerce(func.date(col), Date) if dialect == "sqlite" else cast(col, Date)


def _measures(q: IncidentQuery) -> dict[str, Any]:
    return {
        "incidents": func.count(),
        "open": func.sum(case((q.is_resolved, 0), else_=1)),
        "resolved": func.sum(case((q.is_resolved, 1), else_=0)),
        "met": func.sum(q.met),
        "responded": func.count(q.i.c.responded_at),
        "respond_s_sum": func.sum(q.respond_s),
        "resolve_s_sum": func.sum(q.resolve_s),
        "resolve_s_max": func.max(q.resolve_s),
    }


def _fresh(dialect: str, where: list[Any]) -> Any:
    q = IncidentQuery(dialect)
    keys = [day_of(q.i.c.detected_at, dialect), q.i.c.category, q.i.c.severity, q.i.c.owner_department_id]
    cols = [k.label(n) for k, n in zip(keys, KEYS, strict=True)]
    cols += [expr.label(name) for name, expr in _measures(q).items()]
    return select(*cols).select_from(q.source).where(*where).group_by(*keys)


def _days_where(dialect: str, days: list[dt.date]) -> list[Any]:
    i = Incident.__table__
    start = dt.datetime.combine(min(days), dt.time())
    end = dt.datetime.combine(max(days) + dt.timedelta(days=1), dt.time())
    return [i.c.detected_at >= start, i.c.detected_at < end, day_of(i.c.detected_at, dialect).in_(days)]


def refresh_days(conn: Connection, days: Iterable[dt.date | None]) -> int:
    """Recompute the incident roll-ups of `days` from the raw incidents, in the caller's transaction."""
    wanted = sorted({d for d in days if d is not None})
    dialect = conn.dialect.name
    names = [*KEYS, *_measures(IncidentQuery(dialect))]
    for n in range(0, len(wanted), DAY_CHUNK):
        chunk = wanted[n : n + DAY_CHUNK]
        conn.execute(delete(R).where(R.c.day.in_(chunk)))
        conn.execute(insert(R).from_select(names, _fresh(dialect, _days_where(dialect, chunk))))
    return len(wanted)


def incident_days(conn: Connection, *where: Any) -> set[dt.date]:
    """The detection days of the stored incidents matching `where` (call before and after a write)."""
    i = Incident.__table__
    day = day_of(i.c.detected_at, conn.dialect.name)
    return set(conn.execute(select(day).where(*where).distinct()).scalars())


def rebuild_connection(conn: Connection, table: Table | None = None) -> None:
    """Empty and refill the incident roll-ups from every incident (`table`: as a migration reflects it)."""
    target = R if table is None else table
    conn.execute(delete(target))
    names = [*KEYS, *_measures(IncidentQuery(conn.dialect.name))]
    conn.execute(insert(target).from_select(names, _fresh(conn.dialect.name, [])))


def differences(conn: Connection) -> list[dict[str, Any]]:
    """Every incident roll-up key whose stored figures differ from a fresh GROUP BY of the raw incidents
    (missing or extra keys included): [{table, key, column: [stored, fresh]}]."""
    measures = list(_measures(IncidentQuery(conn.dialect.name)))
    fresh = conn.execute(_fresh(conn.dialect.name, []))
    stored = conn.execute(select(*(R.c[k] for k in (*KEYS, *measures))))
    return [{"table": "incident_rollups", **d} for d in keyed_differences(stored, fresh, KEYS)]


def serves(flt: ReportFilter, by: str | None) -> bool:
    """Whether the roll-up answers the report's counts for this filter and group (see the module doc)."""
    finer = flt.platforms or flt.rooms or flt.hosts or flt.handlers or flt.session_ids
    return not finer and by in ROLLUP_GROUPS


def counts_query(flt: ReportFilter, by: str | None, dialect: str) -> Any:
    """The report's counts (grp, n, open, resolved, met, resolve_max in seconds) from the roll-ups: the
    same rows as the report's GROUP BY over the raw incidents, when `serves(flt, by)`."""
    d = Department.__table__.alias("d")
    groups = {
        "category": R.c.category,
        "severity": R.c.severity,
        "department": d.c.name,
        "week": week_start(R.c.day, dialect) if by == "week" else None,
    }
    chosen = groups[by] if by else literal_column("'all'")
    assert chosen is not None  # "week" is built when it is the group
    group = chosen.label("grp")
    conds = [R.c.day >= flt.date_from, R.c.day <= flt.date_to]
    for values, col in (
        (flt.categories, R.c.category),
        (flt.severities, R.c.severity),
        (flt.department_ids, R.c.owner_department_id),
    ):
        if values:
            conds.append(col.in_(list(values)))
    query = (
        select(
            group,
            func.sum(R.c.incidents).label("n"),
            func.sum(R.c.open).label("open"),
            func.sum(R.c.resolved).label("resolved"),
            func.sum(R.c.met).label("met"),
            func.max(R.c.resolve_s_max).label("resolve_max"),
        )
        .select_from(R.outerjoin(d, d.c.id == R.c.owner_department_id) if by == "department" else R)
        .where(*conds)
    )
    return query.group_by(group) if by else query
