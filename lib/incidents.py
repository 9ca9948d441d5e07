"""Incidents: logging with validation, SLA lookup, and the incident-duration report.

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
import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Float,
    Integer,
    and_,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from lib.core import forms
from lib.core.db import audit, now, write
from lib.core.errors import CodedError
from lib.core.models import Department, Incident, IncidentCategory, IncidentSla, LiveSession, Person

SEVERITIES = ("simple", "complex", "major")
GROUP_BYS = ("category", "severity", "department", "handler", "week")
CLOCK_SKEW = dt.timedelta(minutes=1)  # a phone's clock may run a little ahead of the server's
PERCENTILE_METHOD = "linear"  # numpy/pandas default: interpolate between the two nearest ranks
QUANTILES = (Fraction(1, 2), Fraction(9, 10))  # p50 (median) and p90, exact so ranks compare in integers
LIST_LIMIT = 5000  # rows of a breach / open list brought back for a page or an export
DISTRIBUTION_CAP_MINUTES = 60  # resolve times above this fall into the last bin of the histogram
REPORT_COLUMNS = (
    "group",
    "count",
    "open",
    "respond_p50",
    "respond_p90",
    "resolve_p50",
    "resolve_p90",
    "resolve_max",
    "sla_attainment",
    "breaches",
)


class IncidentError(CodedError):
    """A user-facing refusal; `code` is an i18n key under incidents.error, `params` fill it."""

    prefix = "incidents.error"


@dataclass(frozen=True)
class Sla:
    respond_minutes: float | None
    resolve_minutes: float | None
    meeting_minutes: float | None = None


@dataclass(frozen=True)
class IncidentInput:
    category: str
    severity: str
    detected_at: dt.datetime
    responded_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    session_id: int | None = None
    owner_department_id: int | None = None
    handler_person_id: int | None = None
    description: str | None = None
    overtime_reason: str | None = None
    escalated: bool = False
    meeting_at: dt.datetime | None = None  # major incidents: when the temporary meeting was held


@dataclass(frozen=True)
class ReportFilter:
    """What the report looks at: detection dates (both inclusive) and optional value lists (hashable)."""

    date_from: dt.date
    date_to: dt.date
    platforms: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    department_ids: tuple[int, ...] = ()
    handlers: tuple[str, ...] = ()
    session_ids: tuple[int, ...] = field(default=())


# --- SQL building blocks (portable across SQLite, PostgreSQL, MariaDB) -------------------------------


def _seconds_between(start: Any, end: Any, dialect: str) -> ColumnElement:
    """Whole seconds from `start` to `end` (NULL when either is NULL)."""
    if dialect == "postgresql":
        return cast(extract("epoch", end - start), Float)
    if dialect in ("mysql", "mariadb"):
        return cast(func.timestampdiff(literal_column("SECOND"), start, end), Float)
    # julianday() is SQLite's fastest date parser; rounding to whole seconds removes its float noise.
    return cast(func.round((func.julianday(end) - func.julianday(start)) * 86400), Float)


def _week_start(col: Any, dialect: str) -> ColumnElement:
    """The Monday of the week of `col`, as text YYYY-MM-DD."""
    if dialect == "postgresql":
        return func.to_char(func.date_trunc(literal_column("'week'"), col), literal_column("'YYYY-MM-DD'"))
    if dialect in ("mysql", "mariadb"):
        return func.date_format(func.subdate(col, func.weekday(col)), literal_column("'%Y-%m-%d'"))
    return func.date(col, literal_column("'-6 days'"), literal_column("'weekday 1'"))


def _month(col: Any, dialect: str) -> ColumnElement:
    if dialect == "postgresql":
        return func.to_char(col, literal_column("'YYYY-MM'"))
    if dialect in ("mysql", "mariadb"):
        return func.date_format(col, literal_column("'%Y-%m'"))
    return func.strftime(literal_column("'%Y-%m'"), col)


class _Q:
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
                and_(self.s_cat.c.category_id == self.c_cat.c.id, self.s_cat.c.severity == i.c.severity),
            )
            .outerjoin(
                self.s_gen, and_(self.s_gen.c.category_id.is_(None), self.s_gen.c.severity == i.c.severity)
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
            return _week_start(i.c.detected_at, self.dialect)
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


def _minutes(seconds: float | None) -> float | None:
    if seconds is None or pd.isna(seconds):
        return None
    return round(float(seconds) / 60.0, 2)


# --- SLAs and categories -----------------------------------------------------------------------------


def sla_for(conn: Connection, category: str, severity: str) -> Sla:
    """The category+severity SLA row if there is one, else the generic row of the severity."""
    s = IncidentSla.__table__
    cat_id = conn.execute(select(IncidentCategory.id).where(IncidentCategory.name == category)).scalar()
    for cond in ((s.c.category_id == cat_id) if cat_id is not None else None, s.c.category_id.is_(None)):
        if cond is None:
            continue
        row = conn.execute(
            select(s.c.respond_minutes, s.c.resolve_minutes, s.c.meeting_minutes).where(
                cond, s.c.severity == severity
            )
        ).first()
        if row is not None:
            return Sla(*row)
    return Sla(None, None, None)


def sla_lookup(engine: Engine, category: str, severity: str) -> Sla:
    with engine.connect() as conn:
        return sla_for(conn, category, severity)


def categories(engine: Engine, active_only: bool = True) -> list[dict[str, Any]]:
    stmt = select(
        IncidentCategory.id, IncidentCategory.name, IncidentCategory.sort_order, IncidentCategory.active
    )
    if active_only:
        stmt = stmt.where(IncidentCategory.active.is_(True))
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(IncidentCategory.sort_order, IncidentCategory.id)).mappings()
        return [dict(r) for r in rows]


def sla_table(engine: Engine) -> pd.DataFrame:
    """Every SLA row: category (None = all categories), severity, respond/resolve/meeting minutes."""
    s, c = IncidentSla.__table__, IncidentCategory.__table__
    stmt = (
        select(
            c.c.name.label("category"),
            s.c.severity,
            s.c.respond_minutes,
            s.c.resolve_minutes,
            s.c.meeting_minutes,
        )
        .select_from(s.outerjoin(c, c.c.id == s.c.category_id))
        .order_by(c.c.sort_order, s.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    cols = ["category", "severity", "respond_minutes", "resolve_minutes", "meeting_minutes"]
    return pd.DataFrame([dict(r) for r in rows], columns=cols)


def save_categories(engine: Engine, rows: list[dict[str, Any]], username: str) -> None:
    """Admin edit: rows {id (None = new), name, sort_order, active}. A rename renames logged incidents too."""
    names = [str(r.get("name") or "").strip() for r in rows]
    for pos, name in enumerate(names, start=1):
        if not name or len(name) > 64:
            raise IncidentError("bad_category_name", row=pos, value=name)
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise IncidentError("duplicate_category", value=dup)
    with write(engine) as conn:
        existing = dict(conn.execute(select(IncidentCategory.id, IncidentCategory.name)).all())
        for row, name in zip(rows, names, strict=True):
            values = {
                "name": name,
                "sort_order": int(row.get("sort_order") or 0),
                "active": bool(row.get("active", True)),
            }
            row_id = row.get("id")
            if row_id is None or pd.isna(row_id) or int(row_id) not in existing:
                conn.execute(insert(IncidentCategory).values(**values))
                continue
            old = existing[int(row_id)]
            conn.execute(update(IncidentCategory).where(IncidentCategory.id == int(row_id)).values(**values))
            if old != name:
                conn.execute(update(Incident).where(Incident.category == old).values(category=name))
        audit(conn, username, "incident_categories_saved", count=len(rows))


def save_slas(engine: Engine, rows: list[dict[str, Any]], username: str) -> None:
    """Admin edit: replace every SLA row. rows {category (None/'' = all), severity, *_minutes}."""
    cats = {c["name"]: c["id"] for c in categories(engine, active_only=False)}
    seen: set[tuple[int | None, str]] = set()
    clean = []
    for pos, row in enumerate(rows, start=1):
        cat = row.get("category")
        cat = None if cat is None or (isinstance(cat, float) and pd.isna(cat)) or cat == "" else str(cat)
        if cat is not None and cat not in cats:
            raise IncidentError("unknown_category", row=pos, value=cat)
        sev = row.get("severity")
        if sev not in SEVERITIES:
            raise IncidentError("bad_severity", row=pos, value=sev)
        values: dict[str, Any] = {"category_id": cats.get(cat) if cat else None, "severity": sev}
        for col in ("respond_minutes", "resolve_minutes", "meeting_minutes"):
            v = row.get(col)
            v = None if v is None or pd.isna(v) else float(v)
            if v is not None and v <= 0:
                raise IncidentError("bad_minutes", row=pos, column=col, value=v)
            values[col] = v
        key = (values["category_id"], sev)
        if key in seen:
            raise IncidentError("duplicate_sla", row=pos, value=f"{cat or '*'} / {sev}")
        seen.add(key)
        clean.append(values)
    for sev in SEVERITIES:
        if (None, sev) not in seen:
            raise IncidentError("generic_sla_missing", value=sev)
    with write(engine) as conn:
        conn.execute(delete(IncidentSla))
        for values in clean:
            conn.execute(insert(IncidentSla).values(**values))
        audit(conn, username, "incident_slas_saved", count=len(clean))


# --- logging -----------------------------------------------------------------------------------------


def _check_times(data: IncidentInput, as_of: dt.datetime) -> None:
    if data.detected_at is None:
        raise IncidentError("detected_required")
    for name in ("detected_at", "responded_at", "resolved_at", "meeting_at"):
        value = getattr(data, name)
        if value is not None and value > as_of + CLOCK_SKEW:
            raise IncidentError("future_time", field=name, value=f"{value:%Y-%m-%d %H:%M}")
    if data.resolved_at is not None and data.responded_at is None:
        raise IncidentError("resolved_without_response")
    if data.meeting_at is not None and data.meeting_at < data.detected_at:
        raise IncidentError(
            "meeting_before_detected",
            meeting=f"{data.meeting_at:%Y-%m-%d %H:%M}",
            detected=f"{data.detected_at:%Y-%m-%d %H:%M}",
        )
    if data.responded_at is not None and data.responded_at < data.detected_at:
        raise IncidentError(
            "responded_before_detected",
            responded=f"{data.responded_at:%Y-%m-%d %H:%M}",
            detected=f"{data.detected_at:%Y-%m-%d %H:%M}",
        )
    if data.resolved_at is not None and data.resolved_at < data.responded_at:
        raise IncidentError(
            "resolved_before_responded",
            resolved=f"{data.resolved_at:%Y-%m-%d %H:%M}",
            responded=f"{data.responded_at:%Y-%m-%d %H:%M}",
        )


def over_sla(data: IncidentInput, sla: Sla) -> dict[str, float] | None:
    """For a resolved incident: {respond/resolve minutes and limits} when it missed its SLA, else None."""
    if data.resolved_at is None:
        return None
    respond = (data.responded_at - data.detected_at).total_seconds() if data.responded_at else None
    resolve = (data.resolved_at - data.detected_at).total_seconds()
    late_respond = sla.respond_minutes is not None and (respond is None or respond > sla.respond_minutes * 60)
    late_resolve = sla.resolve_minutes is not None and resolve > sla.resolve_minutes * 60
    if not (late_respond or late_resolve):
        return None
    return {
        "respond": _minutes(respond) if respond is not None else -1.0,
        "resolve": _minutes(resolve) or 0.0,
        "respond_sla": sla.respond_minutes if sla.respond_minutes is not None else -1.0,
        "resolve_sla": sla.resolve_minutes if sla.resolve_minutes is not None else -1.0,
    }


def validate(conn: Connection, data: IncidentInput, as_of: dt.datetime | None = None) -> IncidentInput:
    """Check an incident and return it cleaned; raise IncidentError (nothing is stored) otherwise."""
    as_of = as_of or now()
    known = set(conn.execute(select(IncidentCategory.name)).scalars())
    if not data.category or data.category not in known:
        raise IncidentError("unknown_category", row=1, value=data.category)
    if data.severity not in SEVERITIES:
        raise IncidentError("bad_severity", row=1, value=data.severity)
    _check_times(data, as_of)
    reason = (data.overtime_reason or "").strip() or None
    description = (data.description or "").strip() or None
    data = replace(data, overtime_reason=reason, description=description)
    late = over_sla(data, sla_for(conn, data.category, data.severity))
    if late is not None and not reason:
        raise IncidentError("reason_required", **late)
    return data


def _denormalised(conn: Connection, data: IncidentInput) -> dict[str, Any]:
    """Columns copied from the session and the handler, so filters need no join."""
    out: dict[str, Any] = {"platform": None, "room": None, "host_name": None, "handler_name": None}
    if data.session_id is not None:
        row = conn.execute(
            select(LiveSession.platform, LiveSession.room, LiveSession.host_name, LiveSession.account).where(
                LiveSession.id == data.session_id
            )
        ).first()
        if row is None:
            raise IncidentError("unknown_session", value=data.session_id)
        out.update(platform=row.platform, room=row.room or row.account, host_name=row.host_name)
    if data.handler_person_id is not None:
        name = conn.execute(select(Person.name).where(Person.id == data.handler_person_id)).scalar()
        if name is None:
            raise IncidentError("unknown_handler", value=data.handler_person_id)
        out["handler_name"] = name
    return out


def create_incident(
    engine: Engine,
    data: IncidentInput,
    username: str,
    as_of: dt.datetime | None = None,
    token: str | None = None,
) -> int:
    """Validate and store a new incident; returns its id. A form's `token` makes the write happen once
    (a resubmission raises forms.AlreadySubmitted and writes nothing)."""
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "incident", username)
        data = validate(conn, data, as_of)
        values = {
            "category": data.category,
            "severity": data.severity,
            "detected_at": data.detected_at,
            "responded_at": data.responded_at,
            "resolved_at": data.resolved_at,
            "session_id": data.session_id,
            "owner_department_id": data.owner_department_id,
            "handler_person_id": data.handler_person_id,
            "description": data.description,
            "overtime_reason": data.overtime_reason,
            "escalated": data.escalated,
            "meeting_at": data.meeting_at,
            "created_by": username,
            "updated_at": now(),
            **_denormalised(conn, data),
        }
        new_id = conn.execute(insert(Incident).values(**values)).inserted_primary_key[0]
        audit(conn, username, "incident_created", id=new_id, category=data.category, severity=data.severity)
        if token:
            forms.record_result(conn, token, new_id)
    return int(new_id)


def update_incident(
    engine: Engine,
    incident_id: int,
    username: str,
    responded_at: dt.datetime | None = None,
    resolved_at: dt.datetime | None = None,
    overtime_reason: str | None = None,
    as_of: dt.datetime | None = None,
    token: str | None = None,
) -> None:
    """Add the response and/or resolution time (and a reason) to an incident; validated like a new one.
    `token` as in create_incident."""
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "incident_update", username)
            forms.record_result(conn, token, incident_id)
        row = conn.execute(select(Incident).where(Incident.id == incident_id)).mappings().first()
        if row is None:
            raise IncidentError("unknown_incident", value=incident_id)
        data = IncidentInput(
            category=row["category"],
            severity=row["severity"],
            detected_at=row["detected_at"],
            responded_at=responded_at or row["responded_at"],
            resolved_at=resolved_at or row["resolved_at"],
            session_id=row["session_id"],
            owner_department_id=row["owner_department_id"],
            handler_person_id=row["handler_person_id"],
            description=row["description"],
            overtime_reason=overtime_reason if overtime_reason is not None else row["overtime_reason"],
        )
        data = validate(conn, data, as_of)
        conn.execute(
            update(Incident)
            .where(Incident.id == incident_id)
            .values(
                responded_at=data.responded_at,
                resolved_at=data.resolved_at,
                overtime_reason=data.overtime_reason,
                updated_at=now(),
            )
        )
        audit(conn, username, "incident_updated", id=incident_id)


def incidents_to_update(engine: Engine, limit: int = 200) -> list[dict[str, Any]]:
    """What the logging page's update section offers: unresolved incidents (newest first), then resolved
    ones over their SLA that still lack a reason (e.g. from uploads), each with a display label."""
    q = _Q(_dialect(engine))
    i = q.i
    cols = (i.c.id, i.c.category, i.c.severity, i.c.room, i.c.detected_at, i.c.responded_at, i.c.resolved_at)
    no_reason = or_(i.c.overtime_reason.is_(None), i.c.overtime_reason == "")
    with engine.connect() as conn:
        rows = [
            *conn.execute(
                select(*cols).where(i.c.resolved_at.is_(None)).order_by(i.c.detected_at.desc()).limit(limit)
            ),
            *conn.execute(
                select(*cols)
                .select_from(q.source)
                .where(q.breach == 1, no_reason)
                .order_by(i.c.detected_at.desc())
                .limit(limit)
            ),
        ]
    return [
        {
            **r._asdict(),
            "label": f"#{r.id} {r.category} · {r.room or '-'} · {r.detected_at:%m-%d %H:%M}"
            + (" · ⚠ SLA" if r.resolved_at else ""),
        }
        for r in rows
    ]


def form_choices(engine: Engine, person_id: int | None, as_of: dt.datetime) -> dict[str, Any]:
    """Everything the logging form offers: categories, departments, roster, recent sessions, defaults.

    Default session: the session live at `as_of` in a room the user's person has hosted; else none."""
    s = LiveSession.__table__
    with engine.connect() as conn:
        depts = conn.execute(select(Department.id, Department.name).order_by(Department.id)).all()
        people = conn.execute(
            select(Person.id, Person.name, Person.department_id)
            .where(Person.active.is_(True))
            .order_by(Person.name)
        ).all()
        recent = conn.execute(
            select(s.c.id, s.c.platform, s.c.room, s.c.account, s.c.host_name, s.c.started_at, s.c.ended_at)
            .where(s.c.started_at <= as_of, s.c.started_at >= as_of - dt.timedelta(hours=24))
            .order_by(s.c.started_at.desc())
            .limit(100)
        ).all()
        my_rooms: set[str] = set()
        my_dept = None
        if person_id is not None:
            my_rooms = set(
                conn.execute(
                    select(func.coalesce(s.c.room, s.c.account))
                    .where(s.c.host_person_id == person_id)
                    .distinct()
                ).scalars()
            )
            my_dept = conn.execute(select(Person.department_id).where(Person.id == person_id)).scalar()
    sessions = [
        {
            "id": r.id,
            "label": f"{r.room or r.account} · {r.host_name or '-'} · {r.started_at:%m-%d %H:%M}",
            "live": r.ended_at is None or r.ended_at >= as_of,
            "room": r.room or r.account,
        }
        for r in recent
    ]
    default = next((x["id"] for x in sessions if x["live"] and x["room"] in my_rooms), None)
    return {
        "categories": [c["name"] for c in categories(engine)],
        "departments": {d.id: d.name for d in depts},
        "people": {p.id: p.name for p in people},
        "sessions": {x["id"]: x["label"] for x in sessions},
        "default_session": default,
        "default_department": my_dept,
        "default_handler": person_id if person_id in {p.id for p in people} else None,
    }


# --- the report --------------------------------------------------------------------------------------


def _dialect(engine: Engine) -> str:
    return engine.dialect.name


def _interpolate(values_by_rank: dict[int, float], n: int, q: Fraction) -> float | None:
    """numpy 'linear': the value at fractional rank h = (n - 1) * q, between ranks floor(h) and ceil(h)."""
    if n <= 0:
        return None
    h = (n - 1) * q
    lo, hi = math.floor(h), math.ceil(h)
    v_lo, v_hi = values_by_rank[lo], values_by_rank[hi]
    return v_lo + float(h - lo) * (v_hi - v_lo)


def sql_percentiles(
    conn: Connection,
    q: _Q,
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
                _interpolate(ranks[key][name], sizes[key][name], qv) if name in ranks[key] else None
                for qv in quantiles
            ]
            for name in values
        }
        for key in ranks
    }


def report(engine: Engine, flt: ReportFilter, by: str | None = None) -> list[dict[str, Any]]:
    """Figures per group (or one group "all" when `by` is None): count, open, respond/resolve p50/p90,
    resolve max (minutes, 2 decimals), SLA attainment % (2 decimals, None without resolved incidents),
    breaches. Counts are GROUP BY in SQL, percentiles by window functions in SQL (see sql_percentiles)."""
    if by is not None and by not in GROUP_BYS:
        raise IncidentError("bad_group", by=by)
    q = _Q(_dialect(engine))
    group = (q.group_expr(by) if by else literal_column("'all'")).label("grp")
    where = q.where(flt)
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
    if by:  # PostgreSQL refuses a constant in GROUP BY
        counts = counts.group_by(group)
    keys = [q.group_expr(by)] if by else []
    with engine.connect() as conn:
        rows = conn.execute(counts).all()
        pct = sql_percentiles(conn, q, where, keys, {"respond": q.respond_s, "resolve": q.resolve_s})
    out = []
    for r in rows:
        if not r.n:  # an ungrouped aggregate of nothing still returns one row
            continue
        p = pct.get((r.grp,) if by else (), {})
        respond_p50, respond_p90 = (_minutes(v) for v in p.get("respond", [None, None]))
        resolve_p50, resolve_p90 = (_minutes(v) for v in p.get("resolve", [None, None]))
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
                "resolve_max": _minutes(r.resolve_max),
                "sla_attainment": round(100.0 * int(r.met or 0) / resolved, 2) if resolved else None,
                "breaches": resolved - int(r.met or 0),
            }
        )
    out.sort(key=lambda x: (x["group"] is None, str(x["group"])))
    return out


def report_frame(engine: Engine, flt: ReportFilter, by: str | None = None) -> pd.DataFrame:
    return pd.DataFrame(report(engine, flt, by), columns=list(REPORT_COLUMNS))


def _detail_columns(q: _Q) -> list[ColumnElement]:
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


def _detail_frame(rows: list[Any]) -> pd.DataFrame:
    cols = [
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
    ]
    df = pd.DataFrame([tuple(r) for r in rows], columns=cols)
    df["respond_minutes"] = (df["respond_s"].astype(float) / 60).round(2)
    df["resolve_minutes"] = (df["resolve_s"].astype(float) / 60).round(2)
    return df.drop(columns=["respond_s", "resolve_s"])


def breaches(
    engine: Engine, flt: ReportFilter, without_reason: bool = False, limit: int = LIST_LIMIT
) -> pd.DataFrame:
    """Resolved incidents that missed their SLA (newest first); `without_reason`: those still lacking one."""
    q = _Q(_dialect(engine))
    stmt = select(*_detail_columns(q)).select_from(q.source).where(*q.where(flt), q.breach == 1)
    if without_reason:
        stmt = stmt.where(or_(q.i.c.overtime_reason.is_(None), q.i.c.overtime_reason == ""))
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(q.i.c.detected_at.desc(), q.i.c.id.desc()).limit(limit)).all()
    return _detail_frame(rows)


def open_incidents(
    engine: Engine, flt: ReportFilter, as_of: dt.datetime | None = None, limit: int = LIST_LIMIT
) -> pd.DataFrame:
    """Unresolved incidents with their age in minutes at `as_of` (oldest first)."""
    as_of = as_of or now()
    q = _Q(_dialect(engine))
    stmt = select(*_detail_columns(q)).select_from(q.source).where(*q.where(flt), ~q.is_resolved)
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(q.i.c.detected_at, q.i.c.id).limit(limit)).all()
    df = _detail_frame(rows).drop(columns=["resolved_at", "resolve_minutes", "overtime_reason"])
    age = [(as_of - d).total_seconds() / 60 for d in df["detected_at"]]
    df.insert(1, "age_minutes", pd.Series(age, dtype=float).round(2))
    return df


def _floor(expr: ColumnElement, dialect: str) -> ColumnElement:
    """floor() of a non-negative number (SQLite may lack floor(); CAST truncates there)."""
    if dialect == "sqlite":
        return cast(expr, Integer)
    return cast(func.floor(expr), Integer)


def resolve_distribution(engine: Engine, flt: ReportFilter) -> pd.DataFrame:
    """Histogram of resolve times per category and severity (1-minute bins, the last one open-ended),
    with each group's resolve SLA. Binned and counted in SQL."""
    q = _Q(_dialect(engine))
    cap = DISTRIBUTION_CAP_MINUTES
    minute = case((q.resolve_s >= cap * 60, cap), else_=_floor(q.resolve_s / 60, q.dialect)).label("minute")
    stmt = (
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
    cols = ["category", "severity", "minute", "count", "sla_minutes"]
    with engine.connect() as conn:
        out = pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=cols)
    out["minute"] = out["minute"].astype(int)
    return out


def session_incidents(engine: Engine, session_id: int) -> pd.DataFrame:
    """One session's incidents for its timeline (detected → responded → resolved)."""
    q = _Q(_dialect(engine))
    stmt = select(*_detail_columns(q)).select_from(q.source).where(q.i.c.session_id == session_id)
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(q.i.c.detected_at)).all()
    return _detail_frame(rows)


def sessions_with_incidents(engine: Engine, flt: ReportFilter, limit: int = 200) -> dict[int, str]:
    """{session id: label} of sessions with incidents in the filter, newest first."""
    q = _Q(_dialect(engine))
    s = LiveSession.__table__
    stmt = (
        select(s.c.id, s.c.room, s.c.account, s.c.host_name, s.c.started_at, func.count().label("n"))
        .select_from(q.source.join(s, s.c.id == q.i.c.session_id))
        .where(*q.where(flt))
        .group_by(s.c.id, s.c.room, s.c.account, s.c.host_name, s.c.started_at)
        .order_by(s.c.started_at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return {
        r.id: f"{r.room or r.account} · {r.host_name or '-'} · {r.started_at:%Y-%m-%d %H:%M} ({r.n})"
        for r in rows
    }


def filter_options(engine: Engine, date_from: dt.date, date_to: dt.date) -> dict[str, list[Any]]:
    """Distinct values seen in the period for each report filter (DISTINCT in SQL)."""
    q = _Q(_dialect(engine))
    where = q.where(ReportFilter(date_from, date_to))
    out: dict[str, list[Any]] = {}
    with engine.connect() as conn:
        for key, col in (
            ("platforms", q.i.c.platform),
            ("rooms", q.i.c.room),
            ("hosts", q.i.c.host_name),
            ("categories", q.i.c.category),
            ("handlers", q.handler),
        ):
            stmt = select(col).select_from(q.lean_source).where(*where, col.is_not(None)).distinct()
            out[key] = sorted(conn.execute(stmt).scalars())
        out["departments"] = [
            tuple(r) for r in conn.execute(select(Department.id, Department.name).order_by(Department.id))
        ]
    return out


# --- feeds for scorecards ----------------------------------------------------------------------------


def handler_monthly(engine: Engine, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Per handler and month (of detection): incidents handled, share resolved within SLA (0–1, of resolved),
    median resolve minutes. For the tech-support scorecard."""
    q = _Q(_dialect(engine))
    month = _month(q.i.c.detected_at, q.dialect)
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
            _minutes(medians.get((r.month, r.person_id, r.handler), {}).get("resolve", [None])[0]),
        )
        for r in rows
    ]
    return pd.DataFrame(out, columns=cols).sort_values(["month", "handler"], ignore_index=True)


def department_response_monthly(engine: Engine, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    """Per owner department and month: responded incidents and their median response minutes. For the
    operations scorecard."""
    q = _Q(_dialect(engine))
    keys = [_month(q.i.c.detected_at, q.dialect), q.i.c.owner_department_id, q.department]
    where = [*q.where(ReportFilter(date_from, date_to)), q.i.c.responded_at.is_not(None)]
    counts = select(*keys, func.count()).select_from(q.source).where(*where).group_by(*keys)
    cols = ["month", "department_id", "department", "incidents", "median_respond_minutes"]
    with engine.connect() as conn:
        rows = conn.execute(counts).all()
        medians = sql_percentiles(conn, q, where, keys, {"respond": q.respond_s}, (Fraction(1, 2),))
    out = [
        (*r[:3], int(r[3]), _minutes(medians.get(tuple(r[:3]), {}).get("respond", [None])[0])) for r in rows
    ]
    return pd.DataFrame(out, columns=cols).sort_values(["month", "department"], ignore_index=True)
