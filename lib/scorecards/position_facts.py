"""Figures of the positions whose KPIs come from the plan, the uploads or a host's own history:

- 场控 (field_control): the planned sessions naming the person as 场控 (lib.plan's comparison, its
  tolerances): started on time, incidents logged against the sessions held, their interaction rate;
- 数据分析 (data_analyst): upload deadlines met (seed 004: a session's data within one hour of its end,
  the weekly session list by the Monday after its week), from import batch times against session ends;
- 主播 (host): host growth, the conversion rate of the second or third month against the month hired.

Each figure is (value, counts) keyed by (person id, metric), as the plan's own figures are: a KPI with no
entry keeps its manual figure (field_start_on_time) or shows "no data"; a value of None carries the
reason in `counts["status"]` (shown on the card instead of a number)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, func, select

from lib import plan
from lib.core.dates import month_bounds, month_of, shift_month_key
from lib.core.metrics import metrics_from_rows
from lib.core.models import (
    ImportBatch,
    ImportChange,
    Incident,
    LiveSession,
    Person,
    SessionMinute,
    SessionProduct,
    SessionSource,
    User,
)

Figures = dict[tuple[int, str], tuple[float | None, dict[str, Any]]]
FULL_EXPORT_WITHIN = dt.timedelta(hours=1)  # seed 004: 直播后1小时内导出全量数据
DETAIL_TABLES = (SessionMinute.__tablename__, SessionProduct.__tablename__, SessionSource.__tablename__)
GROWTH_MONTHS = (1, 2)  # months after the month hired that are scored against it (3 months in all)
INTERACTION_COLUMNS = ("comments", "likes", "shares", "questions", "viewers")
IN_CHUNK = 500


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), IN_CHUNK):
        yield ids[i : i + IN_CHUNK]


# --- 场控 --------------------------------------------------------------------------------------------


def field_control_figures(
    engine: Engine, persons: Iterable[Any], outcomes: plan.PlanOutcomes | None
) -> Figures:
    """Started on time, incidents per 10 sessions and interaction rate of each 场控's planned sessions
    (`outcomes`: the month's plan against what happened, lib.plan)."""
    names = {p.name: p.id for p in persons if p.position == "field_control"}
    if not names or outcomes is None:
        return {}
    comparison = outcomes.comparison
    planned: dict[int, int] = {}
    on_time: dict[int, int] = {}
    held: dict[int, list[int]] = {}
    for m in comparison.matches:
        pid = names.get(m.planned.floor_manager or "")
        if pid is not None:
            planned[pid] = planned.get(pid, 0) + 1
            on_time[pid] = on_time.get(pid, 0) + (not {"late", "early"} & set(m.reasons))
            held.setdefault(pid, []).append(int(m.held.id))
    for row in comparison.unmatched_planned:  # not held at all: not started on time (cancelled: no start due)
        pid = names.get(row.floor_manager or "")
        if pid is not None and row.status != "cancelled":
            planned[pid] = planned.get(pid, 0) + 1
    out: Figures = {}
    for pid, n in planned.items():
        out[(pid, "field_start_on_time")] = (
            on_time.get(pid, 0) / n,
            {"planned": n, "started_on_time": on_time.get(pid, 0)},
        )
    incidents, rows = _session_facts(engine, [i for ids in held.values() for i in ids])
    for pid, ids in held.items():
        count = sum(incidents.get(i, 0) for i in ids)
        out[(pid, "field_incidents_per_10")] = (
            count / len(ids) * 10,
            {"sessions": len(ids), "incidents": count},
        )
        rate = metrics_from_rows([rows[i] for i in ids if i in rows])["interaction_rate"]
        out[(pid, "field_interaction_rate")] = (rate, {"sessions": len(ids)})
    return out


def _session_facts(engine: Engine, ids: list[int]) -> tuple[dict[int, int], dict[int, dict[str, Any]]]:
    """Incidents logged per session, and each session's interaction columns."""
    incidents: dict[int, int] = {}
    rows: dict[int, dict[str, Any]] = {}
    ls = LiveSession.__table__
    with engine.connect() as conn:
        for chunk in _chunks(sorted(set(ids))):
            q = select(Incident.session_id, func.count()).where(Incident.session_id.in_(chunk))
            for sid, n in conn.execute(q.group_by(Incident.session_id)):
                if sid is not None:  # the IN above: never None, but the column is nullable
                    incidents[int(sid)] = int(n)
            cols = [ls.c[c] for c in INTERACTION_COLUMNS]
            for r in conn.execute(select(ls.c.id, *cols).where(ls.c.id.in_(chunk))).mappings():
                rows[int(r["id"])] = {c: r[c] for c in INTERACTION_COLUMNS}
    return incidents, rows


# --- 数据分析 -----------------------------------------------------------------------------------------


def weekly_deadline(day: dt.date) -> dt.datetime:
    """The end of the Monday after the week (Monday to Sunday) of `day`: when its weekly file is due."""
    monday = day - dt.timedelta(days=day.weekday())
    return dt.datetime.combine(monday + dt.timedelta(days=8), dt.time())


def session_end(
    started_at: dt.datetime, ended_at: dt.datetime | None, minutes: float | None
) -> dt.datetime | None:
    if ended_at is not None:
        return ended_at
    return None if minutes is None else started_at + dt.timedelta(minutes=float(minutes))


def upload_figures(engine: Engine, month: str, persons: Iterable[Any]) -> Figures:
    """Upload deadlines met ÷ due for each data analyst, over the month's sessions whose first upload was
    theirs: the first upload carrying a session (its row or its detail) within an hour of its end, and its
    row by the end of the Monday after its week. A session not uploaded yet counts for nobody."""
    analysts = {p.id for p in persons if p.position == "data_analyst"}
    if not analysts:
        return {}
    with engine.connect() as conn:
        query = select(User.username, User.person_id).where(User.person_id.in_(analysts))
        owner = {u: int(p) for u, p in conn.execute(query) if p is not None}
    if not owner:
        return {}
    first_row, first_detail = _first_uploads(engine, month)
    due: dict[int, int] = {}
    met: dict[int, int] = {}

    def count(user: str | None, deadline: dt.datetime, at: dt.datetime) -> None:
        pid = owner.get(user or "")
        if pid is not None:
            due[pid] = due.get(pid, 0) + 1
            met[pid] = met.get(pid, 0) + (at <= deadline)

    for r in first_row:
        count(r.username, weekly_deadline(r.started_on), r.created_at)
        ended = session_end(r.started_at, r.ended_at, r.duration_minutes)
        if ended is not None:
            at, user = r.created_at, r.username
            detail = first_detail.get(int(r.id))
            if detail is not None and detail[0] < at:
                at, user = detail
            count(user, ended + FULL_EXPORT_WITHIN, at)
    return {
        (pid, "data_on_time"): (met.get(pid, 0) / n, {"deadlines": n, "deadlines_met": met.get(pid, 0)})
        for pid, n in due.items()
    }


def _first_uploads(engine: Engine, month: str) -> tuple[list[Any], dict[int, tuple[dt.datetime, str | None]]]:
    """The month's sessions with the upload that inserted each row (time, user), and the first upload of
    each one's detail (trend, products, sources), by session id."""
    start, end = month_bounds(month)
    ic, b, ls = ImportChange.__table__, ImportBatch.__table__, LiveSession.__table__
    base = ic.join(b, b.c.id == ic.c.batch_id).join(ls, ls.c.id == ic.c.row_id)
    # A session of the month cannot be uploaded before the month began: the month's batches (indexed by
    # time), then their changes (indexed by batch), never a scan of every change ever made.
    since = dt.datetime.combine(start, dt.time())
    in_month = (b.c.created_at >= since, ls.c.started_on >= start, ls.c.started_on <= end)
    session_cols = (ls.c.id, ls.c.started_at, ls.c.started_on, ls.c.ended_at, ls.c.duration_minutes)
    with engine.connect() as conn:
        first_row = conn.execute(
            select(*session_cols, b.c.created_at, b.c.username)
            .select_from(base)
            .where(ic.c.table_name == ls.name, ic.c.action == "insert", *in_month)
        ).all()
        details = conn.execute(
            select(ic.c.row_id, b.c.created_at, b.c.username)
            .select_from(base)
            .where(ic.c.table_name.in_(DETAIL_TABLES), *in_month)
        ).all()
    first_detail: dict[int, tuple[dt.datetime, str | None]] = {}
    for sid, at, user in details:
        if int(sid) not in first_detail or at < first_detail[int(sid)][0]:
            first_detail[int(sid)] = (at, user)
    return list(first_row), first_detail


# --- host growth ---------------------------------------------------------------------------------------


def growth_status(month: str, hired_on: dt.date | None) -> str | None:
    """Why a host's growth is not scored in `month` (None: it is): no hire date, the base month itself,
    or not in their first three months."""
    if hired_on is None:
        return "no_hire_date"
    base = month_of(hired_on)
    if month == base:
        return "base_month"
    if month not in {shift_month_key(base, n) for n in GROWTH_MONTHS}:
        return "not_new"
    return None


def host_growth_figures(
    engine: Engine, month: str, persons: Iterable[Any], conversion: Any, base_conversion: Any
) -> Figures:
    """Host growth for every host: (conversion this month − in the month hired) / in the month hired.
    `conversion(person_id)` is the month's rate; `base_conversion(month)` gives {person id: rate} for a
    month hired. A host without sessions (or buyers' data) in the month hired is not computable."""
    hosts = [p for p in persons if p.position == "host"]
    if not hosts:
        return {}
    with engine.connect() as conn:
        hired = dict(
            conn.execute(select(Person.id, Person.hired_on).where(Person.id.in_([p.id for p in hosts]))).all()
        )
    bases: dict[str, dict[int, float | None]] = {}
    out: Figures = {}
    for p in hosts:
        hired_on = hired.get(p.id)
        status = growth_status(month, hired_on)
        if status is not None or hired_on is None:
            out[(p.id, "host_growth")] = (None, {"status": status})
            continue
        base_month = month_of(hired_on)
        if base_month not in bases:
            bases[base_month] = base_conversion(base_month)
        base, now_rate = bases[base_month].get(p.id), conversion(p.id)
        counts: dict[str, Any] = {"base_month": base_month, "base_conversion": base, "conversion": now_rate}
        if not base:
            out[(p.id, "host_growth")] = (None, counts | {"status": "no_base"})
        elif now_rate is None:
            out[(p.id, "host_growth")] = (None, counts | {"status": "no_data"})
        else:
            out[(p.id, "host_growth")] = ((now_rate - base) / base, counts)
    return out
