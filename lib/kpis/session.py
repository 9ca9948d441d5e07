"""One session: every stored field, its metrics against target, incidents during it, linked cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from lib import targets as tg
from lib.core.i18n import translate
from lib.core.metrics import SESSION_METRICS
from lib.core.models import Case, CaseSession, Incident
from lib.kpis.queries import LS, Filters, load_roster, session_rows
from lib.kpis.rows import with_targets

INCIDENT_COLUMNS = (
    "id",
    "category",
    "severity",
    "detected_at",
    "responded_at",
    "resolved_at",
    "handler_name",
    "overtime_reason",
)
CASE_COLUMNS = ("id", "title", "case_date", "status", "author")


def session_detail(engine: Engine, session_id: int) -> dict[str, Any] | None:
    """One session: every stored field, its metrics against target, incidents during it, linked cases."""
    roster = load_roster(engine)
    rows = session_rows(engine, Filters(dt.date.min, dt.date.max), roster, session_id=session_id)
    if not rows:
        return None
    day = rows[0]["started_on"]
    row = with_targets("session", rows, Filters(day, day), roster, tg.load_targets(engine))[0]
    incidents, cases = session_links_of(engine, session_id)
    return {
        "stored": {c.name: row.get(c.name) for c in LS.columns},
        "host": row.get("host"),
        "team": row.get("team"),
        "metrics": {m.key: row.get(m.key) for m in SESSION_METRICS if m.key != "sessions"},
        "targets": row["targets"],
        "incidents": pd.DataFrame(incidents, columns=list(INCIDENT_COLUMNS)),
        "cases": pd.DataFrame(cases, columns=list(CASE_COLUMNS)),
    }


def session_links_of(engine: Engine, session_id: int) -> tuple[list[Any], list[Any]]:
    """The incidents during a session (by detection time) and the cases linking to it (by case date)."""
    inc, case_t, link = Incident.__table__, Case.__table__, CaseSession.__table__
    with engine.connect() as conn:
        incidents = conn.execute(
            select(*(inc.c[c] for c in INCIDENT_COLUMNS))
            .where(inc.c.session_id == session_id)
            .order_by(inc.c.detected_at)
        )
        cases = conn.execute(
            select(*(case_t.c[c] for c in CASE_COLUMNS))
            .join(link, link.c.case_id == case_t.c.id)
            .where(link.c.session_id == session_id)
            .order_by(case_t.c.case_date)
        )
        return list(incidents.mappings().all()), list(cases.mappings().all())


def recent_sessions(
    engine: Engine, limit: int = 200, lang: str = "zh", hosted_by: int | None = None
) -> list[tuple[int, str]]:
    """(id, label) of the latest sessions for the session picker, platforms by their name in `lang`;
    `hosted_by`: only that roster person's sessions (a staff member's own, lib.core.access)."""

    query = select(LS.c.id, LS.c.started_at, LS.c.platform, LS.c.room, LS.c.host_name)
    if hosted_by is not None:  # along the (host, day) index
        query = query.where(LS.c.host_person_id == hosted_by)
    with engine.connect() as conn:
        rows = conn.execute(
            query
            # started_on is started_at's day: the same order, read backwards along the day index (the
            # last days only) instead of sorting every session (100 ms+ at 100,000 sessions).
            .order_by(LS.c.started_on.desc(), LS.c.started_at.desc(), LS.c.id.desc()).limit(limit)
        ).all()
    names = {p: translate(f"kpis.platform_name.{p}", lang) for p in {r.platform for r in rows}}
    return [
        (r.id, f"{r.started_at:%Y-%m-%d %H:%M} · {names[r.platform]} · {r.room or ''} · {r.host_name or ''}")
        for r in rows
    ]
