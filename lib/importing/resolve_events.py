"""Resolving incidents and manual metrics against the database: categories, departments, handlers and
people by name, each incident linked to the session it happened in, metric names and values."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from lib.core.metrics import MANUAL_ALIASES, METRICS
from lib.core.models import Department, Incident, IncidentCategory, LiveSession, ManualMetric
from lib.importing import profiles as prof
from lib.importing.plan import IN_CHUNK, Plan, chunks, fetch_in, lookup, person_ids, records_of
from lib.importing.validate import RowError
from lib.importing.values import ValueParseError, parse_number

INCIDENT_COLUMNS = (
    "natural_key",
    "session_id",
    "platform",
    "room",
    "host_name",
    "category",
    "severity",
    "detected_at",
    "responded_at",
    "resolved_at",
    "owner_department_id",
    "handler_person_id",
    "handler_name",
    "overtime_reason",
)


def incident_key(room: str | None, host: str | None, category: str, detected_at: dt.datetime) -> str:
    """The natural key of an imported incident: a hash of its identifying source fields."""
    raw = "|".join([room or "", host or "", category, detected_at.isoformat(sep=" ")])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def link_session(
    sessions: Sequence[Any], inc: dict[str, Any], people: dict[str, int]
) -> tuple[int | None, str | None]:
    """The session of that room/host whose [start, end] contains the detection time."""
    at, host, room = inc["detected_at"], inc.get("host_name"), inc.get("room")
    host_pid = people.get(host) if host else None
    best: tuple[int, Any] | None = None
    for s in sessions:
        if not (s.started_at <= at <= s.ended_at):
            continue
        if inc.get("platform") and s.platform != inc["platform"]:
            continue
        host_ok = bool(host) and (
            s.host_name == host or (host_pid is not None and s.host_person_id == host_pid)
        )
        room_ok = bool(room) and (s.room == room or s.account == room)
        if host and not host_ok:
            continue
        if room and s.room and s.room != s.account and not room_ok:  # a room name only the account stands for
            continue
        score = (2 if host_ok else 0) + (1 if room_ok else 0)
        if best is None or score > best[0] or (score == best[0] and s.started_at > best[1].started_at):
            best = (score, s)
    return (best[1].id, best[1].platform) if best else (None, None)


def _candidate_sessions(
    conn: Connection, records: list[dict[str, Any]]
) -> tuple[Sequence[Any], dict[str, tuple]]:
    """Finished sessions around the file's detection times, and sessions named by external id."""
    detected = [r["detected_at"] for r in records]
    lo, hi = min(detected) - dt.timedelta(days=2), max(detected) + dt.timedelta(days=1)
    s = LiveSession.__table__
    wanted = ("id", "platform", "room", "host_name", "host_person_id", "started_at", "ended_at", "account")
    sessions = conn.execute(
        select(*[s.c[x] for x in wanted]).where(s.c.started_at.between(lo, hi), s.c.ended_at.is_not(None))
    ).all()
    refs = sorted({r["session_ref"] for r in records if r.get("session_ref")})
    by_ref: dict[str, tuple[int, str]] = {}
    for chunk in chunks(refs, IN_CHUNK):
        q = select(s.c.external_id, s.c.id, s.c.platform).where(s.c.external_id.in_(chunk))
        by_ref.update({ext: (sid, platform) for ext, sid, platform in conn.execute(q)})
    return sessions, by_ref


def resolve_incidents(conn: Connection, frame: pd.DataFrame, headers: dict[str, str]) -> tuple[Plan, list]:
    categories = set(conn.execute(select(IncidentCategory.name)).scalars())
    departments = {n: i for i, n in conn.execute(select(Department.id, Department.name))}
    people = person_ids(conn)
    errors: list[RowError] = []
    records = records_of(frame, ("_row", *prof.FIELDS["incidents"]))
    sessions, by_ref = _candidate_sessions(conn, records)
    known = {"known": "、".join(sorted(categories))}
    for r in records:
        row = r.pop("_row")
        ref = r.pop("session_ref", None)
        if r["category"] not in categories:
            errors.append(RowError(row, headers["category"], r["category"], "unknown_category", known))
        dept = r.pop("owner_department", None)
        r["owner_department_id"] = lookup(
            departments, dept, row, headers.get("owner_department"), "unknown_department", errors
        )
        handler = r.pop("handler", None)
        r["handler_name"] = handler
        r["handler_person_id"] = people.get(handler) if handler else None
        r["overtime_reason"] = r.get("overtime_reason") or None
        if ref and ref in by_ref:  # the file names the session
            r["session_id"], platform = by_ref[ref]
        else:  # the session of that room/host whose time span contains the detection time
            r["session_id"], platform = link_session(sessions, r, people)
        r["platform"] = r.get("platform") or platform
        r["natural_key"] = incident_key(r.get("room"), r.get("host_name"), r["category"], r["detected_at"])
    columns = INCIDENT_COLUMNS + tuple(
        c for c in ("meeting_at", "escalated", "description") if c in frame.columns
    )

    def fetch(c: Connection, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return fetch_in(c, Incident.__table__, columns, "natural_key", [r["natural_key"] for r in recs])

    return Plan(Incident.__table__, records, columns, lambda r: (r["natural_key"],), fetch), errors


def metric_value(metric_key: str, text: str) -> float:
    """`96%` -> 0.96; for a percent metric a bare number above 1 is read as percent too."""
    cleaned = text.strip().replace("％", "%")
    if cleaned.endswith("%"):
        number = parse_number(cleaned[:-1])
        if number is None:
            raise ValueParseError("bad_number")
        return number / 100.0
    number = parse_number(cleaned)
    if number is None:
        raise ValueParseError("bad_number")
    if METRICS[metric_key].unit == "pct" and number > 1:
        return number / 100.0
    return number


def resolve_manual(conn: Connection, frame: pd.DataFrame, headers: dict[str, str]) -> tuple[Plan, list]:
    people = person_ids(conn)
    names = {m.zh: m.key for m in METRICS.values()} | {k: k for k in METRICS} | MANUAL_ALIASES
    errors: list[RowError] = []
    records = records_of(frame, ("_row", "month", "name", "metric", "value"))
    for r in records:
        row = r.pop("_row")
        name, metric_name, raw_value = r.pop("name"), r.pop("metric"), r.pop("value")
        r["person_id"] = people.get(name)
        if r["person_id"] is None:
            errors.append(RowError(row, headers["name"], name, "unknown_person"))
        r["metric"] = names.get(metric_name) or names.get(str(metric_name).strip())
        if r["metric"] is None:
            known = {"known": "、".join(MANUAL_ALIASES)}
            errors.append(RowError(row, headers["metric"], metric_name, "unknown_metric", known))
            continue
        try:
            r["value"] = metric_value(r["metric"], raw_value)
        except ValueParseError as exc:
            errors.append(RowError(row, headers["value"], raw_value, exc.code))
    columns = ("month", "person_id", "metric", "value")

    def fetch(c: Connection, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return fetch_in(c, ManualMetric.__table__, columns, "month", sorted({r["month"] for r in recs}))

    plan = Plan(
        ManualMetric.__table__, records, columns, lambda r: (r["month"], r["person_id"], r["metric"]), fetch
    )
    return plan, errors
