"""Helpers shared by the incident tests: insert incidents directly (as an import would) and compute the
expected figures from truth_*.json independently of lib.incidents."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

from lib import incidents
from lib.core.db import write
from lib.core.models import Department, Incident

T0 = dt.datetime(2026, 11, 10, 20, 0, 0)
# Seeded SLAs (lib/core/schema.py): severity -> (respond, resolve); category overrides of the resolve limit
# (which also cap the response limit).
GENERIC = {"simple": (2, 5), "complex": (5, 10), "major": (5, 10)}
CATEGORY_RESOLVE = {"负面评论/舆情": 3, "价格异常": 30}


def dept_ids(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Department.name, Department.id)).all())


def add(engine, rows: list[dict]) -> None:
    with write(engine) as conn:
        for row in rows:
            conn.execute(insert(Incident).values(**row))
        # written straight into the table, as no maintained path would: their days' roll-ups too
        incidents.refresh_rollup_days(conn, {row["detected_at"].date() for row in rows})


def m(minutes: float) -> dt.timedelta:
    return dt.timedelta(seconds=round(minutes * 60))


def known_rows(engine) -> list[dict]:
    """Eight incidents with hand-computed figures (see test_incident_report.py)."""
    d = dept_ids(engine)
    tech, cs, ops = d["技术部"], d["客服部"], d["运营部"]

    def inc(cat, sev, start, respond, resolve, dept, handler, reason=None, room="一鸣数码"):
        det = T0 + m(start)
        return {
            "category": cat,
            "severity": sev,
            "detected_at": det,
            "responded_at": det + m(respond) if respond is not None else None,
            "resolved_at": det + m(resolve) if resolve is not None else None,
            "owner_department_id": dept,
            "handler_name": handler,
            "overtime_reason": reason,
            "room": room,
            "platform": "抖音",
            "host_name": "赵一鸣",
        }

    return [
        inc("网络中断", "simple", 0, 2, 4, tech, "邓浩然"),  # met
        inc("网络中断", "simple", 10, 2, 5, tech, "邓浩然"),  # exactly at the 5-minute limit: met
        inc("网络中断", "simple", 20, 12, 14, tech, "邓浩然", reason="交换机故障"),  # breach with reason
        inc("网络中断", "simple", 30, 1, None, tech, "邓浩然"),  # open
        inc("网络中断", "simple", 40, 2, 4, tech, "邓浩然"),  # tie with the first
        inc("负面评论/舆情", "simple", 50, 1, 4, cs, "罗晨"),  # over the 3-minute category SLA, no reason
        inc("负面评论/舆情", "simple", 60, 0.5, 2.5, cs, "罗晨", room="佳怡生活馆"),  # met
        inc("价格异常", "complex", 70, 5, 25, ops, "吴昊", room="佳怡生活馆"),  # category SLA 30 beats 10
    ]


def truth_incidents(samples: Path) -> list[dict]:
    data = json.loads((samples / "truth_2026-11-02_2026-11-08.json").read_text(encoding="utf-8"))
    return data["incidents"]


def truth_rows(engine, samples: Path) -> list[dict]:
    d = dept_ids(engine)
    rows = []
    for x in truth_incidents(samples):
        rows.append(
            {
                "category": x["category"],
                "severity": x["severity"],
                "detected_at": dt.datetime.fromisoformat(x["detected_at"]),
                "responded_at": dt.datetime.fromisoformat(x["responded_at"]) if x["responded_at"] else None,
                "resolved_at": dt.datetime.fromisoformat(x["resolved_at"]) if x["resolved_at"] else None,
                "owner_department_id": d[x["owner_department"]],
                "handler_name": x["handler"],
                "room": x["room"],
                "host_name": x["host"],
                "overtime_reason": x["overtime_reason"] or None,
            }
        )
    return rows


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q * 100, method="linear")) / 60, 2) if values else None


def expected_from_truth(samples: Path, by: str) -> list[dict]:
    """The CLI's figures recomputed straight from truth_*.json with numpy."""
    groups: dict[str, list[dict]] = {}
    for x in truth_incidents(samples):
        det = dt.datetime.fromisoformat(x["detected_at"])
        key = {
            "category": x["category"],
            "severity": x["severity"],
            "department": x["owner_department"],
            "handler": x["handler"],
            "week": (det.date() - dt.timedelta(days=det.weekday())).isoformat(),
        }[by]
        groups.setdefault(key, []).append(x)
    out = []
    for key in sorted(groups):
        respond, resolve, met, resolved, opened = [], [], 0, 0, 0
        for x in groups[key]:
            det = dt.datetime.fromisoformat(x["detected_at"])
            r = (
                (dt.datetime.fromisoformat(x["responded_at"]) - det).total_seconds()
                if x["responded_at"]
                else None
            )
            v = (
                (dt.datetime.fromisoformat(x["resolved_at"]) - det).total_seconds()
                if x["resolved_at"]
                else None
            )
            if r is not None:
                respond.append(r)
            if v is None:
                opened += 1
                continue
            resolve.append(v)
            resolved += 1
            respond_limit, resolve_limit = GENERIC[x["severity"]]
            resolve_limit = CATEGORY_RESOLVE.get(x["category"], resolve_limit)
            respond_limit = min(respond_limit, resolve_limit)
            met += int(r is not None and r <= respond_limit * 60 and v <= resolve_limit * 60)
        out.append(
            {
                "group": key,
                "count": len(groups[key]),
                "open": opened,
                "respond_p50": _pct(respond, 0.5),
                "respond_p90": _pct(respond, 0.9),
                "resolve_p50": _pct(resolve, 0.5),
                "resolve_p90": _pct(resolve, 0.9),
                "resolve_max": round(max(resolve) / 60, 2) if resolve else None,
                "sla_attainment": round(100 * met / resolved, 2) if resolved else None,
                "breaches": resolved - met,
            }
        )
    return out
