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
no, and the report reads the raw incidents for those.

Duration histograms: each row also counts its respond and resolve durations per bin (lib.core.durations:
10-second bins up to 10 minutes, 1-minute bins up to an hour, one bin above) and per bucket of ten bins,
and keeps the largest resolve SLA of its resolved incidents. The report's 1-minute resolve-time histogram is a sum of those
bins; its exact percentiles locate each rank's bin from them and read back only that bin's raw durations
(lib.incidents.percentiles). Bins are columns, not rows: at a few incidents per key and day a row per
bin would be about as many rows as incidents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, Table, and_, case, delete, func, insert, literal_column, select

from lib.core.dates import month_end, month_starts
from lib.core.durations import BUCKET_BINS, DURATION_MEASURES, bin_columns, bin_of, coarse_columns
from lib.core.models import Department, Incident, IncidentMonthRollup, IncidentRollup
from lib.core.rollup_diff import keyed_differences
from lib.incidents import filter_values, month_rollup
from lib.incidents.model import ReportFilter
from lib.incidents.sql import IncidentQuery, day_of, week_start

R = IncidentRollup
KEYS = ("day", "category", "severity", "owner_department_id")
DAY_CHUNK = 200  # days per statement
ROLLUP_GROUPS = (None, "category", "severity", "department", "week")


def _per_incident(dialect: str, where: list[Any]) -> Any:
    """One row per incident: its keys and the values the measures add up, each duration computed once and
    binned from that (`bin_of`), so the 222 histogram sums compare small integers, not dates."""
    q = IncidentQuery(dialect)
    durations = select(
        day_of(q.i.c.detected_at, dialect).label("day"),
        q.i.c.category,
        q.i.c.severity,
        q.i.c.owner_department_id,
        q.i.c.responded_at,
        case((q.is_resolved, 1), else_=0).label("is_resolved"),
        q.met.label("met"),
        q.respond_s.label("respond_s"),
        q.resolve_s.label("resolve_s"),
        case((q.is_resolved, q.resolve_sla)).label("resolve_sla"),
    ).select_from(q.source)
    d = _unflattened(durations.where(*where), dialect).subquery("d")
    binned = select(
        d,
        bin_of(d.c.respond_s, dialect).label("respond_bin"),
        bin_of(d.c.resolve_s, dialect).label("resolve_bin"),
    )
    return _unflattened(binned, dialect).subquery("x")


def _unflattened(stmt: Any, dialect: str) -> Any:
    # SQLite merges a subquery into its outer query and then evaluates the subquery's expressions once per
    # use; a LIMIT (-1: none) keeps it a subquery, so each duration is computed once per incident.
    return stmt.limit(-1) if dialect == "sqlite" else stmt


def _measures(x: Any) -> dict[str, Any]:
    out = {
        "incidents": func.count(),
        "open": func.sum(1 - x.c.is_resolved),
        "resolved": func.sum(x.c.is_resolved),
        "met": func.sum(x.c.met),
        "responded": func.count(x.c.responded_at),
        "respond_s_sum": func.sum(x.c.respond_s),
        "resolve_s_sum": func.sum(x.c.resolve_s),
        "resolve_s_max": func.max(x.c.resolve_s),
        "resolve_sla_max": func.max(x.c.resolve_sla),
    }
    for m in DURATION_MEASURES:
        for c, name in enumerate(coarse_columns(m)):
            inside = and_(x.c[f"{m}_bin"] >= c * BUCKET_BINS, x.c[f"{m}_bin"] < (c + 1) * BUCKET_BINS)
            out[name] = func.sum(case((inside, 1), else_=0))
        for k, name in enumerate(bin_columns(m)):
            out[name] = func.sum(case((x.c[f"{m}_bin"] == k, 1), else_=0))
    return out


def _fresh(dialect: str, where: list[Any], names: Iterable[str] | None = None) -> Any:
    """The roll-up rows of the incidents matching `where`, as a GROUP BY (only the measures in `names`)."""
    x = _per_incident(dialect, where)
    keys = [x.c[k] for k in KEYS]
    measures = _measures(x)
    chosen = measures if names is None else {n: measures[n] for n in names if n in measures}
    return select(*keys, *(e.label(n) for n, e in chosen.items())).group_by(*keys)


MEASURES = tuple(_measures(_per_incident("sqlite", [])))  # the measure columns, in table order


def _days_where(dialect: str, days: list[dt.date]) -> list[Any]:
    i = Incident.__table__
    start = dt.datetime.combine(min(days), dt.time())
    end = dt.datetime.combine(max(days) + dt.timedelta(days=1), dt.time())
    return [i.c.detected_at >= start, i.c.detected_at < end, day_of(i.c.detected_at, dialect).in_(days)]


def refresh_days(conn: Connection, days: Iterable[dt.date | None]) -> int:
    """Recompute the incident roll-ups of `days` from the raw incidents, in the caller's transaction."""
    wanted = sorted({d for d in days if d is not None})
    dialect = conn.dialect.name
    names = [*KEYS, *MEASURES]
    for n in range(0, len(wanted), DAY_CHUNK):
        chunk = wanted[n : n + DAY_CHUNK]
        conn.execute(delete(R).where(R.c.day.in_(chunk)))
        conn.execute(insert(R).from_select(names, _fresh(dialect, _days_where(dialect, chunk))))
        filter_values.refresh_days(conn, chunk, _days_where(dialect, chunk))
    month_rollup.refresh_months(conn, month_rollup.months_of(wanted))  # from the day rows just written
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
    names = [*KEYS, *(m for m in MEASURES if m in target.c)]  # a migration's table may have fewer
    conn.execute(insert(target).from_select(names, _fresh(conn.dialect.name, [], names)))
    if table is None:  # a migration fills the filter values (rollups_5) and the month rows (rollups_6) itself
        filter_values.rebuild(conn)
        month_rollup.rebuild(conn)


def differences(conn: Connection) -> list[dict[str, Any]]:
    """Every incident roll-up key whose stored figures differ from a fresh GROUP BY of the raw incidents
    (missing or extra keys included): [{table, key, column: [stored, fresh]}]."""
    measures = list(MEASURES)
    fresh = conn.execute(_fresh(conn.dialect.name, []))
    stored = conn.execute(select(*(R.c[k] for k in (*KEYS, *measures))))
    rolled = [{"table": "incident_rollups", **d} for d in keyed_differences(stored, fresh, KEYS)]
    return rolled + _month_differences(conn) + filter_values.differences(conn)


class _Keyed:
    def __init__(self, mapping: dict[str, Any]) -> None:
        self._mapping = mapping  # what keyed_differences reads of a row


def _fresh_months(conn: Connection) -> Iterator[_Keyed]:
    """A fresh GROUP BY of the raw incidents per month x category x severity x department, one statement
    a month (the month put in here: MySQL returns a selected date parameter as text)."""
    i = Incident.__table__
    first, last = conn.execute(select(func.min(i.c.detected_at), func.max(i.c.detected_at))).one()
    for month in month_starts(first and first.date(), last and last.date()):
        end = month_end(month) + dt.timedelta(days=1)
        where = [
            i.c.detected_at >= dt.datetime.combine(month, dt.time()),
            i.c.detected_at < dt.datetime.combine(end, dt.time()),
        ]
        x = _per_incident(conn.dialect.name, where)
        keys = [x.c[k] for k in month_rollup.KEYS]
        query = select(*keys, *(e.label(n) for n, e in _measures(x).items())).group_by(*keys)
        for row in conn.execute(query):
            yield _Keyed({"month": month, **row._mapping})


def _month_differences(conn: Connection) -> list[dict[str, Any]]:
    m = IncidentMonthRollup
    names = ("month", *month_rollup.KEYS)
    stored = conn.execute(select(*(m.c[k] for k in names), *(m.c[n] for n in MEASURES)))
    return [{"table": m.name, **d} for d in keyed_differences(stored, _fresh_months(conn), names)]


def serves(flt: ReportFilter, by: str | None) -> bool:
    """Whether the roll-up answers the report's counts for this filter and group (see the module doc)."""
    finer = flt.platforms or flt.rooms or flt.hosts or flt.handlers or flt.session_ids
    return not finer and by in ROLLUP_GROUPS


def serves_histograms(flt: ReportFilter, by: str | None) -> bool:
    """Whether the report's percentiles and resolve-time histogram read the roll-ups' duration bins: the
    same filters and groups as the counts (`serves`); a switch of its own for the benches' before/after."""
    return serves(flt, by)


def _grouped(flt: ReportFilter, by: str | None, dialect: str, names: list[str], columns: Any) -> Any:
    """SELECT grp, `columns(r)` FROM the roll-up rows `r` of the filter's period and keys (with the columns
    `names`: the whole months from the month rows, the edge days from the day rows; by week: day rows
    only), grouped like the report."""
    where = {
        "category": flt.categories,
        "severity": flt.severities,
        "owner_department_id": flt.department_ids,
    }
    r = month_rollup.period_rows(flt.date_from, flt.date_to, names, where, days=by == "week")
    d = Department.__table__.alias("d")
    groups = {
        "category": r.c.category,
        "severity": r.c.severity,
        "department": d.c.name,
        "week": week_start(r.c.day, dialect) if by == "week" else None,
    }
    chosen = groups[by] if by else literal_column("'all'")
    assert chosen is not None  # "week" is built when it is the group
    group = chosen.label("grp")
    query = select(group, *columns(r)).select_from(
        r.outerjoin(d, d.c.id == r.c.owner_department_id) if by == "department" else r
    )
    return query.group_by(group) if by else query  # PostgreSQL refuses a constant in GROUP BY


def counts_query(flt: ReportFilter, by: str | None, dialect: str) -> Any:
    """The report's counts (grp, n, open, resolved, met, resolve_max in seconds) from the roll-ups: the
    same rows as the report's GROUP BY over the raw incidents, when `serves(flt, by)`."""
    return _grouped(
        flt,
        by,
        dialect,
        ["incidents", "open", "resolved", "met", "resolve_s_max"],
        lambda r: [
            func.sum(r.c.incidents).label("n"),
            func.sum(r.c.open).label("open"),
            func.sum(r.c.resolved).label("resolved"),
            func.sum(r.c.met).label("met"),
            func.max(r.c.resolve_s_max).label("resolve_max"),
        ],
    )


def histogram_query(flt: ReportFilter, by: str | None, dialect: str, columns: list[str]) -> Any:
    """grp and the sums of the roll-ups' histogram `columns` (bins or buckets, lib.core.durations), in
    order, when `serves`."""
    return _grouped(flt, by, dialect, columns, lambda r: [func.sum(r.c[c]).label(c) for c in columns])


def resolve_histogram_query(flt: ReportFilter, dialect: str) -> Any:
    """category, severity, the largest resolve SLA and the resolve-time bin counts of the filter, ordered
    like the raw histogram (lib.incidents.report resolve_distribution), when `serves(flt, None)`."""
    bins = bin_columns("resolve")
    query = _grouped(
        flt,
        None,
        dialect,
        ["resolve_sla_max", *bins],
        lambda r: [
            r.c.category,
            r.c.severity,
            func.max(r.c.resolve_sla_max).label("sla_minutes"),
            *(func.sum(r.c[c]).label(c) for c in bins),
        ],
    )
    r = query.selected_columns
    return query.group_by(r.category, r.severity).order_by(r.category, r.severity)
