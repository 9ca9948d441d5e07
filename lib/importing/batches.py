"""Upload history and undo: a committed batch is undone by deleting the rows it inserted and putting back
the before-images of the rows it updated (admins and managers; refused when a later batch changed them,
and when records added since still point at sessions it inserted: incidents and case links would lose
their session, so the undo names them instead)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, delete, func, select, update

from lib import incidents, rollups
from lib.core.auth import people_names
from lib.core.db import audit, now, write
from lib.core.errors import CodedError
from lib.core.models import (
    CaseSession,
    ImportBatch,
    ImportChange,
    Incident,
    LiveSession,
    ManualMetric,
    Person,
    SessionMinute,
    SessionProduct,
    SessionSource,
    Team,
    User,
)
from lib.importing.commit import lock_imports
from lib.importing.detail_commit import DETAIL_TABLES, undo_detail
from lib.importing.plan import IN_CHUNK, chunks

UNDO_ROLES = ("admin", "manager")
NAMED = 10  # ids named in a refusal; more are counted
TABLES = {
    t.name: t
    for t in (
        LiveSession.__table__,
        Person.__table__,
        Incident.__table__,
        ManualMetric.__table__,
        Team.__table__,
        SessionMinute.__table__,
        SessionProduct.__table__,
        SessionSource.__table__,
    )
}
# Detail rows first: their import_changes rows are per session (row_id = session id), see detail_commit.
_UNDO_ORDER = [*DETAIL_TABLES, "live_sessions", "incidents", "manual_metrics", "people", "teams"]


class UndoError(CodedError):
    prefix = "importing.error"


def list_batches(engine: Engine, limit: int = 50) -> list[dict[str, Any]]:
    b = ImportBatch.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(b).order_by(b.c.id.desc()).limit(limit)).mappings().all()
        names = people_names(conn, [r["username"] for r in rows])
    # the uploader by the name people know them by (the username stays for undo's checks)
    return [{**dict(r), "uploader": names.get(r["username"], r["username"])} for r in rows]


def _restore(table: Table, before: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in before.items():
        col = table.c[name]
        if isinstance(value, str):
            try:
                pytype = col.type.python_type
            except NotImplementedError:
                pytype = None
            if pytype is dt.datetime:
                value = dt.datetime.fromisoformat(value)
            elif pytype is dt.date:
                value = dt.date.fromisoformat(value)
        out[name] = value
    return out


def _check_undoable(conn: Connection, batch_id: int, username: str) -> None:
    role = conn.execute(select(User.role).where(User.username == username, User.active.is_(True))).scalar()
    if role not in UNDO_ROLES:
        raise UndoError("undo_forbidden")
    batch = conn.execute(select(ImportBatch.status).where(ImportBatch.id == batch_id)).first()
    if batch is None:
        raise UndoError("undo_no_batch", batch=batch_id)
    if batch.status != "committed":
        raise UndoError("undo_already", batch=batch_id)
    c = ImportChange.__table__
    later = conn.execute(
        select(c.c.batch_id)
        .join(ImportBatch, ImportBatch.id == c.c.batch_id)
        .where(
            c.c.batch_id > batch_id,
            ImportBatch.status == "committed",
            and_(c.c.table_name.in_(select(c.c.table_name).where(c.c.batch_id == batch_id))),
            c.c.row_id.in_(select(c.c.row_id).where(c.c.batch_id == batch_id)),
        )
        .limit(1)
    ).scalar()
    if later is None:
        later = _later_detail(conn, batch_id)
    if later is not None:
        raise UndoError("undo_later_batch", batch=batch_id, later=later)
    _check_session_links(conn, batch_id)


def _check_session_links(conn: Connection, batch_id: int) -> None:
    """Refuse to delete sessions this batch inserted while incidents or cases point at them (their foreign
    keys would silently unlink the incidents and delete the case links)."""
    c = ImportChange.__table__
    inserted = select(c.c.row_id).where(
        c.c.batch_id == batch_id, c.c.table_name == "live_sessions", c.c.action == "insert"
    )
    linked = _named(conn, Incident.id, Incident.session_id.in_(inserted))
    cases = _named(conn, CaseSession.case_id, CaseSession.session_id.in_(inserted))
    if linked or cases:
        none = "–"
        raise UndoError("undo_session_links", batch=batch_id, incidents=linked or none, cases=cases or none)


def _named(conn: Connection, column: Any, where: Any) -> str:
    """'#3, #7, #9' (ids in order), '#1, …, #10 … (25)' beyond NAMED, '' for none."""
    ids = conn.execute(select(column).where(where).distinct().order_by(column).limit(NAMED)).scalars().all()
    if not ids:
        return ""
    text = ", ".join(f"#{i}" for i in ids)
    if len(ids) == NAMED:
        total = conn.execute(select(func.count(func.distinct(column))).where(where)).scalar_one()
        text += f" … ({total})" if total > NAMED else ""
    return text


def _later_detail(conn: Connection, batch_id: int) -> int | None:
    """A later committed batch that wrote detail rows of a session this batch inserted (undoing this one
    would delete the session and, by cascade, that batch's rows)."""
    c = ImportChange.__table__
    inserted = select(c.c.row_id).where(
        c.c.batch_id == batch_id, c.c.table_name == "live_sessions", c.c.action == "insert"
    )
    return conn.execute(
        select(c.c.batch_id)
        .join(ImportBatch, ImportBatch.id == c.c.batch_id)
        .where(
            c.c.batch_id > batch_id,
            ImportBatch.status == "committed",
            c.c.table_name.in_(DETAIL_TABLES),
            c.c.row_id.in_(inserted),
        )
        .limit(1)
    ).scalar()


def undo(engine: Engine, batch_id: int, username: str) -> dict[str, int]:
    """Restore exactly what was there before a batch: delete the rows it inserted, put back the values of
    the rows it updated. Admins and managers only; refused when a later upload changed the same rows."""
    with write(engine) as conn:
        lock_imports(conn)  # what later batches did is read under the lock imports take
        _check_undoable(conn, batch_id, username)
        c = ImportChange.__table__
        changes = (
            conn.execute(select(c).where(c.c.batch_id == batch_id).order_by(c.c.id.desc())).mappings().all()
        )
        counts = {"deleted": 0, "restored": 0}
        days = _undo_session_days(conn, changes)
        incident_days = _undo_incident_days(conn, changes)
        for name in _UNDO_ORDER:
            table = TABLES[name]
            mine = [ch for ch in changes if ch["table_name"] == name]
            if name in DETAIL_TABLES:
                for ch in mine:
                    deleted, restored = undo_detail(conn, table, batch_id, ch["row_id"], ch["before"])
                    counts["deleted"] += deleted
                    counts["restored"] += restored
                continue
            updates = [ch for ch in mine if ch["action"] == "update"]
            for ch in updates:
                conn.execute(
                    update(table)
                    .where(table.c.id == ch["row_id"])
                    .values(_restore(table, json.loads(ch["before"])))
                )
            inserted = [ch["row_id"] for ch in mine if ch["action"] == "insert"]
            for chunk in chunks(inserted, IN_CHUNK):
                conn.execute(delete(table).where(table.c.id.in_(chunk)))
            counts["deleted"] += len(inserted)
            counts["restored"] += len(updates)
        rollups.refresh_days(conn, days | _undo_session_days(conn, changes))  # before and after the undo
        incidents.refresh_rollup_days(conn, incident_days | _undo_incident_days(conn, changes))
        conn.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(status="undone", undone_at=now(), undone_by=username)
        )
        audit(conn, username, "import.undo", batch_id=batch_id, **counts)
    return counts


def _undo_session_days(conn: Connection, changes: Sequence[Any]) -> set[dt.date]:
    """The days of the sessions an undo touches: those the batch wrote, and those of the people it added
    (deleting a person unlinks their sessions: the host key of the roll-ups changes)."""
    ls = LiveSession.__table__
    sessions = [ch["row_id"] for ch in changes if ch["table_name"] == "live_sessions"]
    people = [ch["row_id"] for ch in changes if ch["table_name"] == "people" and ch["action"] == "insert"]
    days: set[dt.date] = set()
    for chunk in chunks(sessions, IN_CHUNK):
        days |= rollups.session_days(conn, ls.c.id.in_(chunk))
    for chunk in chunks(people, IN_CHUNK):
        days |= rollups.session_days(conn, ls.c.host_person_id.in_(chunk))
    return days


def _undo_incident_days(conn: Connection, changes: Sequence[Any]) -> set[dt.date]:
    """The detection days of the incidents an undo touches (call before and after it)."""
    ids = [ch["row_id"] for ch in changes if ch["table_name"] == "incidents"]
    days: set[dt.date] = set()
    for chunk in chunks(ids, IN_CHUNK):
        days |= incidents.incident_days(conn, Incident.__table__.c.id.in_(chunk))
    return days
