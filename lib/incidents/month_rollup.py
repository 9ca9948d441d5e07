"""The month copy of the incident roll-ups: per month (its first day) x category x severity x owner
department, the same measures as the day rows (lib.incidents.rollup), so a period's whole months read one
row per key and month instead of one per key and day (180 days: ~5 whole months and ~30 edge days, about a
sixth of the day rows).

Kept like the session month roll-ups (lib.rollups.coarse): recomputed from the day rows of the months a
write touched, in the writer's transaction, right after those day rows (a GROUP BY of day rows that are
right in the same transaction is right by construction: counts, sums and histogram bins add up, the two
maxima are a MAX). A month is ~150 keys x 30 days of day rows, so a write recomputes its whole month(s).
`lib.incidents.rollup.differences` compares the month rows with a fresh GROUP BY of the raw incidents, not
of the day rows, so a drift anywhere shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, literal, or_, select, union_all

from lib.core.dates import month_end, month_start, month_starts
from lib.core.models import IncidentMonthRollup, IncidentRollup

R, M = IncidentRollup, IncidentMonthRollup
KEYS = ("category", "severity", "owner_department_id")
MAXIMA = ("resolve_s_max", "resolve_sla_max")  # combined by MAX; every other measure is a count or a sum


def combine(name: str, col: Any) -> Any:
    """How the day rows of a measure add up to a coarser row."""
    return (func.max if name in MAXIMA else func.sum)(col).label(name)


def months_of(days: Iterable[dt.date | None]) -> list[dt.date]:
    return sorted({month_start(d) for d in days if d is not None})


def _fill(conn: Connection, month: dt.date, day_table: Table, target: Table) -> None:
    """The month's rows of `target` from the day roll-up's rows of that month (only `target`'s columns)."""
    names = [c.name for c in target.c if c.name != "month" and c.name not in KEYS]
    keys = [day_table.c[k] for k in KEYS]
    query = (
        select(literal(month, target.c.month.type), *keys, *(combine(n, day_table.c[n]) for n in names))
        .where(day_table.c.day >= month, day_table.c.day <= month_end(month))
        .group_by(*keys)
    )
    conn.execute(insert(target).from_select(["month", *KEYS, *names], query))


def refresh_months(conn: Connection, months: Iterable[dt.date]) -> None:
    """Recompute the month rows of `months` (first days) from the day rows, in the caller's transaction."""
    for month in sorted(set(months)):
        conn.execute(delete(M).where(M.c.month == month))
        _fill(conn, month, R, M)


def rebuild(conn: Connection, day_table: Table | None = None, month_table: Table | None = None) -> None:
    """Empty and refill the month rows from the day rows (the tables as a migration sees them)."""
    r = R if day_table is None else day_table
    m = M if month_table is None else month_table
    conn.execute(delete(m))
    first, last = conn.execute(select(func.min(r.c.day), func.max(r.c.day))).one()
    for month in month_starts(first, last):
        _fill(conn, month, r, m)


def whole_months(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date] | None:
    """(first, last) month start of the months wholly inside the period, or None when there is none."""
    first = date_from if date_from.day == 1 else month_end(date_from) + dt.timedelta(days=1)
    last = (
        month_start(date_to) if date_to == month_end(date_to) else month_start(date_to) - dt.timedelta(days=1)
    )
    last = month_start(last)
    return (first, last) if first <= last else None


def period_rows(
    date_from: dt.date, date_to: dt.date, names: list[str], where: dict[str, tuple[Any, ...]], days: bool
) -> Any:
    """A subquery of the roll-up rows of the period with the columns KEYS and `names` (and `day` when
    `days`: then every row is a day row), the keys limited to `where` ({key: values}): the whole months
    from the month rows, the other days from the day rows."""

    def rows(table: Table, *period: Any) -> Any:
        cols = [table.c[c] for c in (*KEYS, *names)]
        conds = [table.c[k].in_(list(v)) for k, v in where.items() if v]
        return select(*cols, *([table.c.day] if days else [])).where(*period, *conds)

    in_period = rows(R, R.c.day >= date_from, R.c.day <= date_to)
    months = None if days else whole_months(date_from, date_to)
    if months is None:
        return in_period.subquery("r")
    first, last = months
    edges = in_period.where(or_(R.c.day < first, R.c.day > month_end(last)))
    return union_all(edges, rows(M, M.c.month >= first, M.c.month <= last)).subquery("r")
