"""Exact percentiles from the roll-ups' duration histograms, equal to `sql_percentiles` over the raw rows.

The roll-ups count each group's durations per bin (lib.core.durations: 10-second bins up to 10 minutes,
then 1-minute bins up to an hour, then one open bin). The n durations of a group and the ranks floor(h) and
ceil(h) that a quantile interpolates between (h = (n - 1) * q, numpy's 'linear') are known from the counts
alone; cumulating the bins tells which bin holds each rank and at which offset. Only the raw durations of
those bins are read back, counted per distinct value (whole seconds: at most 60 per 1-minute bin) through
the index on the generated duration column (its period and filter columns follow it in the index), and
the value at the offset is exact. Ties need nothing special: equal values share a rank range.

Used only where the roll-ups serve the filter and group (`rollup.serves`); finer filters and groups stay
on `sql_percentiles` over the raw rows. If the raw durations of a bin do not add up to its count (a write
committed between the two reads), the caller falls back to `sql_percentiles` too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, and_, func, literal_column, or_, select

from lib.core.durations import DURATION_MEASURES, bin_bounds, bin_index
from lib.incidents import rollup
from lib.incidents.model import QUANTILES, ReportFilter
from lib.incidents.sql import IncidentQuery, interpolate

Key = tuple[Any, ...]


def _ranks(n: int, quantiles: Sequence[Fraction]) -> set[int]:
    out: set[int] = set()
    for qv in quantiles:
        h = (n - 1) * qv
        out |= {math.floor(h), math.ceil(h)}
    return out


def _locate(counts: Sequence[int], rank: int) -> tuple[int, int]:
    """(bin, offset within the bin) of the 0-based `rank` in ascending order."""
    before = 0
    for k, c in enumerate(counts):
        if rank < before + c:
            return k, rank - before
        before += c
    raise IndexError(rank)


def _in_bin(col: Any, k: int) -> Any:
    lo, hi = bin_bounds(k)
    conds = [col.is_not(None)]
    if lo is not None:
        conds.append(col >= lo)
    if hi is not None:
        conds.append(col < hi)
    return and_(*conds)


def _values(
    conn: Connection, q: IncidentQuery, flt: ReportFilter, by: str | None, measure: str, bins: set[int]
) -> dict[Key, dict[int, list[tuple[float, int]]]]:
    """{group key: {bin: [(duration, how many), ascending]}} of the raw durations in `bins`."""
    col = q.i.c[f"{measure}_s"]  # generated from the same definition as q.respond_s / q.resolve_s
    group = q.group_expr(by) if by else literal_column("'all'")
    source = q.i.outerjoin(q.dept, q.dept.c.id == q.i.c.owner_department_id) if by == "department" else q.i
    stmt = (
        select(group.label("grp"), col.label("v"), func.count().label("n"))
        .select_from(source)
        .where(*q.where(flt), or_(*(_in_bin(col, k) for k in sorted(bins))))
        .group_by(group, col)
        .order_by(col)
    )
    out: dict[Key, dict[int, list[tuple[float, int]]]] = {}
    for r in conn.execute(stmt):
        key: Key = (r.grp,) if by else ()
        out.setdefault(key, {}).setdefault(bin_index(float(r.v)), []).append((float(r.v), int(r.n)))
    return out


def _at(values: list[tuple[float, int]], offset: int) -> float:
    seen = 0
    for v, n in values:
        seen += n
        if offset < seen:
            return v
    raise IndexError(offset)


def rollup_percentiles(
    conn: Connection,
    q: IncidentQuery,
    flt: ReportFilter,
    by: str | None,
    quantiles: tuple[Fraction, ...] = QUANTILES,
) -> dict[Key, dict[str, list[float | None]]] | None:
    """The respond and resolve percentiles per group, shaped like `sql_percentiles`' answer; None when the
    raw durations disagree with the roll-ups (see the module doc)."""
    hist: dict[str, dict[Key, list[int]]] = {}
    for m in DURATION_MEASURES:
        rows = conn.execute(rollup.histogram_query(flt, by, q.dialect, m)).all()
        hist[m] = {((r[0],) if by else ()): [int(c or 0) for c in r[1:]] for r in rows}
    out: dict[Key, dict[str, list[float | None]]] = {}
    for m in DURATION_MEASURES:
        wanted = {
            key: {r: _locate(counts, r) for r in _ranks(sum(counts), quantiles)}
            for key, counts in hist[m].items()
            if sum(counts)
        }
        bins = {b for at in wanted.values() for b, _ in at.values()}
        values = _values(conn, q, flt, by, m, bins) if bins else {}
        for key, at in wanted.items():
            got = values.get(key, {})
            if any(sum(n for _, n in got.get(b, [])) != hist[m][key][b] for b, _ in at.values()):
                return None
            by_rank = {r: _at(got[b], off) for r, (b, off) in at.items()}
            n = sum(hist[m][key])
            out.setdefault(key, {})[m] = [interpolate(by_rank, n, qv) for qv in quantiles]
    for per in out.values():
        for m in DURATION_MEASURES:
            per.setdefault(m, [None] * len(quantiles))
    return out
