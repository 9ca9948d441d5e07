"""The session sums a roll-up row keeps, as SQL over any table that has the session columns.

The same aggregates as the KPI page's `sum_columns` (lib.kpis.queries; tests/rollups proves the two agree
on random data): per metric of the catalogue its covered count and sums, the funnel steps and the
duration buckets. Each measure is also told how it combines across roll-up rows: counts and sums add
up (SUM), a peak takes the highest (MAX). lib.kpis is not imported here: it will read the roll-ups.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Double, FromClause, Table, and_, case, cast, func

from lib.core.metrics import MAX_COLUMNS, SESSION_METRICS, WEIGHTED_COLUMNS

FUNNEL_STEPS = ("exposure", "viewers", "product_clicks", "buyers")  # as lib.kpis.queries
DURATION_BUCKET_MINUTES = 30
DURATION_BUCKETS = 12


class Measure(NamedTuple):
    name: str  # the column of session_rollups and the label of the KPI sums
    group: str  # the metric key it belongs to, "funnel", "durations", or "" (the session count)
    combine: str  # count / sum / max: how roll-up rows combine
    expr: Any  # the aggregate over raw session rows


def measures(t: Table) -> list[Measure]:
    """Every aggregate of the KPI sums over the session table `t`, in the KPI page's order."""
    out = [Measure("sessions", "", "count", func.count())]
    for m in SESSION_METRICS:
        if not m.inputs:
            continue
        covered = and_(*(t.c[c].isnot(None) for c in m.inputs))
        single = len(m.inputs) == 1
        out.append(
            Measure(
                f"{m.key}__sessions",
                m.key,
                "count",
                func.count(t.c[m.inputs[0]] if single else case((covered, 1))),
            )
        )
        for c in m.inputs + m.optional:
            value = t.c[c] if single and c in m.inputs else case((covered, t.c[c]))
            is_max = c in MAX_COLUMNS
            agg = (func.max if is_max else func.sum)(value)
            out.append(Measure(f"{m.key}__{c}", m.key, "max" if is_max else "sum", agg))
            if c in WEIGHTED_COLUMNS and c in m.inputs:
                weight = t.c[WEIGHTED_COLUMNS[c]]
                out.append(
                    Measure(f"{m.key}__{c}_w", m.key, "sum", func.sum(case((covered, t.c[c] * weight))))
                )
                out.append(Measure(f"{m.key}__{c}_v", m.key, "sum", func.sum(case((covered, weight)))))
    return out + _extras(t)


def _extras(t: Table) -> list[Measure]:
    steps = and_(*(t.c[c].isnot(None) for c in FUNNEL_STEPS[1:]))
    out = [
        Measure("funnel__sessions", "funnel", "count", func.count(case((steps, 1)))),
        Measure(
            "funnel__exposure_n",
            "funnel",
            "count",
            func.count(case((and_(steps, t.c.exposure.isnot(None)), 1))),
        ),
    ]
    out += [Measure(f"funnel__{c}", "funnel", "sum", func.sum(case((steps, t.c[c])))) for c in FUNNEL_STEPS]
    minutes = t.c.duration_minutes
    for i in range(DURATION_BUCKETS + 1):
        low, high = i * DURATION_BUCKET_MINUTES, (i + 1) * DURATION_BUCKET_MINUTES
        if i == 0:
            cond = minutes < high
        elif i == DURATION_BUCKETS:
            cond = minutes >= low
        else:
            cond = and_(minutes >= low, minutes < high)
        out.append(Measure(f"durations__b{i}", "durations", "count", func.count(case((cond, 1)))))
    return out


def selected(all_measures: list[Measure], metric_keys: tuple[str, ...] | None, extras: bool) -> list[Measure]:
    """The measures of `metric_keys` (every metric when None), with the funnel and durations if `extras`."""
    out = []
    for m in all_measures:
        if m.group in ("funnel", "durations"):
            keep = extras
        else:
            keep = m.group == "" or metric_keys is None or m.group in metric_keys
        if keep:
            out.append(m)
    return out


def combined(table: FromClause, m: Measure, as_float: bool = False) -> Any:
    """`m` over rows of a roll-up `table`, combined as it says, labelled by its name (a count over no row is
    0, as on the raw table). `as_float`: sent as a double, for a reader that makes floats of it anyway
    (PostgreSQL's and MariaDB's SUM of integers is a decimal: one Decimal object per value on the client
    costs more than the query at thousands of hosts)."""
    col = table.c[m.name]
    expr: Any
    if m.combine == "max":
        expr = func.max(col)
    elif m.combine == "count":
        expr = func.coalesce(func.sum(col), 0)
    else:
        expr = func.sum(col)
    return (cast(expr, Double) if as_float else expr).label(m.name)


def measures_of_sessions() -> list[Measure]:
    """`measures` over live_sessions: the roll-up's columns and how each is computed and combined."""
    from lib.core.models import LiveSession

    return measures(LiveSession.__table__)
