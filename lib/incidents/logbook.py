"""Logging an incident and adding its response/resolution later: validate (times in order, not in the
future, a reason when over the SLA) -> one write (claiming the form's token) -> audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from lib.core import forms
from lib.core.db import audit, inserted_id, now, write
from lib.core.models import Incident, IncidentCategory, LiveSession, Person
from lib.incidents.model import (
    CLOCK_SKEW,
    SESSION_LINK_AFTER_END,
    SEVERITIES,
    IncidentError,
    IncidentInput,
    Sla,
    minutes,
)
from lib.incidents.queries import sla_for
from lib.incidents.rollup import refresh_days


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
    # resolved implies responded (resolved_without_response above)
    if data.resolved_at and data.responded_at and data.resolved_at < data.responded_at:
        raise IncidentError(
            "resolved_before_responded",
            resolved=f"{data.resolved_at:%Y-%m-%d %H:%M}",
            responded=f"{data.responded_at:%Y-%m-%d %H:%M}",
        )


def over_sla(data: IncidentInput, sla: Sla) -> dict[str, float] | None:
    """For a resolved incident: {respond/resolve minutes and limits} when it missed its SLA, else None."""
    if data.resolved_at is None or data.detected_at is None:  # unresolved; or refused by _check_times
        return None
    respond = (data.responded_at - data.detected_at).total_seconds() if data.responded_at else None
    resolve = (data.resolved_at - data.detected_at).total_seconds()
    late_respond = sla.respond_minutes is not None and (respond is None or respond > sla.respond_minutes * 60)
    late_resolve = sla.resolve_minutes is not None and resolve > sla.resolve_minutes * 60
    if not (late_respond or late_resolve):
        return None
    return {
        "respond": (minutes(respond) or 0.0) if respond is not None else -1.0,
        "resolve": minutes(resolve) or 0.0,
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
    late = over_sla(data, sla_for(conn, data.category, data.severity, data.detected_at))
    if late is not None and not reason:
        raise IncidentError("reason_required", **late)
    return data


def check_session_link(conn: Connection, data: IncidentInput) -> None:
    """Refuse a link to a session that ended more than SESSION_LINK_AFTER_END before the detection (its
    end: the exported end, else start + duration; a session without either counts as still live)."""
    if data.session_id is None:
        return
    row = conn.execute(
        select(LiveSession.started_at, LiveSession.ended_at, LiveSession.duration_minutes).where(
            LiveSession.id == data.session_id
        )
    ).first()
    if row is None:
        raise IncidentError("unknown_session", value=data.session_id)
    ended = row.ended_at
    if ended is None and row.duration_minutes is not None:
        ended = row.started_at + dt.timedelta(minutes=float(row.duration_minutes))
    if ended is not None and data.detected_at > ended + SESSION_LINK_AFTER_END:
        raise IncidentError(
            "session_long_over",
            ended=f"{ended:%Y-%m-%d %H:%M}",
            detected=f"{data.detected_at:%Y-%m-%d %H:%M}",
            minutes=int(SESSION_LINK_AFTER_END.total_seconds() // 60),
        )


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
        check_session_link(conn, data)
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
        new_id = inserted_id(conn.execute(insert(Incident).values(**values)))
        refresh_days(conn, [values["detected_at"].date()])  # its day's roll-up, same transaction
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
) -> int:
    """Add the response and/or resolution time (and a reason) to an incident; validated like a new one;
    its id. `token` as in create_incident."""
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
        refresh_days(conn, [row["detected_at"].date()])  # its day's roll-up (the day does not move)
        audit(conn, username, "incident_updated", id=incident_id)
    return incident_id
