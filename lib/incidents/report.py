"""The incident-duration report: figures per group, the breach and open lists, the resolve-time
histogram, and the monthly feeds of the scorecards.

Definitions (also shown on the report page):
- respond time = responded − detected, resolve time = resolved − detected, in minutes (computed in SQL
  from whole seconds). Open incidents (no resolved time) are left out of resolve times; they are listed
  with their age instead.
- SLA of an incident: the row for its category and severity if there is one, else the generic row for
  its severity (category NULL). A missing SLA limit is not checked.
- An incident meets its SLA when it was responded within `respond_minutes` AND resolved within
  `resolve_minutes`. SLA attainment % = met / resolved incidents of the group × 100 (open incidents are
  not judged yet). Breaches = resolved incidents that missed. A resolved incident without a response
  time misses the response part. The major-incident meeting limit is informational only.
- Percentiles (p50 = median, p90) use linear interpolation between the two nearest ranks: numpy's
  'linear' method, the same as pandas `quantile()`, over the durations of the group. Computed in SQL:
  window functions rank the durations and only the two rows around each percentile come back
  (`sql_percentiles`); counts, SLA sums and maxima are GROUP BY in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, literal_column, or_, select

from lib.core.db import now
from lib.core.durations import DURATION_BIN_STARTS
from lib.incidents import rollup
from lib.incidents.model import (
    DISTRIBUTION_CAP_MINUTES,
    GROUP_BYS,
    LIST_LIMIT,
    REPORT_COLUMNS,
    IncidentError,
    ReportFilter,
    minutes,
)
from lib.incidents.percentiles import rollup_percentiles
from lib.incidents.sql import (
    IncidentQuery,
    detail_columns,
    detail_frame,
    dialect_of,
    floor_int,
    month_text,
    sql_percentiles,
)


def report(engine: Engine, flt: ReportFilter, by: str | None = None) -> list[dict[str, Any]]:
    """Figures per group (or one group "all" when `by` is None): count, open, respond/resolve p50/p90,
    resolve max (minutes, 2 decimals), SLA attainment % (2 decimals, None without resolved incidents),
    breaches. Counts are GROUP BY in SQL and percentiles exact: both from the incident roll-ups where they
    serve the filter and group (lib.incidents.rollup, lib.incidents.percentiles), else over the raw
    incidents (percentiles by window functions, sql_percentiles)."""
    if by is not None and by not in GROUP_BYS:
        raise IncidentError("bad_group", by=by)
    q = IncidentQuery(dialect_of(engine))
    where = q.where(flt)
    keys = [q.group_expr(by)] if by else []
    # Whole days by category, severity or department: the maintained roll-ups (counts, and the duration
    # histograms that locate each percentile). A platform, room, host, handler or session filter, or the
    # handler group, is finer than their keys: the raw incidents.
    served = rollup.serves(flt, by)
    counts = rollup.counts_query(flt, by, q.dialect) if served else _raw_counts(q, where, by)
    with engine.connect() as conn:
        rows = conn.execute(counts).all()
        # Exact percentiles from the roll-ups' duration histograms (lib.incidents.percentiles) where they
        # serve; else (or if a write slipped between its reads) ranked over every raw duration.
        pct = rollup_percentiles(conn, q, flt, by) if rollup.serves_histograms(flt, by) else None
        if pct is None:
            pct = sql_percentiles(conn, q, where, keys, {"respond": q.respond_s, "resolve": q.resolve_s})
    out = []
    for r in rows:
        if not r.n:  # an ungrouped aggregate of nothing still returns one row
            continue
        p = pct.get((r.grp,) if by else (), {})
        respond_p50, respond_p90 = (minutes(v) for v in p.get("respond", [None, None]))
        resolve_p50, resolve_p90 = (minutes(v) for v in p.get("resolve", [None, None]))
        resolved = int(r.resolved or 0)
        out.append(
            {
                "group": r.grp,
                "count": int(r.n),
                "open": int(r.open or 0),
                "respond_p50": respond_p50,
                "respond_p90": respond_p90,
                "resolve_p50": resolve_p50,
                "resolve_p90": resolve_p90,
                "resolve_max": minutes(r.resolve_max),
                "sla_attainment": round(100.0 * int(r.met or 0) / resolved, 2) if resolved else None,
                "breaches": resolved - int(r.met or 0),
            }
        )
    out.sort(key=lambda x: (x["group"] is None, str(x["group"])))
    return out


def _raw_counts(q: IncidentQuery, where: list[Any], by: str | None) -> Any:
    """The report's counts (grp, n, open, resolved, met, resolve_max) as a GROUP BY over the incidents."""
    group = (q.group_expr(by) if by else literal_column("'all'")).label("grp")
    counts = (
        select(
            group,
            func.count().label("n"),
            func.sum(case((q.is_resolved, 0), else_=1)).label("open"),
            func.sum(case((q.is_resolved, 1), else_=0)).label("resolved"),
            func.sum(q.met).label("met"),
            func.max(q.resolve_s).label("resolve_max"),
        )
        .select_from(q.source)
        .where(*where)
    )
    return counts.group_by(group) if by else counts  # PostgreSQL refuses a constant in GROUP BY


def report_frame(engine: Engine, flt: ReportFilter, by: str | None = None) -> pd.DataFrame:
    return pd.DataFrame(report(engine, flt, by), columns=list(REPORT_COLUMNS))


def breaches(
    engine: Engine, flt: ReportFilter, without_reason: bool = False, limit: int = LIST_LIMIT
) -> pd.DataFrame:
    """Resolved incidents that missed their SLA (newest first); `without_reason`: those still lacking one."""
    q = IncidentQuery(dialect_of(engine))
    stmt = select(*detail_columns(q)).select_from(q.source).where(*q.where(flt), q.breach == 1)
    if without_reason:
        stmt = stmt.where(or_(q.i.c.overtime_reason.is_(None), q.i.c.overtime_reason == ""))
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(q.i.c.detected_at.desc(), q.i.c.id.desc()).limit(limit)).all()
    return detail_frame(rows)


def open_incidents(
    engine: Engine, flt: ReportFilter, as_of: dt.datetime | None = None, limit: int = LIST_LIMIT
) -> pd.DataFrame:
    """Unresolved incidents with their age in minutes at `as_of` (oldest first)."""
    as_of = as_of or now()
    q = IncidentQuery(dialect_of(engine))
    stmt = select(*detail_columns(q)).select_from(q.source).where(*q.where(flt), ~q.is_resolved)
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(q.i.c.detected_at, q.i.c.id).limit(limit)).all()
    df = detail_frame(rows).drop(columns=["resolved_at", "resolve_minutes", "overtime_reason"])
    age = [(as_of - d).total_seconds() / 60 for d in df["detected_at"]]
    df.insert(1, "age_minutes", pd.Series(age, dtype=float).round(2))
    return df


def report_list(
    engine: Engine, name: str, flt: ReportFilter, as_of: dt.datetime | None = None, limit: int = LIST_LIMIT
) -> pd.DataFrame:
    """One of the report's lists by name (lib.incidents.present LISTS): "breaches", "missing_reasons"
    (breaches without a reason) or "open" (ages at `as_of`); its first `limit` rows in the list's order."""
    if name == "open":
        return open_incidents(engine, flt, as_of, limit)
    if name not in ("breaches", "missing_reasons"):
        raise IncidentError("bad_list", name=name)
    return breaches(engine, flt, name == "missing_reasons", limit)


def resolve_distribution(engine: Engine, flt: ReportFilter) -> pd.DataFrame:
    """Histogram of resolve times per category and severity (1-minute bins, the last one open-ended),
    with each group's resolve SLA (the largest in force over the period's resolved incidents). Summed
    from the roll-ups' resolve-time bins where they serve the filter, else binned and counted in SQL over
    the raw incidents (a platform, room, host, handler or session filter)."""
    cols = ["category", "severity", "minute", "count", "sla_minutes"]
    q = IncidentQuery(dialect_of(engine))
    if rollup.serves_histograms(flt, None):
        with engine.connect() as conn:
            rows = conn.execute(rollup.resolve_histogram_query(flt, q.dialect)).all()
        out = pd.DataFrame(_minutes_of_bins(rows), columns=cols)
    else:
        with engine.connect() as conn:
            out = pd.DataFrame([tuple(r) for r in conn.execute(_raw_distribution(q, flt))], columns=cols)
        # One SLA per group, as the roll-ups keep it (a period may span two SLA tables).
        out["sla_minutes"] = out.groupby(["category", "severity"], sort=False)["sla_minutes"].transform("max")
    out["minute"] = out["minute"].astype(int)
    return out


def _minutes_of_bins(rows: Sequence[Any]) -> list[tuple[Any, ...]]:
    """(category, severity, minute, count, sla) rows from the roll-ups' (category, severity, sla, bins...)
    rows: each bin lies within one minute (DURATION_BIN_STARTS), the minutes from the cap on are one."""
    out = []
    for r in rows:
        per_minute: dict[int, int] = {}
        for start, n in zip(DURATION_BIN_STARTS, r[4:], strict=True):
            if n:
                minute = min(start // 60, DISTRIBUTION_CAP_MINUTES)
                per_minute[minute] = per_minute.get(minute, 0) + int(n)
        sla = None if r.sla_minutes is None else float(r.sla_minutes)
        out += [(r.category, r.severity, m, per_minute[m], sla) for m in sorted(per_minute)]
    return out


def _raw_distribution(q: IncidentQuery, flt: ReportFilter) -> Any:
    cap = DISTRIBUTION_CAP_MINUTES
    minute = case((q.resolve_s >= cap * 60, cap), else_=floor_int(q.resolve_s / 60, q.dialect)).label(
        "minute"
    )
    return (
        select(
            q.i.c.category,
            q.i.c.severity,
            minute,
            func.count().label("count"),
            func.max(q.resolve_sla).label("sla_minutes"),
        )
        .select_from(q.source)
        .where(*q.where(flt), q.is_resolved)
        .group_by(q.i.c.category, q.i.c.severity, minute)
        .order_by(q.i.c.category, q.i.c.severity, minute)
    )


# --- feeds for scorecards ----------------------------------------------------------------------------


def handler_monthly(engine: Engine, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Per handler and month (of detection): incidents handled, share resolved within SLA (0–1, of resolved),
    median resolve minutes. For the tech-support scorecard."""
    q = IncidentQuery(dialect_of(engine))
    month = month_text(q.i.c.detected_at, q.dialect)
    where = q.where(ReportFilter(date_from, date_to))
    keys = [month, q.i.c.handler_person_id, q.handler]
    counts = (
        select(
            *(k.label(n) for k, n in zip(keys, ("month", "person_id", "handler"), strict=True)),
            func.count().label("handled"),
            func.sum(case((q.is_resolved, 1), else_=0)).label("resolved"),
            func.sum(q.met).label("met"),
        )
        .select_from(q.source)
        .where(*where)
        .group_by(*keys)
    )
    cols = ["month", "person_id", "handler", "handled", "within_sla_share", "median_resolve_minutes"]
    with engine.connect() as conn:
        rows = conn.execute(counts).all()
        medians = sql_percentiles(conn, q, where, keys, {"resolve": q.resolve_s}, (Fraction(1, 2),))
    out = [
        (
            r.month,
            r.person_id,
            r.handler,
            int(r.handled),
            round(int(r.met or 0) / int(r.resolved), 4) if r.resolved else None,
            minutes(medians.get((r.month, r.person_id, r.handler), {}).get("resolve", [None])[0]),
        )
        for r in rows
    ]
    return pd.DataFrame(out, columns=cols).sort_values(["month", "handler"], ignore_index=True)


def department_response_monthly(engine: Engine, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Per owner department and month: responded incidents and their median response minutes. For the
    operations scorecard."""
    q = IncidentQuery(dialect_of(engine))
    keys = [month_text(q.i.c.detected_at, q.dialect), q.i.c.owner_department_id, q.department]
    where = [*q.where(ReportFilter(date_from, date_to)), q.i.c.responded_at.is_not(None)]
    counts = select(*keys, func.count()).select_from(q.source).where(*where).group_by(*keys)
    cols = ["month", "department_id", "department", "incidents", "median_respond_minutes"]
    with engine.connect() as conn:
        rows = conn.execute(counts).all()
        medians = sql_percentiles(conn, q, where, keys, {"respond": q.respond_s}, (Fraction(1, 2),))
    out = [
        (*r[:3], int(r[3]), minutes(medians.get(tuple(r[:3]), {}).get("respond", [None])[0])) for r in rows
    ]
    return pd.DataFrame(out, columns=cols).sort_values(["month", "department"], ignore_index=True)
