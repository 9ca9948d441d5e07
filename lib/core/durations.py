"""Whole seconds between two timestamps in SQL, per dialect: the one definition the incident report's
durations use (lib.incidents.sql) and the generated duration columns of `incidents` are declared with
(lib.core.models), so an index on those columns orders exactly the values the report ranks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Double, Float, Integer, case, cast, column, extract, func, literal_column, null
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement


def seconds_between(start: Any, end: Any, dialect: str) -> ColumnElement[Any]:
    """Whole seconds from `start` to `end` (NULL when either is NULL)."""
    if dialect == "postgresql":
        return cast(extract("epoch", end - start), Float)
    if dialect in ("mysql", "mariadb"):
        return cast(func.timestampdiff(literal_column("SECOND"), start, end), Float)
    # julianday() is SQLite's fastest date parser; rounding to whole seconds removes its float noise.
    return cast(func.round((func.julianday(end) - func.julianday(start)) * 86400), Float)


class SecondsBetween(ColumnElement[float]):
    """`seconds_between` of two columns of the same row, rendered for the dialect at hand: the expression
    of a generated column (`Computed(SecondsBetween("detected_at", "resolved_at"))`)."""

    inherit_cache = False  # DDL only: never part of a cached statement
    type = Double()

    def __init__(self, start: str, end: str) -> None:
        self.start = start
        self.end = end


@compiles(SecondsBetween)
def _render(element: SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    expr = seconds_between(column(element.start), column(element.end), compiler.dialect.name)
    return compiler.process(expr, **{**kw, "literal_binds": True})


# The duration histogram of the incident roll-ups (lib.incidents.rollup): bin k holds the seconds from
# DURATION_BIN_STARTS[k] up to the next start; the first bin also holds anything below 10 s, the last one
# everything from an hour on. 10-second bins for the first 10 minutes, where most durations fall (the
# finer the bin, the fewer raw durations an exact percentile must read back), then 1-minute bins: whole
# minutes, so the report's 1-minute resolve-time histogram is a sum of bins.
BIN_SEGMENTS = ((0, 600, 10), (600, 3600, 60))  # (from, until, width) in seconds
DURATION_BIN_STARTS: tuple[int, ...] = (
    *(s for start, until, width in BIN_SEGMENTS for s in range(start, until, width)),
    BIN_SEGMENTS[-1][1],
)
DURATION_MEASURES = ("respond", "resolve")


def bin_column(measure: str, k: int) -> str:
    """The roll-up column counting `measure` durations in bin k."""
    return f"{measure}_b{k:03d}"


def bin_columns(measure: str) -> list[str]:
    return [bin_column(measure, k) for k in range(len(DURATION_BIN_STARTS))]


def bin_index(seconds: float) -> int:
    """The bin of a duration (the Python twin of `bin_of`)."""
    k = 0
    for start, until, width in BIN_SEGMENTS:
        if seconds < until:
            return k + max(0, int((seconds - start) // width))
        k += (until - start) // width
    return k


def bin_bounds(k: int) -> tuple[int | None, int | None]:
    """[from, until) seconds of bin k; None: unbounded (the first bin below, the last one above)."""
    last = len(DURATION_BIN_STARTS) - 1
    return (None if k == 0 else DURATION_BIN_STARTS[k], None if k == last else DURATION_BIN_STARTS[k + 1])


def bin_of(seconds: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """The bin of a duration column in SQL (NULL for NULL), as `bin_index`."""
    whens: list[tuple[ColumnElement[bool], Any]] = [
        (seconds.is_(None), null()),
        (seconds < BIN_SEGMENTS[0][2], 0),
    ]
    k = 0
    for start, until, width in BIN_SEGMENTS:
        step = (seconds - start) / width
        whole = cast(step, Integer) if dialect == "sqlite" else cast(func.floor(step), Integer)
        whens.append((seconds < until, k + whole))
        k += (until - start) // width
    return case(*whens, else_=k)


# Buckets of ten consecutive bins, counted too: an exact percentile first finds its bucket from a dozen
# columns, then its bin from that bucket's ten (reading a roll-up row costs by the column on SQLite).
BUCKET_BINS = 10


def bucket_count() -> int:
    return -(-len(DURATION_BIN_STARTS) // BUCKET_BINS)


def coarse_column(measure: str, c: int) -> str:
    """The roll-up column counting `measure` durations in bucket c (bins c*10 .. c*10+9)."""
    return f"{measure}_c{c:02d}"


def coarse_columns(measure: str) -> list[str]:
    return [coarse_column(measure, c) for c in range(bucket_count())]


def bins_of_bucket(c: int) -> list[int]:
    return list(range(c * BUCKET_BINS, min((c + 1) * BUCKET_BINS, len(DURATION_BIN_STARTS))))


def histogram_columns(measure: str) -> list[str]:
    """Every histogram column of `measure` in table order: the buckets, then the bins."""
    return [*coarse_columns(measure), *bin_columns(measure)]
