"""Writing a session-detail file: per session, the file's rows replace what is stored (a trend, product
list or source list is the whole picture of its session). Sessions whose stored rows already equal the
file's are left alone (re-importing a file changes nothing). For each session it changes, the batch
records one import_changes row (table, row_id = the session id, the stored rows before as JSON), so an
undo deletes the batch's rows of that session and puts the earlier ones back."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, insert, select

from lib.core.db import audit, inserted_id, now, write
from lib.core.models import ImportBatch, ImportChange
from lib.importing import commit as committing
from lib.importing.commit import after_chunk, bulk_insert, lock_imports, same
from lib.importing.plan import IN_CHUNK, Progress, chunks
from lib.importing.resolve_detail import DetailPlan

DETAIL_TABLES = ("session_minutes", "session_products", "session_sources")


@dataclass
class DetailDiff:
    inserted: int = 0  # rows with a key the session did not have
    updated: int = 0  # rows whose stored values change, and stored rows the file no longer has
    unchanged: int = 0
    replace: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # session -> stored rows before


def stored_rows(conn: Connection, table: Table, session_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The stored detail rows of these sessions (primary-key ranges), every column."""
    out: dict[int, list[dict[str, Any]]] = {sid: [] for sid in session_ids}
    for chunk in chunks(session_ids, IN_CHUNK):
        for row in conn.execute(select(table).where(table.c.session_id.in_(chunk))).mappings():
            out[row["session_id"]].append(dict(row))
    return out


def detail_diff(conn: Connection, plan: DetailPlan) -> DetailDiff:
    """Row counts against what is stored, and the sessions whose rows the file changes."""
    stored = stored_rows(conn, plan.table, plan.session_ids)
    mine: dict[int, dict[Any, dict[str, Any]]] = {sid: {} for sid in plan.session_ids}
    for rec in plan.records:
        mine[rec["session_id"]][rec[plan.key]] = rec
    result = DetailDiff()
    for sid, new in mine.items():
        old = {row[plan.key]: row for row in stored[sid]}
        changed = sum(1 for k, row in old.items() if k not in new)
        for k, rec in new.items():
            if k not in old:
                result.inserted += 1
            elif all(same(old[k].get(c), rec.get(c)) for c in plan.columns):
                result.unchanged += 1
                continue
            else:
                changed += 1
            result.replace.setdefault(sid, stored[sid])
        result.updated += changed
        if changed:
            result.replace.setdefault(sid, stored[sid])
    return result


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _before(rows: list[dict[str, Any]]) -> str | None:
    """Stored rows as compact JSON: {"columns": [...], "rows": [[...], ...]} (None when there were none)."""
    if not rows:
        return None
    columns = list(rows[0])
    data = [[_json_value(r[c]) for c in columns] for r in rows]
    return json.dumps({"columns": columns, "rows": data}, ensure_ascii=False, separators=(",", ":"))


def restore_rows(table: Table, before: str | None) -> list[dict[str, Any]]:
    """The rows _before() recorded, with datetimes parsed back."""
    if not before:
        return []
    saved = json.loads(before)
    times = {c.name for c in table.c if getattr(c.type, "python_type", None) is dt.datetime}
    rows = []
    for values in saved["rows"]:
        row = dict(zip(saved["columns"], values, strict=True))
        for name in times & set(row):
            if row[name] is not None:
                row[name] = dt.datetime.fromisoformat(row[name])
        rows.append(row)
    return rows


def write_detail(
    conn: Connection, plan: DetailPlan, changes: DetailDiff, batch_id: int, progress: Progress | None
) -> None:
    """Replace the rows of each changed session: record the before-image, delete, insert the file's rows."""
    table = plan.table
    by_session: dict[int, list[dict[str, Any]]] = {}
    for rec in plan.records:
        if rec["session_id"] in changes.replace:
            by_session.setdefault(rec["session_id"], []).append({**rec, "import_batch_id": batch_id})
    done, total = 0, len(by_session)
    for sid, rows in by_session.items():
        old = changes.replace[sid]
        conn.execute(
            insert(ImportChange).values(
                batch_id=batch_id,
                table_name=table.name,
                row_id=sid,
                action="update" if old else "insert",
                before=_before(old),
            )
        )
        if old:
            conn.execute(delete(table).where(table.c.session_id == sid))
        bulk_insert(conn, table, rows)
        done += 1
        after_chunk(done, total, progress)


def commit_detail(
    engine: Engine,
    plan: DetailPlan,
    file_name: str,
    meta: dict[str, Any],
    username: str | None,
    progress: Progress | None,
) -> tuple[int, DetailDiff]:
    """One transaction: the batch, the diff, the replaced sessions' rows, the audit entry."""
    with write(engine) as conn:
        lock_imports(conn)  # before reading the stored rows the before-images come from
        changes = detail_diff(conn, plan)
        committing.after_diff()
        counts = {"inserted": changes.inserted, "updated": changes.updated, "unchanged": changes.unchanged}
        inserted = conn.execute(
            insert(ImportBatch).values(
                created_at=now(),
                username=username,
                rejected=0,
                status="committed",
                file_name=file_name[:255],
                **{k: meta[k] for k in ("sha256", "kind", "profile")},
                **counts,
            )
        )
        batch_id = inserted_id(inserted)
        write_detail(conn, plan, changes, batch_id, progress)
        others = {k: meta[k] for k in ("kind", "profile", "sha256")}
        audit(
            conn,
            username,
            "import.commit",
            batch_id=batch_id,
            file=file_name,
            sessions=len(changes.replace),
            **others,
            **counts,
        )
    return int(batch_id), changes


def undo_detail(
    conn: Connection, table: Table, batch_id: int, session_id: int, before: str | None
) -> tuple[int, int]:
    """Delete the batch's rows of one session and put back the rows stored before it: (deleted, restored)."""
    deleted = conn.execute(
        delete(table).where(table.c.session_id == session_id, table.c.import_batch_id == batch_id)
    ).rowcount
    rows = restore_rows(table, before)
    if rows:
        conn.execute(insert(table), rows)
    return int(deleted or 0), len(rows)
