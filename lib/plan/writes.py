"""Write the schedule: add, change, cancel or delete a planned session, refusing clashes; every change is
kept in planned_session_changes (who, when, what)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lib.core import clock, db, forms
from lib.core.db import inserted_id
from lib.core.models import PlannedSession, PlannedSessionChange
from lib.plan.model import PLAN_FIELDS, PlanError, PlanInput

T = PlannedSession.__table__
CHANGES = PlannedSessionChange.__table__


def _stamp(value: Any) -> Any:
    return value.isoformat(sep=" ", timespec="minutes") if isinstance(value, dt.datetime) else value


def record_change(
    conn: Connection, planned_id: int, username: str | None, action: str, changes: dict[str, tuple[Any, Any]]
) -> None:
    conn.execute(
        CHANGES.insert().values(
            planned_session_id=planned_id,
            at=clock.now(),
            username=username,
            action=action,
            changes=json.dumps(
                {k: [_stamp(a), _stamp(b)] for k, (a, b) in changes.items()}, ensure_ascii=False
            ),
        )
    )


def _overlapping(conn: Connection, plan: PlanInput, exclude: Iterable[int]) -> list[sa.Row[*tuple[Any, ...]]]:
    live = (T.c.status == "planned") & (T.c.starts_at < plan.ends_at) & (T.c.ends_at > plan.starts_at)
    same = ((T.c.platform == plan.platform) & (T.c.account == plan.account)) | (
        T.c.host_name == plan.host_name
    )
    query = sa.select(T).where(live & same)
    ids = list(exclude)
    if ids:
        query = query.where(T.c.id.not_in(ids))
    return list(conn.execute(query.order_by(T.c.starts_at, T.c.id)))


def clash(conn: Connection, plan: PlanInput, exclude: Iterable[int] = ()) -> PlanError | None:
    """The refusal `plan` would meet against the stored schedule, or None: one room twice, or one host in
    two rooms at once."""
    for row in _overlapping(conn, plan, exclude):
        return clash_between(plan, row)
    return None


def clash_between(plan: PlanInput, other: Any) -> PlanError | None:
    """The clash of `plan` with another planned session (a row or PlanInput), or None."""
    if not (other.starts_at < plan.ends_at and other.ends_at > plan.starts_at):
        return None
    when = f"{_stamp(other.starts_at)}–{other.ends_at:%H:%M}"
    if other.platform == plan.platform and other.account == plan.account:
        return PlanError("room_clash", room=plan.account, host=other.host_name, when=when)
    if other.host_name == plan.host_name:
        return PlanError("host_clash", host=plan.host_name, room=other.account, when=when)
    return None


def add(conn: Connection, plan: PlanInput, username: str | None, import_ref: str | None = None) -> int:
    """Store a planned session (PlanError on a clash); returns its id."""
    refusal = clash(conn, plan)
    if refusal:
        raise refusal
    moment = clock.now()
    values = plan.as_row() | {
        "status": "planned",
        "created_by": username,
        "created_at": moment,
        "import_ref": import_ref,
        "version": 1,
    }
    new_id = inserted_id(conn.execute(T.insert().values(**values)))
    changes = {k: (None, v) for k, v in plan.as_row().items() if v is not None}
    if import_ref:
        changes["import"] = (None, import_ref)
    record_change(conn, new_id, username, "import" if import_ref else "create", changes)
    return new_id


def _stored(conn: Connection, planned_id: int, version: int | None) -> sa.Row[*tuple[Any, ...]]:
    row = conn.execute(sa.select(T).where(T.c.id == planned_id).with_for_update()).first()
    if row is None:
        raise PlanError("missing", id=planned_id)
    if version is not None and row.version != version:
        raise PlanError("stale", id=planned_id)
    return row


def update(
    conn: Connection, planned_id: int, plan: PlanInput, username: str | None, version: int | None = None
) -> list[str]:
    """Change a planned session; returns notes (e.g. `moved_after_approval` when a session whose script
    was approved moves). PlanError on a clash or when someone else changed it first (`version`)."""
    row = _stored(conn, planned_id, version)
    if row.status == "planned":
        refusal = clash(conn, plan, exclude=[planned_id])
        if refusal:
            raise refusal
    new = plan.as_row()
    changes = {k: (getattr(row, k), new[k]) for k in PLAN_FIELDS if getattr(row, k) != new[k]}
    if not changes:
        return []
    notes = []
    moved = "starts_at" in changes or "minutes" in changes
    if moved and row.script_approved_at is not None:
        notes.append("moved_after_approval")
        changes["moved_after_approval"] = (None, True)
    stored = {k: v for k, v in new.items() if k in changes or k == "ends_at"}
    conn.execute(
        T.update()
        .where(T.c.id == planned_id)
        .values(**stored, version=row.version + 1, updated_at=clock.now())
    )
    record_change(conn, planned_id, username, "update", changes)
    return notes


def set_status(conn: Connection, planned_id: int, status: str, username: str | None) -> None:
    """Cancel a planned session, or plan it again (refused if it would clash now)."""
    row = _stored(conn, planned_id, None)
    if row.status == status:
        return
    if status == "planned":
        refusal = clash(conn, _as_input(row), exclude=[planned_id])
        if refusal:
            raise refusal
    conn.execute(
        T.update()
        .where(T.c.id == planned_id)
        .values(status=status, version=row.version + 1, updated_at=clock.now())
    )
    record_change(
        conn,
        planned_id,
        username,
        "cancel" if status == "cancelled" else "restore",
        {"status": (row.status, status)},
    )


def record_script(
    conn: Connection, planned_id: int, what: str, username: str | None, text: str | None = None
) -> None:
    """Record a script as submitted (`what`="submitted", optionally its text) or approved, now."""
    row = _stored(conn, planned_id, None)
    column = {"submitted": "script_submitted_at", "approved": "script_approved_at"}[what]
    moment = clock.now()
    values: dict[str, Any] = {column: moment, "version": row.version + 1, "updated_at": moment}
    if text is not None:
        values["script_text"] = text
    conn.execute(T.update().where(T.c.id == planned_id).values(**values))
    record_change(conn, planned_id, username, "script", {column: (getattr(row, column), moment)})


def _as_input(row: Any) -> PlanInput:
    return PlanInput(**{k: getattr(row, k) for k in PLAN_FIELDS})


def copy_week(conn: Connection, from_monday: dt.date, username: str | None) -> tuple[int, list[PlanError]]:
    """Copy the planned sessions of the week starting `from_monday` one week on. All or nothing: a clash
    refuses the copy; returns (sessions copied, refusals)."""
    start = dt.datetime.combine(from_monday, dt.time())
    rows = conn.execute(
        sa.select(T)
        .where(T.c.status == "planned", T.c.starts_at >= start, T.c.starts_at < start + dt.timedelta(days=7))
        .order_by(T.c.starts_at, T.c.id)
    ).all()
    week = dt.timedelta(days=7)
    plans = [_as_input(r) for r in rows]
    plans = [
        PlanInput(
            **(p.__dict__ | {"starts_at": p.starts_at + week, "forecast_gmv": None, "forecast_viewers": None})
        )
        for p in plans
    ]
    refusals = [c for p in plans if (c := clash(conn, p))]
    if refusals:
        return 0, refusals
    for plan in plans:
        add(conn, plan, username)
    return len(plans), []


def history(conn: Connection, planned_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(CHANGES).where(CHANGES.c.planned_session_id == planned_id).order_by(CHANGES.c.id)
    )
    return [
        {"at": r.at, "username": r.username, "action": r.action, "changes": json.loads(r.changes)}
        for r in rows
    ]


def save(
    engine: Engine,
    planned_id: int,
    plan: PlanInput,
    username: str | None,
    version: int | None = None,
    token: str | None = None,
) -> tuple[int, list[str]]:
    """Add (`planned_id` 0) or change a planned session in one transaction: (its id, notes). With a form
    token the write happens once (lib.core.forms: a second submit raises AlreadySubmitted)."""
    with db.write(engine) as conn:
        if token:
            forms.claim(conn, token, "plan_edit", username)
        if planned_id:
            notes = update(conn, planned_id, plan, username, version=version)
        else:
            planned_id, notes = add(conn, plan, username), []
        if token:
            forms.record_result(conn, token, planned_id)
    return planned_id, notes


def copy_week_once(
    engine: Engine, from_monday: dt.date, username: str | None, token: str | None = None
) -> int:
    """`copy_week` in its own transaction, once per form token; a clash refuses it all (PlanError)."""
    with db.write(engine) as conn:
        if token:
            forms.claim(conn, token, "plan_copy", username)
        copied, refusals = copy_week(conn, from_monday, username)
        if refusals:
            raise refusals[0]  # nothing copied, the token not used
    return copied
