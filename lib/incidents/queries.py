"""Reads of the incident domain (engine first): SLAs and categories, what the logging form offers, and
the report's option lists and one session's incidents."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, or_, select

from lib.core import clock
from lib.core.models import Department, IncidentCategory, IncidentRollup, IncidentSla, LiveSession, Person
from lib.incidents import filter_values
from lib.incidents.model import ReportFilter, Sla
from lib.incidents.sql import IncidentQuery, detail_columns, detail_frame, dialect_of, sla_in_force


def sla_for(conn: Connection, category: str, severity: str, at: dt.datetime | None = None) -> Sla:
    """The category+severity SLA row in force at `at` (default now) if there is one, else the generic row
    of the severity."""
    s = IncidentSla.__table__
    when = at or clock.now()
    cat_id = conn.execute(select(IncidentCategory.id).where(IncidentCategory.name == category)).scalar()
    for cond in ((s.c.category_id == cat_id) if cat_id is not None else None, s.c.category_id.is_(None)):
        if cond is None:
            continue
        row = conn.execute(
            select(s.c.respond_minutes, s.c.resolve_minutes, s.c.meeting_minutes).where(
                cond, s.c.severity == severity, sla_in_force(s, when)
            )
        ).first()
        if row is not None:
            return Sla(*row)
    return Sla(None, None, None)


def sla_lookup(engine: Engine, category: str, severity: str, at: dt.datetime | None = None) -> Sla:
    with engine.connect() as conn:
        return sla_for(conn, category, severity, at)


def categories(engine: Engine, active_only: bool = True) -> list[dict[str, Any]]:
    stmt = select(
        IncidentCategory.id, IncidentCategory.name, IncidentCategory.sort_order, IncidentCategory.active
    )
    if active_only:
        stmt = stmt.where(IncidentCategory.active.is_(True))
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(IncidentCategory.sort_order, IncidentCategory.id)).mappings()
        return [dict(r) for r in rows]


def sla_table(engine: Engine, at: dt.datetime | None = None) -> pd.DataFrame:
    """The SLA rows in force at `at` (default now): category (None = all categories), severity,
    respond/resolve/meeting minutes."""
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
        .where(sla_in_force(s, at or clock.now()))
        .order_by(c.c.sort_order, s.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    cols = ["category", "severity", "respond_minutes", "resolve_minutes", "meeting_minutes"]
    return pd.DataFrame([dict(r) for r in rows], columns=cols)


def sla_versions(engine: Engine) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """Each SLA table's (from, until) (until None: still in force), oldest first."""
    s = IncidentSla.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(s.c.valid_from, s.c.valid_to).distinct().order_by(s.c.valid_from)).all()
    return [(r.valid_from, r.valid_to) for r in rows]


def incidents_to_update(engine: Engine, limit: int = 200) -> list[dict[str, Any]]:
    """What the logging page's update section offers: unresolved incidents (newest first), then resolved
    ones over their SLA that still lack a reason (e.g. from uploads), each with a display label."""
    q = IncidentQuery(dialect_of(engine))
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


def session_incidents(engine: Engine, session_id: int) -> pd.DataFrame:
    """One session's incidents for its timeline (detected → responded → resolved)."""
    q = IncidentQuery(dialect_of(engine))
    stmt = select(*detail_columns(q)).select_from(q.source).where(q.i.c.session_id == session_id)
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(q.i.c.detected_at)).all()
    return detail_frame(rows)


def sessions_with_incidents(engine: Engine, flt: ReportFilter, limit: int = 200) -> dict[int, str]:
    """{session id: label} of sessions with incidents in the filter, newest first."""
    q = IncidentQuery(dialect_of(engine))
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
    """Distinct values seen in the period for each report filter: platforms, rooms, hosts and handlers from
    the per-day filter values, categories from the incident roll-ups (both kept by every incident write)."""
    with engine.connect() as conn:
        out = filter_values.options(conn, date_from, date_to)
        out["categories"] = sorted(
            conn.execute(
                select(IncidentRollup.c.category)
                .where(IncidentRollup.c.day >= date_from, IncidentRollup.c.day <= date_to)
                .distinct()
            ).scalars()
        )
        out["departments"] = [
            tuple(r) for r in conn.execute(select(Department.id, Department.name).order_by(Department.id))
        ]
    return out
