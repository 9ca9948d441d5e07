"""Reads of the schedule: planned sessions of a period, one session, what is due today."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lib.core.models import PlannedSession
from lib.plan.model import script_due
from lib.plan.rules import PlanRules, load_rules
from lib.plan.writes import history

T = PlannedSession.__table__
LIST_COLUMNS = (
    "id",
    "platform",
    "account",
    "host_name",
    "starts_at",
    "minutes",
    "ends_at",
    "theme",
    "products",
    "ops_owner",
    "content_owner",
    "floor_manager",
    "status",
    "forecast_gmv",
    "forecast_viewers",
    "script_submitted_at",
    "script_approved_at",
    "version",
)


def _bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.combine(date_from, dt.time()), dt.datetime.combine(
        date_to + dt.timedelta(days=1), dt.time()
    )


def planned_rows(
    conn: Connection, date_from: dt.date, date_to: dt.date, include_cancelled: bool = True
) -> list[sa.Row[*tuple[Any, ...]]]:
    """Planned sessions starting on the days from `date_from` to `date_to` (inclusive), by start."""
    start, end = _bounds(date_from, date_to)
    query = sa.select(T).where(T.c.starts_at >= start, T.c.starts_at < end)
    if not include_cancelled:
        query = query.where(T.c.status == "planned")
    return list(conn.execute(query.order_by(T.c.starts_at, T.c.platform, T.c.account, T.c.id)))


def script_status(row: Any, now: dt.datetime, rules: PlanRules) -> str:
    """approved / submitted / overdue / due (draft or review date passed without it) / open."""
    if row.script_approved_at is not None:
        return "approved"
    if now >= script_due(row.starts_at, rules.review_days_before):
        return "overdue"
    if row.script_submitted_at is not None:
        return "submitted"
    if now >= script_due(row.starts_at, rules.draft_days_before):
        return "draft_late"
    return "open"


def as_dict(row: Any, now: dt.datetime, rules: PlanRules) -> dict[str, Any]:
    """A planned session with its script due times and status by `rules` (those of its month)."""
    out = {c: getattr(row, c) for c in LIST_COLUMNS}
    out["draft_due"] = script_due(row.starts_at, rules.draft_days_before)
    out["review_due"] = script_due(row.starts_at, rules.review_days_before)
    out["script_status"] = script_status(row, now, rules)
    return out


def schedule(engine: Engine, date_from: dt.date, date_to: dt.date, now: dt.datetime) -> list[dict[str, Any]]:
    """The schedule of a period as dicts (with script due times and status), by start."""
    with engine.connect() as conn:
        book = load_rules(conn)
        return [as_dict(r, now, book.at(r.starts_at)) for r in planned_rows(conn, date_from, date_to)]


def planned_session(engine: Engine, planned_id: int, now: dt.datetime) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(T).where(T.c.id == planned_id)).first()
        book = load_rules(conn)
    return as_dict(row, now, book.at(row.starts_at)) if row else None


def history_of(engine: Engine, planned_id: int) -> list[dict[str, Any]]:
    """Every change of a planned session, oldest first (who, when, what)."""
    with engine.connect() as conn:
        return history(conn, planned_id)
