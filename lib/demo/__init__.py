"""Deterministic, realistic demo data for every SPEC area (`python -m lib.cli demo`).

Vectorised with numpy and bulk-inserted in chunks, so 1,000,000 sessions load in well under two minutes
on SQLite. The same seed gives the same data. A database filled here is in demo mode.
"""

from __future__ import annotations

import datetime as dt
import secrets

import numpy as np
from sqlalchemy import Connection, Engine, insert

from lib import cases, incidents, plan, rollups, surveys
from lib.core import clock
from lib.core.auth import DEMO_PASSWORD, add_user
from lib.core.dates import month_keys, months_back_start
from lib.core.db import audit, set_setting, write
from lib.core.models import HostAccount, LiveSession
from lib.core.schema import is_empty
from lib.demo.assessments import add_self_assessments
from lib.demo.records import add_incidents, add_manual_metrics, load_roster
from lib.demo.sessions import ROOMS, session_rows

# Each demo login is a roster person of a fitting position, so every role can answer the survey, own
# action items and see its own scorecard: the data analyst runs the tool, an operations lead manages.
DEMO_LOGINS = {  # access role (also the username) -> (roster person, display name)
    "admin": ("高远", "管理员"),
    "manager": ("吴昊", "运营经理"),
    "staff": ("林晓雨", "林晓雨"),
}


class DemoError(RuntimeError):
    pass


def _accounts_and_logins(conn: Connection, people: dict) -> int:
    """Host accounts of the team's rooms, demo mode on, and the three demo logins; returns the logins."""
    shared = {a for a in (r[2] for r in ROOMS) if sum(r[2] == a for r in ROOMS) > 1}
    for platform, _room, account, host in ROOMS:
        if account not in shared:  # a room shared by two hosts says nothing about who hosted
            conn.execute(
                insert(HostAccount).values(person_id=people[host]["id"], platform=platform, alias=account)
            )
    set_setting(conn, "demo_mode", "1")
    set_setting(conn, "demo_cookie_key", secrets.token_urlsafe(48))
    for role, (person, display_name) in DEMO_LOGINS.items():
        add_user(
            conn,
            role,
            DEMO_PASSWORD,
            role,
            display_name=display_name,
            person_id=people[person]["id"],
            actor="demo",
        )
    return len(DEMO_LOGINS)


def load_demo(
    engine: Engine,
    months: int = 6,
    sessions: int | None = None,
    seed: int = 42,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Fill an empty database with demo data and switch it to demo mode; returns counts per area.
    Everything lies before `now` (default: the team's clock; `today` alone means the end of that day)."""
    if months < 1 or months > 36:
        raise DemoError("--months must be between 1 and 36")
    if sessions is not None and sessions < 1:
        raise DemoError("--sessions must be a positive number")
    if not is_empty(engine):
        raise DemoError("the database already has data; demo data goes only into an empty database")
    rng = np.random.default_rng(seed)
    if now is None:
        now = dt.datetime.combine(today, dt.time(23, 59, 59)) if today else clock.now()
    today = now.date()
    start = months_back_start(today, months)
    stats = {
        "sessions": 0,
        "people": 0,
        "incidents": 0,
        "manual_metrics": 0,
        "cases": 0,
        "users": 0,
        "planned_sessions": 0,
    }
    with write(engine) as conn:
        people = load_roster(conn)
        stats["people"] = len(people)
        stats["users"] = _accounts_and_logins(conn, people)
        audit(conn, "demo", "demo_load", months=months, sessions=sessions, seed=seed)
    table = LiveSession.__table__
    for chunk in session_rows(rng, start, now, sessions, people):
        with engine.begin() as conn:
            conn.execute(insert(table), chunk)
            # The chunk's own transaction; chunks run room by room, so only their rooms' keys are recomputed.
            rollups.refresh_days(conn, {r["started_on"] for r in chunk}, {r.get("room") for r in chunk})
        stats["sessions"] += len(chunk)
    with write(engine) as conn:
        stats["incidents"] = add_incidents(conn, rng, people, now)
        incidents.rebuild_rollups(conn)  # the demo writes into an empty database: every day is new
        stats["manual_metrics"] = add_manual_metrics(conn, rng, people, start, today)
        stats["cases"] = cases.add_seed_reviews(conn, [r[2] for r in ROOMS], people, now)
        stats["cases"] += cases.add_demo_cases(conn, today)
        stats["self_assessments"] = add_self_assessments(conn, people, today)

        # The schedule around the held sessions (last weeks, the coming week): scripts, forecasts.
        stats["planned_sessions"] = plan.add_demo_schedule(
            conn, rng, [(r[0], r[1], r[3]) for r in ROOMS], now
        )
    stats["survey_answers"] = _surveys(engine, start, today, seed)
    return stats


def _surveys(engine: Engine, start: dt.date, today: dt.date, seed: int) -> int:
    """Closed rounds with answers for past months, and this month's round open for the demo logins."""

    months = month_keys(start, today)
    written = surveys.load_demo_rounds(engine, months[:-1], seed=seed)
    current = surveys.create_round(engine, f"{months[-1]} 跨部门协作满意度", months[-1], "demo")
    surveys.open_round(engine, current, "demo")
    return written
