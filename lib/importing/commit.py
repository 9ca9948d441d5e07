"""Writing a resolved file in one transaction: diff against what is stored, record the batch and what it
did to each row (inserted ids, before-images of updated rows, for undo), bulk inserts and updates."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnDefault, Connection, Engine, Table, bindparam, insert, literal, select, update
from sqlalchemy.exc import DBAPIError

from lib import incidents, rollups
from lib.core.db import audit, inserted_id, now, write
from lib.core.models import AppSetting, ImportBatch, ImportChange, Incident, LiveSession
from lib.importing.plan import IN_CHUNK, Plan, Progress, chunks

CHUNK_SIZE = 5000
_AUTHOR_COLUMNS = ("created_by", "entered_by")
IMPORT_LOCK = (
    "import_lock"  # the app_settings row every import and undo locks first (lib.core.schema seeds it)
)


@dataclass
class Diff:
    inserts: list[dict[str, Any]]
    updates: list[tuple[int, dict[str, Any], dict[str, Any]]]  # (id, new values, before)
    unchanged: int


def same(old: Any, new: Any) -> bool:
    """Stored and file values are equal (floats within 1e-6, datetimes to the second)."""
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, float) or isinstance(new, float):
        try:
            return abs(float(old) - float(new)) < 1e-6
        except (TypeError, ValueError):
            return False
    if isinstance(old, dt.datetime) and isinstance(new, dt.datetime):
        return old.replace(microsecond=0) == new.replace(microsecond=0)
    return old == new


def diff(conn: Connection, plan: Plan) -> Diff:
    """Which records are new, which change stored rows (and how), how many are unchanged."""
    existing = plan.fetch(conn, plan.records)
    by_key: dict[tuple, dict[str, Any]] = {}
    for row in existing:
        by_key.setdefault(plan.key(row), row)
        if plan.alt_key is not None and (k := plan.alt_key(row)) is not None:
            by_key.setdefault(k, row)
    inserts, updates, unchanged = [], [], 0
    for rec in plan.records:
        alt = plan.alt_key(rec) if plan.alt_key else None
        old = (by_key.get(alt) if alt else None) or by_key.get(plan.key(rec))
        if old is None:
            inserts.append(rec)
            continue
        changed = {c: rec.get(c) for c in plan.columns if c in rec and not same(old.get(c), rec.get(c))}
        if changed:
            updates.append((old["id"], changed, {c: old.get(c) for c in changed}))
        else:
            unchanged += 1
    return Diff(inserts, updates, unchanged)


def lock_imports(conn: Connection) -> None:
    """Imports and undos write one at a time, and read what is stored only once they hold the lock: two
    imports of one session that both read the stored rows first would both commit against the same old
    rows and record a wrong before-image for undo. The first statement of the transaction: on SQLite
    BEGIN IMMEDIATE takes the write lock (a deferred transaction reads before it writes); on PostgreSQL and
    MariaDB a locking read of one row, so the reads after it see what the previous holder committed."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    held = conn.execute(select(AppSetting.key).where(AppSetting.key == IMPORT_LOCK).with_for_update()).first()
    if held is None:  # a database seeded before the lock row existed: the row's unique key serialises
        conn.execute(insert(AppSetting).values(key=IMPORT_LOCK, value=""))


def after_diff() -> None:
    """Called between reading what is stored and writing (tests pause here to overlap two imports)."""


def after_chunk(done: int, total: int, progress: Progress | None) -> None:
    """Called after each written chunk (progress bar; tests inject a failure here)."""
    if progress is not None:
        progress(min(1.0, done / max(total, 1)))


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One bulk write per chunk, inside the caller's transaction: SQLite's and PyMySQL's executemany are
    fast natively (PyMySQL folds them into multi-row INSERTs); on PostgreSQL, psycopg's executemany sends
    one statement per row, so the rows go through COPY ... FROM STDIN instead."""
    if not rows:
        return
    if conn.dialect.name == "sqlite" and sqlite_executemany(conn, table, rows):
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    for name in columns:
        table.c[name]  # noqa: B018 - only known column names reach the COPY statement
    # COPY bypasses SQLAlchemy's Python-side column defaults: apply them here
    defaults = {
        c.name: c.default.arg
        for c in table.c
        if c.name not in columns and isinstance(c.default, ColumnDefault) and c.default.is_scalar
    }
    columns += list(defaults)
    rows = [{**row, **defaults} for row in rows] if defaults else rows
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    dbapi = conn.dialect.loaded_dbapi
    driver = conn.connection.driver_connection
    assert driver is not None  # the connection is open: this transaction uses it
    cursor = driver.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except dbapi.Error as exc:  # same exception types as any other statement (IntegrityError...)
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc
    finally:
        cursor.close()


def sqlite_executemany(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> bool:
    """sqlite3's executemany with SQLAlchemy's own bind processing of each column's SQLite type (its
    per-row parameter handling cost ~5 ms for a 240-row trend file). False when the statement needs more
    than the given columns (Python-side defaults), which the general path handles."""
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(rows[0]))
    order = list(compiled.positiontup or ())
    if set(order) != set(rows[0]):
        return False
    dialect = conn.dialect
    # the dialect's own type (SQLite's DATETIME writes microseconds), as SQLAlchemy's INSERT would use
    procs = [dialect.type_descriptor(table.c[c].type).bind_processor(dialect) for c in order]
    params = [tuple(p(r[c]) if p else r[c] for c, p in zip(order, procs, strict=True)) for r in rows]
    conn.exec_driver_sql(str(compiled), params)
    return True


def _current_values(conn: Connection, table: Table, ids: list[int], columns: list[str]) -> dict[int, dict]:
    if not columns:
        return {}
    out: dict[int, dict] = {}
    for chunk in chunks(ids, IN_CHUNK):
        for row in conn.execute(
            select(table.c.id, *[table.c[c] for c in columns]).where(table.c.id.in_(chunk))
        ).mappings():
            out[row["id"]] = {c: row[c] for c in columns}
    return out


def _stamps(table: Table, batch_id: int, username: str | None) -> dict[str, Any]:
    """The bookkeeping columns a written row gets (batch, update time, author), where the table has them."""
    values = {
        "import_batch_id": batch_id,
        "updated_at": now(),
        "created_by": username,
        "entered_by": username,
    }
    return {k: v for k, v in values.items() if k in table.c}


def _insert_rows(
    conn: Connection, table: Table, inserts: list[dict[str, Any]], extra: dict[str, Any], step: Any
) -> None:
    cols = sorted({c for rec in inserts[:1] for c in rec})
    uniform = all(len(rec) == len(cols) for rec in inserts) and all(c in table.c for c in cols)
    for chunk in chunks(inserts, CHUNK_SIZE):
        if uniform:
            rows = [{**rec, **extra} for rec in chunk]
        else:
            keys = sorted({c for rec in chunk for c in rec if c in table.c})
            rows = [{**{c: rec.get(c) for c in keys}, **extra} for rec in chunk]
        bulk_insert(conn, table, rows)
        step(len(chunk))


def _record_inserts(conn: Connection, table: Table, inserts: list[dict[str, Any]], batch_id: int) -> None:
    """import_changes rows for the inserted ids (by batch column, or for people by name)."""
    if "import_batch_id" in table.c:
        conn.execute(
            insert(ImportChange).from_select(
                ["batch_id", "table_name", "row_id", "action"],
                select(literal(batch_id), literal(table.name), table.c.id, literal("insert")).where(
                    table.c.import_batch_id == batch_id
                ),
            )
        )
        return
    for chunk in chunks([r["name"] for r in inserts], IN_CHUNK):
        ids = conn.execute(select(table.c.id).where(table.c.name.in_(chunk))).scalars().all()
        conn.execute(
            insert(ImportChange),
            [
                {
                    "batch_id": batch_id,
                    "table_name": table.name,
                    "row_id": i,
                    "action": "insert",
                    "before": None,
                }
                for i in ids
            ],
        )


def _update_rows(
    conn: Connection, table: Table, updates: list[tuple], extra: dict[str, Any], batch_id: int, step: Any
) -> None:
    """Updates grouped by the set of changed columns, each row's before-image recorded first."""
    by_columns: dict[tuple[str, ...], list[tuple[int, dict[str, Any], dict[str, Any]]]] = {}
    for item in updates:
        by_columns.setdefault(tuple(sorted(item[1])), []).append(item)
    stamps = {k: x for k, x in extra.items() if k not in _AUTHOR_COLUMNS}
    extra_before = [c for c in ("import_batch_id", "updated_at") if c in table.c]
    for columns, items in by_columns.items():
        old_extra = _current_values(conn, table, [i[0] for i in items], extra_before)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({c: bindparam(c) for c in (*columns, *stamps)})
        )
        for chunk in chunks(items, CHUNK_SIZE):
            changes = [
                {
                    "batch_id": batch_id,
                    "table_name": table.name,
                    "row_id": row_id,
                    "action": "update",
                    "before": json.dumps(
                        {k: _json_value(x) for k, x in {**before, **old_extra.get(row_id, {})}.items()},
                        ensure_ascii=False,
                    ),
                }
                for row_id, _new, before in chunk
            ]
            conn.execute(insert(ImportChange), changes)
            conn.execute(stmt, [{"_id": row_id, **new, **stamps} for row_id, new, _before in chunk])
            step(len(chunk))


def write_plan(
    conn: Connection,
    plan: Plan,
    changes: Diff,
    batch_id: int,
    username: str | None,
    progress: Progress | None,
) -> None:
    table = plan.table
    extra = _stamps(table, batch_id, username)
    total = len(changes.inserts) + len(changes.updates)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        after_chunk(done, total, progress)

    _insert_rows(conn, table, changes.inserts, extra, step)
    if changes.inserts:
        _record_inserts(conn, table, changes.inserts, batch_id)
    _update_rows(conn, table, changes.updates, extra, batch_id, step)


def commit(
    engine: Engine,
    plan: Plan,
    file_name: str,
    meta: dict[str, Any],
    username: str | None,
    progress: Progress | None,
) -> tuple[int, Diff]:
    """One transaction: record the batch, diff against what is stored, write, audit. `meta` holds the
    batch's sha256, kind and profile."""
    with write(engine) as conn:
        lock_imports(conn)
        batch = {
            "file_name": file_name[:255],
            "sha256": meta["sha256"],
            "kind": meta["kind"],
            "profile": meta["profile"],
        }
        inserted = conn.execute(
            insert(ImportBatch).values(
                created_at=now(), username=username, rejected=0, status="committed", **batch
            )
        )
        batch_id = inserted_id(inserted)
        if plan.before_write is not None:  # e.g. create the roster's new teams, so team ids can be compared
            plan.before_write(conn, batch_id, plan)
        changes = diff(conn, plan)
        after_diff()
        counts = {
            "inserted": len(changes.inserts),
            "updated": len(changes.updates),
            "unchanged": changes.unchanged,
        }
        conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(**counts))
        before_days = _session_days_before(conn, plan, changes)
        incident_days = _incident_days_before(conn, plan, changes)
        write_plan(conn, plan, changes, batch_id, username, progress)
        if (
            plan.table is LiveSession.__table__
        ):  # the roll-ups of every day the file touched, same transaction
            t = plan.table
            rollups.refresh_days(
                conn, before_days | rollups.session_days(conn, t.c.import_batch_id == batch_id)
            )
        if plan.table is Incident.__table__:  # the incident roll-ups of the days before and after
            after = incidents.incident_days(conn, plan.table.c.import_batch_id == batch_id)
            incidents.refresh_rollup_days(conn, incident_days | after)
        others = {k: meta[k] for k in ("kind", "profile", "sha256")}
        audit(conn, username, "import.commit", batch_id=batch_id, file=file_name, **others, **counts)
    return int(batch_id), changes


def _session_days_before(conn: Connection, plan: Plan, changes: Diff) -> set:
    """The days the sessions a file updates had before (an update may move a session to another day)."""
    if plan.table is not LiveSession.__table__:
        return set()
    ids = [item[0] for item in changes.updates]
    return {
        d for chunk in chunks(ids, IN_CHUNK) for d in rollups.session_days(conn, plan.table.c.id.in_(chunk))
    }


def _incident_days_before(conn: Connection, plan: Plan, changes: Diff) -> set:
    """The detection days the incidents a file updates had before (an update may move one)."""
    if plan.table is not Incident.__table__:
        return set()
    ids = [item[0] for item in changes.updates]
    return {
        d
        for chunk in chunks(ids, IN_CHUNK)
        for d in incidents.incident_days(conn, plan.table.c.id.in_(chunk))
    }
