"""Demo roster, incidents, manual metrics and post-stream reviews, drawn from the demo sessions."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import Connection, insert, select

from lib.core.dates import month_keys
from lib.core.db import ROOT, inserted_id
from lib.core.models import (
    Department,
    Incident,
    IncidentCategory,
    LiveSession,
    ManualMetric,
    Person,
    Position,
    Team,
)
from lib.core.schema import DEFAULT_SLAS
from lib.demo.sessions import ROOMS

ROSTER_FILE = ROOT / "data" / "demo" / "roster.csv"
MANUAL_BY_POSITION = {
    "host": (("training_pass_rate", 0.88, 0.05),),
    "operations": (("schedule_accuracy", 0.95, 0.02), ("script_on_time", 0.95, 0.04)),
    "field_control": (("field_start_on_time", 0.94, 0.03),),  # by hand while the demo has no schedule
    "data_analyst": (("report_accuracy", 0.96, 0.02),),
    "content_planner": (("script_on_time", 0.85, 0.06), ("content_quality", 3.9, 0.3)),
    "customer_service": (
        ("cs_response_seconds", 28, 6),
        ("cs_resolution_rate", 0.93, 0.03),
        ("customer_satisfaction", 4.55, 0.2),
    ),
}
INCIDENT_OWNERS = {
    "网络中断": "技术部",
    "推流/画面卡顿": "技术部",
    "设备故障": "技术部",
    "负面评论/舆情": "客服部",
}


def load_roster(conn: Connection) -> dict[str, dict]:
    positions = dict(conn.execute(select(Position.name_zh, Position.id)).all())
    departments = dict(conn.execute(select(Department.name, Department.id)).all())
    teams: dict[str, int] = {}
    people: dict[str, dict] = {}
    with ROSTER_FILE.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            team = row["小组"]
            if team not in teams:
                teams[team] = inserted_id(conn.execute(insert(Team).values(name=team)))
            inserted = conn.execute(
                insert(Person).values(
                    name=row["姓名"],
                    position_id=positions[row["岗位"]],
                    department_id=departments[row["部门"]],
                    team_id=teams[team],
                    hired_on=dt.date.fromisoformat(row["入职日期"]),
                    phone=row["手机号"],
                    active=True,
                )
            )
            pid = inserted_id(inserted)
            people[row["姓名"]] = {"id": pid, "position": row["岗位"], "department": row["部门"]}
    return people


def _incident(
    rng: np.random.Generator, s: Any, category: str, handlers: dict[str, list[str]], now: dt.datetime
) -> dict[str, Any]:
    """One incident during session `s`: times, severity, owner and handler (without ids and keys)."""
    severity = ("simple", "complex", "major")[int(rng.choice(3, p=[0.65, 0.3, 0.05]))]
    detected = s.started_at + dt.timedelta(minutes=float(rng.uniform(5, max(6, s.duration_minutes or 60))))
    detected = detected.replace(microsecond=0)
    respond = float(rng.gamma(2.0, 1.6))
    resolve = respond + float(rng.gamma(2.2, 2.5 if severity == "simple" else 4.0))
    responded = detected + dt.timedelta(minutes=respond)
    resolved = detected + dt.timedelta(minutes=resolve)
    sla = DEFAULT_SLAS[severity][1]
    dept = INCIDENT_OWNERS.get(category, "运营部")
    handler = handlers[dept][int(rng.integers(0, len(handlers[dept])))]
    return {
        "session_id": s.id,
        "platform": s.platform,
        "room": s.room,
        "host_name": s.host_name,
        "category": category,
        "severity": severity,
        "detected_at": detected,
        "responded_at": None if responded > now else responded.replace(microsecond=0),
        "resolved_at": None if resolved > now else resolved.replace(microsecond=0),
        "meeting_at": detected + dt.timedelta(minutes=20) if severity == "major" else None,
        "owner_department": dept,
        "handler_name": handler,
        "escalated": severity == "major",
        "overtime_reason": ("备用设备取用耗时" if resolve > sla and rng.random() < 0.7 else None),
        "description": None,
        "created_by": "demo",
        "import_batch_id": None,
        "updated_at": None,
    }


def add_incidents(conn: Connection, rng: np.random.Generator, people: dict, now: dt.datetime) -> int:
    """About one incident per three sessions of the team's own rooms (capped), with realistic times; one
    still unanswered or unresolved at `now` stays open."""
    categories = [
        c for (c,) in conn.execute(select(IncidentCategory.name).order_by(IncidentCategory.sort_order))
    ]
    departments = dict(conn.execute(select(Department.name, Department.id)).all())
    handlers = {
        "技术部": [n for n, p in people.items() if p["department"] == "技术部"],
        "运营部": [n for n, p in people.items() if p["position"] == "运营"],
        "客服部": [n for n, p in people.items() if p["department"] == "客服部"],
    }
    s = LiveSession
    sessions = conn.execute(
        select(s.id, s.platform, s.room, s.host_name, s.started_at, s.duration_minutes)
        .where(s.account.in_([r[2] for r in ROOMS]))
        .order_by(s.started_at)
        .limit(6000)
    ).all()
    rows: list[dict[str, Any]] = []
    for session in sessions:
        if rng.random() > 0.35:
            continue
        category = categories[int(rng.integers(0, len(categories)))]
        row = _incident(rng, session, category, handlers, now)
        dept = row.pop("owner_department")
        row["natural_key"] = f"demo-{session.id}-{len(rows)}"
        row["owner_department_id"] = departments[dept]
        row["handler_person_id"] = people[row["handler_name"]]["id"]
        rows.append(row)
    if rows:
        conn.execute(insert(Incident.__table__), rows)
    return len(rows)


def add_manual_metrics(
    conn: Connection, rng: np.random.Generator, people: dict, start: dt.date, end: dt.date
) -> int:
    keys = {zh: key for key, zh in conn.execute(select(Position.key, Position.name_zh)).all()}
    rows = []
    for month in month_keys(start, end)[:-1]:  # the current month is not recorded yet
        for p in people.values():
            for metric, mean, sd in MANUAL_BY_POSITION.get(keys[p["position"]], ()):
                value = float(rng.normal(mean, sd))
                value = min(value, 1.0) if mean <= 1 else value
                rows.append(
                    {
                        "month": month,
                        "person_id": p["id"],
                        "metric": metric,
                        "value": round(value, 4),
                        "import_batch_id": None,
                        "entered_by": "demo",
                    }
                )
    if rows:
        conn.execute(insert(ManualMetric.__table__), rows)
    return len(rows)
