"""Exact percentiles from the roll-ups' duration histograms, equal to `sql_percentiles` over the raw rows.

The roll-ups count each group's durations per bin (lib.core.durations: 10-second bins up to 10 minutes,
then 1-minute bins up to an hour, then one open bin) and per bucket of ten bins. The n durations of a group
and the ranks floor(h) and ceil(h) that a quantile interpolates between (h = (n - 1) * q, numpy's
'linear') are known from the bucket counts alone; cumulating them tells which bucket holds each rank and at
which offset, and the bins of those buckets only (a dozen columns of the roll-up rather than all 111: the
roll-up read costs by the column) which bin. Only the raw durations of
those bins are read back, counted per distinct value (whole seconds: at most 60 per 1-minute bin) through
the index on the generated duration column (its period and filter columns follow it in the index), and
the value at the offset is exact. Ties need nothing special: equal values share a rank range.

Used only where the roll-ups serve the filter and group (`rollup.serves`); finer filters and groups stay
on `sql_percentiles` over the raw rows. If the raw durations of a bin do not add up to its count (a write
committed between the two reads), the caller falls back to `sql_percentiles` too.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from lib.core.durations import DURATION_MEASURES, bin_bounds, bin_column, bins_of_bucket, coarse_columns
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


def _in_bin(col: Any, k: int) -> list[Any]:
    lo, hi = bin_bounds(k)
    conds = [col.is_not(None)]
    if lo is not None:
        conds.append(col >= lo)
    if hi is not None:
        conds.append(col < hi)
    return conds


class _NotAnIndex(ColumnElement[Any]):
    """A column SQLite may not pick an index for (`+col`; plain elsewhere): keeps its planner on the duration
    index, which holds the period and every filter column, instead of the period or category index."""

    inherit_cache = True
    _traverse_internals = [("col", InternalTraversal.dp_clauseelement)]

    def __init__(self, col: ColumnElement[Any]) -> None:
        self.col = col
        self.type = col.type


@compiles(_NotAnIndex)
def _plain(element: _NotAnIndex, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.col, **kw)


@compiles(_NotAnIndex, "sqlite")
def _unary_plus(element: _NotAnIndex, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.col, **kw)


def _filter(q: IncidentQuery, flt: ReportFilter) -> list[Any]:
    """The filter's period and keys (all `rollup.serves` allows), off every index but the duration one."""
    i = q.i
    start = dt.datetime.combine(flt.date_from, dt.time())
    end = dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time())
    detected = _NotAnIndex(i.c.detected_at)
    conds = [detected >= start, detected < end]
    for values, col in (
        (flt.categories, i.c.category),
        (flt.severities, i.c.severity),
        (flt.department_ids, i.c.owner_department_id),
    ):
        if values:
            conds.append(_NotAnIndex(col).in_(list(values)))
    return conds


def _values(
    conn: Connection, q: IncidentQuery, flt: ReportFilter, by: str | None, measure: str, bins: set[int]
) -> dict[Key, dict[int, list[tuple[float, int]]]]:
    """{group key: {bin: [(duration, how many), ascending]}} of the raw durations in `bins`: one query per
    bin, a range scan of the duration index (an OR of ranges makes SQLite scan the whole period instead)."""
    col = q.i.c[f"{measure}_s"]  # generated from the same definition as q.respond_s / q.resolve_s
    # No constant group when ungrouped: SQLite would then sort the whole period's rows by it.
    groups = [q.group_expr(by).label("grp")] if by else []
    source = q.i.outerjoin(q.dept, q.dept.c.id == q.i.c.owner_department_id) if by == "department" else q.i
    out: dict[Key, dict[int, list[tuple[float, int]]]] = {}
    for k in sorted(bins):
        stmt = (
            select(*groups, col.label("v"), func.count().label("n"))
            .select_from(source)
            .where(*_filter(q, flt), *_in_bin(col, k))
            .group_by(*groups, col)
            .order_by(col)
        )
        for r in conn.execute(stmt):
            key: Key = (r.grp,) if by else ()
            out.setdefault(key, {}).setdefault(k, []).append((float(r.v), int(r.n)))
    return out


def _at(values: list[tuple[float, int]], offset: int) -> float:
    seen = 0
    for v, n in values:
        seen += n
        if offset < seen:
            return v
    raise IndexError(offset)


def _sums(
    conn: Connection, flt: ReportFilter, by: str | None, dialect: str, columns: list[str]
) -> dict[Key, list[int]]:
    """{group key: the roll-ups' sums of `columns`, in order} for the filter and group."""
    rows = conn.execute(rollup.histogram_query(flt, by, dialect, columns))
    return {((r[0],) if by else ()): [int(c or 0) for c in r[1:]] for r in rows}


def _fine_ranks(
    conn: Connection,
    flt: ReportFilter,
    by: str | None,
    dialect: str,
    measure: str,
    quantiles: tuple[Fraction, ...],
) -> tuple[dict[Key, dict[int, tuple[int, int]]], dict[Key, dict[int, int]], dict[Key, int]] | None:
    """Per group: {rank: (bin, offset)}, the counts of those bins, and n; None if the roll-up rows changed
    between the coarse and the fine read."""
    coarse = _sums(conn, flt, by, dialect, coarse_columns(measure))
    wanted = {
        key: {r: _locate(counts, r) for r in _ranks(sum(counts), quantiles)}
        for key, counts in coarse.items()
        if sum(counts)
    }
    buckets = sorted({c for at in wanted.values() for c, _ in at.values()})
    bins = [b for c in buckets for b in bins_of_bucket(c)]
    fine = _sums(conn, flt, by, dialect, [bin_column(measure, b) for b in bins]) if bins else {}
    located: dict[Key, dict[int, tuple[int, int]]] = {}
    counts: dict[Key, dict[int, int]] = {}
    for key, at in wanted.items():
        counts[key] = dict(zip(bins, fine.get(key, [0] * len(bins)), strict=True))
        for r, (c, offset) in at.items():
            in_bucket = [counts[key][b] for b in bins_of_bucket(c)]
            if sum(in_bucket) != coarse[key][c]:
                return None
            i, within = _locate(in_bucket, offset)
            located.setdefault(key, {})[r] = (bins_of_bucket(c)[i], within)
    return located, counts, {key: sum(coarse[key]) for key in wanted}


def rollup_percentiles(
    conn: Connection,
    q: IncidentQuery,
    flt: ReportFilter,
    by: str | None,
    quantiles: tuple[Fraction, ...] = QUANTILES,
) -> dict[Key, dict[str, list[float | None]]] | None:
    """The respond and resolve percentiles per group, shaped like `sql_percentiles`' answer; None when the
    raw durations disagree with the roll-ups (see the module doc)."""
    out: dict[Key, dict[str, list[float | None]]] = {}
    for m in DURATION_MEASURES:
        found = _fine_ranks(conn, flt, by, q.dialect, m, quantiles)
        if found is None:
            return None
        located, counts, sizes = found
        bins = {b for at in located.values() for b, _ in at.values()}
        values = _values(conn, q, flt, by, m, bins) if bins else {}
        for key, at in located.items():
            got = values.get(key, {})
            if any(sum(n for _, n in got.get(b, [])) != counts[key][b] for b, _ in at.values()):
                return None
            by_rank = {r: _at(got[b], off) for r, (b, off) in at.items()}
            out.setdefault(key, {})[m] = [interpolate(by_rank, sizes[key], qv) for qv in quantiles]
    for per in out.values():
        for m in DURATION_MEASURES:
            per.setdefault(m, [None] * len(quantiles))
    return out
