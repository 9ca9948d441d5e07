"""Test data for the KPI tests: the sample roster and the truth sessions inserted directly (no importer)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

from sqlalchemy import Engine, insert, select

from lib import rollups
from lib.core.db import write
from lib.core.models import Department, HostAccount, LiveSession, Person, Position, Team

PLATFORM_KEYS = {"抖音": "douyin", "快手": "kuaishou", "淘宝": "taobao"}
TRUTH_FILE = "truth_2026-11-02_2026-11-08.json"


def load_roster(engine: Engine, samples: Path) -> dict[str, int]:
    """People from roster.csv (teams created from 小组); returns {name: person id}."""
    ids: dict[str, int] = {}
    with write(engine) as conn:
        positions = dict(conn.execute(select(Position.name_zh, Position.id)).all())
        departments = dict(conn.execute(select(Department.name, Department.id)).all())
        teams: dict[str, int] = {}
        with (samples / "roster.csv").open(encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                team = row["小组"]
                if team not in teams:
                    teams[team] = conn.execute(insert(Team).values(name=team)).inserted_primary_key[0]
                ids[row["姓名"]] = conn.execute(
                    insert(Person).values(
                        name=row["姓名"],
                        position_id=positions.get(row["岗位"]),
                        department_id=departments.get(row["部门"]),
                        team_id=teams[team],
                        hired_on=dt.date.fromisoformat(row["入职日期"]),
                        active=True,
                    )
                ).inserted_primary_key[0]
    return ids


def truth_sessions(samples: Path) -> list[dict]:
    return json.loads((samples / TRUTH_FILE).read_text(encoding="utf-8"))["sessions"]


def load_truth_sessions(engine: Engine, samples: Path, people: dict[str, int]) -> dict[str, int]:
    """Insert every truth session as stored columns; returns {truth session_id: live_sessions.id}."""
    out = {}
    with write(engine) as conn:
        for s in truth_sessions(samples):
            platform = PLATFORM_KEYS[s["platform"]]
            started = dt.datetime.fromisoformat(s["start"])
            values = {
                k: s[k]
                for k in (
                    "viewers",
                    "views",
                    "peak_online",
                    "avg_online",
                    "avg_watch_seconds",
                    "new_followers",
                    "comments",
                    "likes",
                    "shares",
                    "product_clicks",
                    "orders",
                    "buyers",
                    "gmv",
                    "duration_minutes",
                    "title",
                    "room",
                    "account",
                )
            }
            out[s["session_id"]] = conn.execute(
                insert(LiveSession).values(
                    platform=platform,
                    external_id=s["session_id"],
                    host_name=s["host"],
                    host_person_id=people.get(s["host"]),
                    started_at=started,
                    started_on=started.date(),
                    ended_at=dt.datetime.fromisoformat(s["end"]),
                    **values,
                )
            ).inserted_primary_key[0]
        for name, pid in people.items():
            for s in truth_sessions(samples):
                if s["host"] == name:
                    alias = (PLATFORM_KEYS[s["platform"]], s["host"])
                    exists = conn.execute(
                        select(HostAccount.id).where(
                            HostAccount.platform == alias[0], HostAccount.alias == alias[1]
                        )
                    ).first()
                    if not exists:
                        conn.execute(
                            insert(HostAccount).values(person_id=pid, platform=alias[0], alias=alias[1])
                        )
        rollups.rebuild_connection(conn)  # written straight into the table, as no import would
    return out


def expected_totals(sessions: list[dict], key) -> dict[str, dict]:
    """Hand-computed group totals: sums, ratios from sums, viewer-weighted watch time."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for s in sessions:
        groups[key(s)].append(s)
    out = {}
    for name, rows in groups.items():
        total = {
            f: sum(r[f] for r in rows)
            for f in (
                "gmv",
                "viewers",
                "views",
                "orders",
                "buyers",
                "new_followers",
                "comments",
                "likes",
                "shares",
                "duration_minutes",
            )
        }
        out[name] = {
            "sessions": len(rows),
            "gmv": round(total["gmv"], 2),
            "viewers": total["viewers"],
            "views": total["views"],
            "orders": total["orders"],
            "buyers": total["buyers"],
            "new_followers": total["new_followers"],
            "peak_online": max(r["peak_online"] for r in rows),
            "conversion_rate": total["buyers"] / total["viewers"],
            "uv_value": total["gmv"] / total["viewers"],
            "gpm": total["gmv"] / total["views"] * 1000,
            "avg_order_value": total["gmv"] / total["buyers"],
            "avg_watch_seconds": sum(r["avg_watch_seconds"] * r["viewers"] for r in rows) / total["viewers"],
            "interaction_rate": (total["comments"] + total["likes"] + total["shares"]) / total["viewers"],
            "share_rate": total["shares"] / total["viewers"],
            "like_rate": total["likes"] / total["viewers"],
            "duration_hours": total["duration_minutes"] / len(rows) / 60,
        }
    return out
