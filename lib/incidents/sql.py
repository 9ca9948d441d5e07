"""The report's SQL, portable across SQLite, PostgreSQL and MariaDB: durations, weeks and months per
dialect, the incident columns with their SLA and met/breach flags (`IncidentQuery`; the definitions are
in lib.incidents.report), the rows of the lists (`detail_columns` -> `detail_frame`), and percentiles
ranked by window functions (`sql_percentiles`: only the two rows around each percentile come back)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Date,
    Engine,
    Integer,
    and_,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy import type_coerce as coerce
from sqlalchemy.sql.elements import ColumnElement

from lib.core.durations import seconds_between
from lib.core.models import Department, Incident, IncidentCategory, IncidentSla, Person
from lib.incidents.model import QUANTILES, IncidentError, ReportFilter

DETAIL_NAMES = (
    "id",
    "detected_at",
    "responded_at",
    "resolved_at",
    "platform",
    "room",
    "host",
    "category",
    "severity",
    "department",
    "handler",
    "respond_s",
    "resolve_s",
    "respond_sla",
    "resolve_sla",
    "overtime_reason",
)


def dialect_of(engine: Engine) -> str:
    """The SQL dialect name the queries are built for (sqlite, postgresql, mysql/mariadb)."""
    return engine.dialect.name


def _seconds_between(start: Any, end: Any, dialect: str) -> ColumnElement:
    """Whole seconds from `start` to `end` (NULL when either is NULL): lib.core.durations' definition, the
    one the generated duration columns of `incidents` use too."""
    return seconds_between(start, end, dialect)


def day_of(col: Any, dialect: str) -> Any:
    """The calendar day of a timestamp column, typed as a date (SQLite: its text YYYY-MM-DD)."""
    return coerce(func.date(col), Date) if dialect == "sqlite" else cast(col, Date)


def week_start(col: Any, dialect: str) -> ColumnElement:
    """The Monday of the week of `col`, as text YYYY-MM-DD."""
    if dialect == "postgresql":
        return func.to_char(func.date_trunc(literal_column("'week'"), col), literal_column("'YYYY-MM-DD'"))
    if dialect in ("mysql", "mariadb"):
        return func.date_format(func.subdate(col, func.weekday(col)), literal_column("'%Y-%m-%d'"))
    return func.date(col, literal_column("'-6 days'"), literal_column("'weekday 1'"))


def month_text(col: Any, dialect: str) -> ColumnElement:
    """The month of `col`, as text YYYY-MM."""
    if dialect == "postgresql":
        return func.to_char(col, literal_column("'YYYY-MM'"))
    if dialect in ("mysql", "mariadb"):
        return func.date_format(col, literal_column("'%Y-%m'"))
    return func.strftime(literal_column("'%Y-%m'"), col)


def floor_int(expr: ColumnElement, dialect: str) -> ColumnElement:
    """floor() of a non-negative number (SQLite may lack floor(); CAST truncates there)."""
    if dialect == "sqlite":
        return cast(expr, Integer)
    return cast(func.floor(expr), Integer)


def sla_in_force(s: Any, at: Any) -> ColumnElement:
    """SLA row `s` (a table or alias) applies at `at` (a time or a time column): the SLA in force when an
    incident was detected, so a changed SLA never rewrites a past period's attainment."""
    return and_(s.c.valid_from <= at, or_(s.c.valid_to.is_(None), s.c.valid_to > at))


class IncidentQuery:
    """The incident columns of the report, with SLA and durations, for one dialect."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        i = Incident.__table__
        self.c_cat = IncidentCategory.__table__.alias("c")
        self.s_cat = IncidentSla.__table__.alias("s_cat")
        self.s_gen = IncidentSla.__table__.alias("s_gen")
        self.dept = Department.__table__.alias("d")
        self.person = Person.__table__.alias("p")
        self.i = i
        self.source = (
            i.outerjoin(self.c_cat, self.c_cat.c.name == i.c.category)
            .outerjoin(
                self.s_cat,
                and_(
                    self.s_cat.c.category_id == self.c_cat.c.id,
                    self.s_cat.c.severity == i.c.severity,
                    sla_in_force(self.s_cat, i.c.detected_at),
                ),
            )
            .outerjoin(
                self.s_gen,
                and_(
                    self.s_gen.c.category_id.is_(None),
                    self.s_gen.c.severity == i.c.severity,
                    sla_in_force(self.s_gen, i.c.detected_at),
                ),
            )
            .outerjoin(self.dept, self.dept.c.id == i.c.owner_department_id)
            .outerjoin(self.person, self.person.c.id == i.c.handler_person_id)
        )
        # Percentiles and option lists need no SLA: the same source without those three joins.
        self.lean_source = i.outerjoin(self.dept, self.dept.c.id == i.c.owner_department_id).outerjoin(
            self.person, self.person.c.id == i.c.handler_person_id
        )
        has_cat_row = self.s_cat.c.id.is_not(None)
        self.respond_sla = case(
            (has_cat_row, self.s_cat.c.respond_minutes), else_=self.s_gen.c.respond_minutes
        )
        self.resolve_sla = case(
            (has_cat_row, self.s_cat.c.resolve_minutes), else_=self.s_gen.c.resolve_minutes
        )
        self.respond_s = _seconds_between(i.c.detected_at, i.c.responded_at, dialect)
        self.resolve_s = _seconds_between(i.c.detected_at, i.c.resolved_at, dialect)
        respond_ok = or_(
            self.respond_sla.is_(None),
            and_(i.c.responded_at.is_not(None), self.respond_s <= self.respond_sla * 60),
        )
        resolve_ok = or_(self.resolve_sla.is_(None), self.resolve_s <= self.resolve_sla * 60)
        self.is_resolved = i.c.resolved_at.is_not(None)
        self.met = case((and_(self.is_resolved, respond_ok, resolve_ok), 1), else_=0)
        self.breach = case((and_(self.is_resolved, self.met == 0), 1), else_=0)
        self.handler = func.coalesce(self.person.c.name, i.c.handler_name)
        self.department = self.dept.c.name

    def group_expr(self, by: str) -> ColumnElement:
        i = self.i
        if by == "category":
            return i.c.category
        if by == "severity":
            return i.c.severity
        if by == "department":
            return self.department
        if by == "handler":
            return self.handler
        if by == "week":
            return week_start(i.c.detected_at, self.dialect)
        raise IncidentError("bad_group", by=by)

    def where(self, flt: ReportFilter) -> list[ColumnElement]:
        i = self.i
        start = dt.datetime.combine(flt.date_from, dt.time())
        end = dt.datetime.combine(flt.date_to + dt.timedelta(days=1), dt.time())
        conds: list[ColumnElement] = [i.c.detected_at >= start, i.c.detected_at < end]
        for values, col in (
            (flt.platforms, i.c.platform),
            (flt.rooms, i.c.room),
            (flt.hosts, i.c.host_name),
            (flt.categories, i.c.category),
            (flt.severities, i.c.severity),
            (flt.department_ids, i.c.owner_department_id),
            (flt.session_ids, i.c.session_id),
        ):
            if values:
                conds.append(col.in_(list(values)))
        if flt.handlers:
            conds.append(self.handler.in_(list(flt.handlers)))
        return conds


def detail_columns(q: IncidentQuery) -> list[ColumnElement]:
    """The columns of one incident row in the lists (see DETAIL_NAMES, `detail_frame`)."""
    i = q.i
    return [
        i.c.id,
        i.c.detected_at,
        i.c.responded_at,
        i.c.resolved_at,
        i.c.platform,
        i.c.room,
        i.c.host_name,
        i.c.category,
        i.c.severity,
        q.department.label("department"),
        q.handler.label("handler"),
        q.respond_s.label("respond_s"),
        q.resolve_s.label("resolve_s"),
        q.respond_sla.label("respond_sla"),
        q.resolve_sla.label("resolve_sla"),
        i.c.overtime_reason,
    ]


def detail_frame(rows: Sequence[Any]) -> pd.DataFrame:
    """Rows of `detail_columns` as a frame, the durations in minutes (2 decimals)."""
    df = pd.DataFrame([tuple(r) for r in rows], columns=list(DETAIL_NAMES))
    df["respond_minutes"] = (df["respond_s"].astype(float) / 60).round(2)
    df["resolve_minutes"] = (df["resolve_s"].astype(float) / 60).round(2)
    return df.drop(columns=["respond_s", "resolve_s"])


def interpolate(values_by_rank: dict[int, float], n: int, q: Fraction) -> float | None:
    """numpy 'linear': the value at fractional rank h = (n - 1) * q, between ranks floor(h) and ceil(h)."""
    if n <= 0:
        return None
    h = (n - 1) * q
    lo, hi = math.floor(h), math.ceil(h)
    v_lo, v_hi = values_by_rank[lo], values_by_rank[hi]
    return v_lo + float(h - lo) * (v_hi - v_lo)


def sql_percentiles(
    conn: Connection,
    q: IncidentQuery,
    where: list[ColumnElement],
    keys: list[ColumnElement],
    values: dict[str, ColumnElement],
    quantiles: tuple[Fraction, ...] = QUANTILES,
) -> dict[tuple, dict[str, list[float | None]]]:
    """Percentiles per group computed in SQL: window functions rank each value within its group, and only
    the rows at ranks floor(h) and ceil(h) of each quantile come back (a few per group); the linear
    interpolation between them is done here. Returns {group key tuple: {value name: [one per quantile]}}."""
    cols: list[ColumnElement] = [k.label(f"k{i}") for i, k in enumerate(keys)]
    for name, expr in values.items():
        cols += [
            expr.label(name),
            (func.row_number().over(partition_by=[*keys, expr.is_(None)], order_by=expr) - 1).label(
                f"{name}__r"
            ),
            # Same window as the rank (one sort), over the whole partition: the number of values.
            func.count()
            .over(partition_by=[*keys, expr.is_(None)], order_by=expr, rows=(None, None))
            .label(f"{name}__n"),
        ]
    inner = select(*cols).select_from(q.lean_source).where(*where).subquery()
    conds = []
    for name in values:
        r, n, v = inner.c[f"{name}__r"], inner.c[f"{name}__n"], inner.c[name]
        for qv in quantiles:  # rank r is floor(h) or ceil(h) iff |r - h| < 1, in integers
            num, den = qv.numerator, qv.denominator
            conds.append(and_(v.is_not(None), func.abs(den * r - num * (n - 1)) < den))
    ranks: dict[tuple, dict[str, dict[int, float]]] = {}
    sizes: dict[tuple, dict[str, int]] = {}
    for row in conn.execute(select(inner).where(or_(*conds))).mappings():
        key = tuple(row[f"k{i}"] for i in range(len(keys)))
        for name in values:
            if row[name] is not None:
                ranks.setdefault(key, {}).setdefault(name, {})[int(row[f"{name}__r"])] = float(row[name])
                sizes.setdefault(key, {})[name] = int(row[f"{name}__n"])
    return {
        key: {
            name: [
                interpolate(ranks[key][name], sizes[key][name], qv) if name in ranks[key] else None
                for qv in quantiles
            ]
            for name in values
        }
        for key in ranks
    }
