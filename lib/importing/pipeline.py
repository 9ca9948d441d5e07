"""The one import pipeline behind the upload page and `python -m lib.cli import`.

preview: bytes -> detected kind/profile, canonical rows, every problem (nothing written).
import_bytes: preview, then - only when there is no problem - one transaction that upserts every row on
its natural key, counts inserted / updated / unchanged, and records the batch (import_batches) and what
it did to each row (import_changes: inserted ids, and the before-image of updated rows) so `undo` can
restore exactly what was there. Existing rows are fetched in one query per file range, writes are bulk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Table, and_, bindparam, delete, insert, literal, select, update
from sqlalchemy.exc import DBAPIError

from lib.core.db import audit, now, write
from lib.core.errors import CodedError
from lib.core.metrics import MANUAL_ALIASES, METRICS
from lib.core.models import (
    Department,
    HostAccount,
    ImportBatch,
    ImportChange,
    Incident,
    IncidentCategory,
    LiveSession,
    ManualMetric,
    Person,
    Position,
    Team,
    User,
)
from lib.importing import profiles as prof
from lib.importing.readers import ReadError, read_bytes
from lib.importing.validate import RowError, field_label, parse_file
from lib.importing.values import ValueParseError, parse_number

CHUNK_SIZE = 5000
NUMERIC_TYPES = frozenset({"count", "count_round", "money", "duration_min", "duration_s"})
IN_CHUNK = 500
UNDO_ROLES = ("admin", "manager")
Progress = Callable[[float], None]

SESSION_COLUMNS = (
    "platform",
    "external_id",
    "account",
    "room",
    "host_name",
    "host_person_id",
    "title",
    "started_at",
    "started_on",
    "ended_at",
    "duration_minutes",
    "exposure",
    "viewers",
    "views",
    "peak_online",
    "avg_online",
    "avg_watch_seconds",
    "new_followers",
    "comments",
    "likes",
    "shares",
    "questions",
    "questions_replied",
    "product_exposure",
    "product_clicks",
    "orders",
    "buyers",
    "gmv",
    "refund_amount",
    "retention_rate",
)


class UndoError(CodedError):
    prefix = "importing.error"


@dataclass
class Preview:
    file: str
    sha256: str
    kind: str | None
    profile: str | None
    frame: pd.DataFrame
    errors: list[RowError]
    header: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    skipped_total_rows: int = 0
    platform: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.kind is not None and len(self.frame) > 0

    @property
    def rows(self) -> int:
        return len(self.frame)


@dataclass
class ImportReport:
    file: str
    kind: str | None
    profile: str | None
    batch_id: int | None
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[RowError]
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def problems(self) -> list[str]:
        """The errors as messages in the default language (for logs and assertion messages)."""
        return [e.message() for e in self.errors]

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "profile": self.profile,
            "batch_id": self.batch_id,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
            "errors": [e.as_dict(lang) for e in self.errors],
        }


# --- preview -----------------------------------------------------------------------------------------


def preview(
    engine: Engine, data: bytes, file_name: str, kind: str | None = None, profile: str | None = None
) -> Preview:
    """Read, detect, parse and check a file against the database; writes nothing."""
    result, _plan = _prepare(engine, data, file_name, kind, profile)
    return result


def _fail(file_name: str, sha: str, error: RowError, **kw: Any) -> tuple[Preview, None]:
    return Preview(
        file_name, sha, kw.pop("kind", None), kw.pop("profile", None), pd.DataFrame(), [error], **kw
    ), None


def _prepare(
    engine: Engine, data: bytes, file_name: str, kind: str | None, profile: str | None
) -> tuple[Preview, Any]:
    sha = hashlib.sha256(data).hexdigest()
    if kind is not None and kind not in prof.KINDS:
        return _fail(file_name, sha, RowError(None, None, kind, "bad_kind", {"kinds": ", ".join(prof.KINDS)}))
    try:
        raw = read_bytes(data, file_name)
    except ReadError as exc:
        return _fail(file_name, sha, RowError(None, None, None, exc.code, exc.params))
    detection = prof.detect(raw.head, prof.all_profiles(engine), kind, profile)
    if detection.profile is None or detection.columns is None:
        code = "unknown_profile" if profile else "unknown_layout"
        columns = "、".join(h for h in detection.header if h)
        return _fail(
            file_name,
            sha,
            RowError(None, None, profile, code, {"columns": columns}),
            header=detection.header,
            unmatched=[h for h in detection.header if h],
        )
    p, cmap = detection.profile, detection.columns
    meta = {"header": detection.header, "unmatched": cmap.unmatched}
    if detection.missing:
        errors = [
            RowError(
                detection.header_index + 1, field_label(f), None, "missing_column", {"field": field_label(f)}
            )
            for f in detection.missing
        ]
        return Preview(file_name, sha, p.kind, p.name, pd.DataFrame(), errors, **meta), None
    numeric = frozenset(
        pos for name, (pos, _h, _u) in cmap.fields.items() if prof.FIELDS[p.kind][name] in NUMERIC_TYPES
    )
    try:
        _header, raw_frame, numbers = raw.frame(detection.header_index, numeric)
    except ReadError as exc:
        return _fail(
            file_name,
            sha,
            RowError(exc.params.get("row"), None, None, exc.code, exc.params),
            kind=p.kind,
            profile=p.name,
            **meta,
        )
    parsed = parse_file(p, cmap, raw_frame, numbers)
    if len(parsed.frame) == 0:
        return _fail(
            file_name,
            sha,
            RowError(detection.header_index + 1, None, None, "no_rows"),
            kind=p.kind,
            profile=p.name,
            **meta,
        )
    errors = list(parsed.errors)
    plan = None
    if not errors:
        with engine.connect() as conn:
            plan, more = RESOLVERS[p.kind](conn, parsed.frame, parsed.columns)
        errors += more
    frame = parsed.frame
    result = Preview(
        file_name,
        sha,
        p.kind,
        p.name,
        frame,
        errors,
        skipped_total_rows=parsed.skipped_total_rows,
        platform=p.platform,
        **meta,
    )
    return result, plan


# --- resolving names against the database ------------------------------------------------------------


@dataclass
class Plan:
    table: Table
    records: list[dict[str, Any]]
    columns: tuple[str, ...]  # compared and updated
    key: Callable[[dict[str, Any]], tuple]
    fetch: Callable[[Connection, list[dict[str, Any]]], list[dict[str, Any]]]
    alt_key: Callable[[dict[str, Any]], tuple | None] | None = None
    before_write: Callable[[Connection, int, Plan], None] | None = None
    new_teams: list[str] = field(default_factory=list)


def _records(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in frame.columns]
    lists = [frame[c].tolist() for c in cols]
    return [dict(zip(cols, vals, strict=True)) for vals in zip(*lists, strict=True)]


def _people(conn: Connection) -> dict[str, int]:
    return {name: pid for pid, name in conn.execute(select(Person.id, Person.name))}


def _lookup(
    ids: dict[str, int],
    value: str | None,
    row: int,
    column: str | None,
    code: str,
    errors: list[RowError],
    known: list[str] | None = None,
) -> int | None:
    """The id of a name from a reference table; an unknown name is a row error listing the known ones."""
    if not value:
        return None
    found = ids.get(value, ids.get(value.lower()))  # English keys in any case
    if found is None:
        errors.append(
            RowError(row, column, value, code, {"known": "、".join(ids if known is None else known)})
        )
    return found


def _resolve_sessions(conn: Connection, frame: pd.DataFrame, headers: dict[str, str]) -> tuple[Plan, list]:
    people = _people(conn)
    aliases: dict[tuple[str, str], int] = {}
    person_aliases: dict[tuple[int, str], list[str]] = {}
    for platform, alias, pid in conn.execute(
        select(HostAccount.platform, HostAccount.alias, HostAccount.person_id)
    ):
        aliases[(platform, alias)] = pid
        person_aliases.setdefault((pid, platform), []).append(alias)
    records = _records(frame, SESSION_COLUMNS)
    for r in records:
        host, platform = r.get("host_name"), r["platform"]
        pid = None
        if host:
            pid = aliases.get((platform, host)) or people.get(host)
        if pid is None and r.get("account"):
            pid = aliases.get((platform, r["account"]))
        r["host_person_id"] = pid
        if not r.get("account"):
            own = person_aliases.get((pid, platform), []) if pid else []
            r["account"] = own[0] if len(own) == 1 else host
    if (
        "room" not in frame.columns
    ):  # SPEC's room is "直播间/账号": the account until an export names the room
        known_rooms: dict[tuple[str, str], str] = {}
        for chunk in _chunks(sorted({r["account"] for r in records}), IN_CHUNK):
            q = (
                select(LiveSession.platform, LiveSession.account, LiveSession.room)
                .where(
                    LiveSession.account.in_(chunk),
                    LiveSession.room.is_not(None),
                    LiveSession.room != LiveSession.account,
                )
                .group_by(LiveSession.platform, LiveSession.account, LiveSession.room)
            )
            for platform, account, room in conn.execute(q):
                known_rooms[(platform, account)] = room
        for r in records:
            r["room"] = known_rooms.get((r["platform"], r["account"])) or r["account"]
    columns = tuple(c for c in SESSION_COLUMNS if c in frame.columns or c in ("host_person_id", "account"))

    def fetch(c: Connection, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        starts = [r["started_at"] for r in recs]
        platforms = sorted({r["platform"] for r in recs})
        lo, hi = min(starts) - dt.timedelta(days=1), max(starts) + dt.timedelta(days=1)
        t = LiveSession.__table__
        cols = [t.c.id, t.c.platform, t.c.external_id, t.c.account, t.c.host_name, t.c.started_at] + [
            t.c[x]
            for x in columns
            if x not in ("platform", "external_id", "account", "host_name", "started_at")
        ]
        q = select(*cols).where(t.c.platform.in_(platforms), t.c.started_at.between(lo, hi))
        rows = [dict(m) for m in c.execute(q).mappings()]
        seen = {(r["platform"], r["external_id"]) for r in rows if r["external_id"]}
        missing = [(r["platform"], r["external_id"]) for r in recs if r.get("external_id")]
        missing = [k for k in missing if k not in seen]
        for platform in {p for p, _ in missing}:
            ids = [e for p, e in missing if p == platform]
            for chunk in _chunks(ids, IN_CHUNK):
                q = select(*cols).where(t.c.platform == platform, t.c.external_id.in_(chunk))
                rows += [dict(m) for m in c.execute(q).mappings()]
        return rows

    def key(r: dict[str, Any]) -> tuple:
        return ("n", r["platform"], r.get("account"), r.get("host_name"), r["started_at"])

    def alt_key(r: dict[str, Any]) -> tuple | None:
        return ("e", r["platform"], r["external_id"]) if r.get("external_id") else None

    return Plan(LiveSession.__table__, records, columns, key, fetch, alt_key=alt_key), []


def _resolve_roster(conn: Connection, frame: pd.DataFrame, headers: dict[str, str]) -> tuple[Plan, list]:
    positions: dict[str, int] = {}
    for pid, key, zh, en in conn.execute(
        select(Position.id, Position.key, Position.name_zh, Position.name_en)
    ):
        positions.update({key.lower(): pid, zh: pid, en.lower(): pid})
    departments = {n: i for i, n in conn.execute(select(Department.id, Department.name))}
    teams = {n: i for i, n in conn.execute(select(Team.id, Team.name))}
    errors: list[RowError] = []
    records = _records(frame, ("_row", "name", "position", "department", "team", "hired_on", "phone"))
    new_teams: list[str] = []
    for r in records:
        row = r.pop("_row")
        if "position" in r:
            value = r.pop("position")
            known = sorted(k for k in positions if not k.isascii())
            r["position_id"] = _lookup(
                positions, value, row, headers["position"], "unknown_position", errors, known
            )
        if "department" in r:
            value = r.pop("department")
            r["department_id"] = _lookup(
                departments, value, row, headers["department"], "unknown_department", errors
            )
        if "team" in r:
            value = r.pop("team")
            if not value or value in teams:
                r["team_id"] = teams.get(value) if value else None
            else:  # a team the roster creates: its id exists only once written
                r["_team"] = value
                if value not in new_teams:
                    new_teams.append(value)
    columns = tuple(
        c
        for c in ("name", "position_id", "department_id", "team_id", "hired_on", "phone")
        if c in frame.columns or c.removesuffix("_id") in frame.columns
    )

    def before_write(c: Connection, batch_id: int, plan: Plan) -> None:
        if plan.new_teams:
            c.execute(insert(Team), [{"name": n} for n in plan.new_teams])
            created = {
                n: i for i, n in c.execute(select(Team.id, Team.name).where(Team.name.in_(plan.new_teams)))
            }
            c.execute(
                insert(ImportChange),
                [
                    {
                        "batch_id": batch_id,
                        "table_name": "teams",
                        "row_id": i,
                        "action": "insert",
                        "before": None,
                    }
                    for i in created.values()
                ],
            )
            teams.update(created)
        for r in plan.records:
            if "_team" in r:
                name = r.pop("_team")
                r["team_id"] = teams.get(name) if name else None

    def fetch(c: Connection, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        t = Person.__table__
        out: list[dict[str, Any]] = []
        for chunk in _chunks([r["name"] for r in recs], IN_CHUNK):
            out += [
                dict(m)
                for m in c.execute(
                    select(t.c.id, *[t.c[x] for x in columns if x != "name"], t.c.name).where(
                        t.c.name.in_(chunk)
                    )
                ).mappings()
            ]
        return out

    plan = Plan(
        Person.__table__,
        records,
        columns,
        lambda r: (r["name"],),
        fetch,
        before_write=before_write if new_teams else None,
        new_teams=new_teams,
    )
    return plan, errors


def incident_key(room: str | None, host: str | None, category: str, detected_at: dt.datetime) -> str:
    """The natural key of an imported incident: a hash of its identifying source fields."""
    raw = "|".join([room or "", host or "", category, detected_at.isoformat(sep=" ")])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _resolve_incidents(conn: Connection, frame: pd.DataFrame, headers: dict[str, str]) -> tuple[Plan, list]:
    categories = set(conn.execute(select(IncidentCategory.name)).scalars())
    departments = {n: i for i, n in conn.execute(select(Department.id, Department.name))}
    people = _people(conn)
    errors: list[RowError] = []
    records = _records(frame, ("_row", *prof.FIELDS["incidents"]))
    detected = [r["detected_at"] for r in records]
    lo, hi = min(detected) - dt.timedelta(days=2), max(detected) + dt.timedelta(days=1)
    s = LiveSession.__table__
    sessions = conn.execute(
        select(
            s.c.id,
            s.c.platform,
            s.c.room,
            s.c.host_name,
            s.c.host_person_id,
            s.c.started_at,
            s.c.ended_at,
            s.c.account,
        ).where(s.c.started_at.between(lo, hi), s.c.ended_at.is_not(None))
    ).all()
    refs = sorted({r["session_ref"] for r in records if r.get("session_ref")})
    by_ref: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(refs, IN_CHUNK):
        q = select(s.c.external_id, s.c.id, s.c.platform).where(s.c.external_id.in_(chunk))
        by_ref.update({ext: (sid, platform) for ext, sid, platform in conn.execute(q)})
    for r in records:
        row = r.pop("_row")
        ref = r.pop("session_ref", None)
        if r["category"] not in categories:
            errors.append(
                RowError(
                    row,
                    headers["category"],
                    r["category"],
                    "unknown_category",
                    {"known": "、".join(sorted(categories))},
                )
            )
        dept = r.pop("owner_department", None)
        r["owner_department_id"] = _lookup(
            departments, dept, row, headers.get("owner_department"), "unknown_department", errors
        )
        handler = r.pop("handler", None)
        r["handler_name"] = handler
        r["handler_person_id"] = people.get(handler) if handler else None
        r["overtime_reason"] = r.get("overtime_reason") or None
        if ref and ref in by_ref:  # the file names the session
            r["session_id"], platform = by_ref[ref]
        else:  # the session of that room/host whose time span contains the detection time
            r["session_id"], platform = _link_session(sessions, r, people)
        r["platform"] = r.get("platform") or platform
        r["natural_key"] = incident_key(r.get("room"), r.get("host_name"), r["category"], r["detected_at"])
    columns = (
        "natural_key",
        "session_id",
        "platform",
        "room",
        "host_name",
        "category",
        "severity",
        "detected_at",
        "responded_at",
        "resolved_at",
        "owner_department_id",
        "handler_person_id",
        "handler_name",
        "overtime_reason",
    ) + tuple(c for c in ("meeting_at", "escalated", "description") if c in frame.columns)

    def fetch(c: Connection, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        t = Incident.__table__
        out: list[dict[str, Any]] = []
        for chunk in _chunks([r["natural_key"] for r in recs], IN_CHUNK):
            out += [
                dict(m)
                for m in c.execute(
                    select(t.c.id, *[t.c[x] for x in columns]).where(t.c.natural_key.in_(chunk))
                ).mappings()
            ]
        return out

    return Plan(Incident.__table__, records, columns, lambda r: (r["natural_key"],), fetch), errors


def _link_session(
    sessions: list, inc: dict[str, Any], people: dict[str, int]
) -> tuple[int | None, str | None]:
    """The session of that room/host whose [start, end] contains the detection time."""
    at, host, room = inc["detected_at"], inc.get("host_name"), inc.get("room")
    host_pid = people.get(host) if host else None
    best: tuple[int, Any] | None = None
    for s in sessions:
        if not (s.started_at <= at <= s.ended_at):
            continue
        if inc.get("platform") and s.platform != inc["platform"]:
            continue
        host_ok = bool(host) and (
            s.host_name == host or (host_pid is not None and s.host_person_id == host_pid)
        )
        room_ok = bool(room) and (s.room == room or s.account == room)
        if host and not host_ok:
            continue
        if room and s.room and s.room != s.account and not room_ok:  # a room name only the account stands for
            continue
        score = (2 if host_ok else 0) + (1 if room_ok else 0)
        if best is None or score > best[0] or (score == best[0] and s.started_at > best[1].started_at):
            best = (score, s)
    return (best[1].id, best[1].platform) if best else (None, None)


def _metric_value(metric_key: str, text: str) -> float:
    """`96%` -> 0.96; for a percent metric a bare number above 1 is read as percent too."""
    cleaned = text.strip().replace("％", "%")
    if cleaned.endswith("%"):
        number = parse_number(cleaned[:-1])
        if number is None:
            raise ValueParseError("bad_number")
        return number / 100.0
    number = parse_number(cleaned)
    if number is None:
        raise ValueParseError("bad_number")
    if METRICS[metric_key].unit == "pct" and number > 1:
        return number / 100.0
    return number


def _resolve_manual(conn: Connection, frame: pd.DataFrame, headers: dict[str, str]) -> tuple[Plan, list]:
    people = _people(conn)
    names = {m.zh: m.key for m in METRICS.values()} | {k: k for k in METRICS} | MANUAL_ALIASES
    errors: list[RowError] = []
    records = _records(frame, ("_row", "month", "name", "metric", "value"))
    for r in records:
        row = r.pop("_row")
        name, metric_name, raw_value = r.pop("name"), r.pop("metric"), r.pop("value")
        r["person_id"] = people.get(name)
        if r["person_id"] is None:
            errors.append(RowError(row, headers["name"], name, "unknown_person"))
        r["metric"] = names.get(metric_name) or names.get(str(metric_name).strip())
        if r["metric"] is None:
            errors.append(
                RowError(
                    row,
                    headers["metric"],
                    metric_name,
                    "unknown_metric",
                    {"known": "、".join(MANUAL_ALIASES)},
                )
            )
            continue
        try:
            r["value"] = _metric_value(r["metric"], raw_value)
        except ValueParseError as exc:
            errors.append(RowError(row, headers["value"], raw_value, exc.code))
    columns = ("month", "person_id", "metric", "value")

    def fetch(c: Connection, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        t = ManualMetric.__table__
        months = sorted({r["month"] for r in recs})
        return [
            dict(m)
            for m in c.execute(
                select(t.c.id, *[t.c[x] for x in columns]).where(t.c.month.in_(months))
            ).mappings()
        ]

    plan = Plan(
        ManualMetric.__table__, records, columns, lambda r: (r["month"], r["person_id"], r["metric"]), fetch
    )
    return plan, errors


RESOLVERS = {
    "sessions": _resolve_sessions,
    "roster": _resolve_roster,
    "incidents": _resolve_incidents,
    "manual_metrics": _resolve_manual,
}


# --- diff and write ----------------------------------------------------------------------------------


def _same(old: Any, new: Any) -> bool:
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


@dataclass
class Diff:
    inserts: list[dict[str, Any]]
    updates: list[tuple[int, dict[str, Any], dict[str, Any]]]  # (id, new values, before)
    unchanged: int


def _diff(conn: Connection, plan: Plan) -> Diff:
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
        changed = {c: rec.get(c) for c in plan.columns if c in rec and not _same(old.get(c), rec.get(c))}
        if changed:
            updates.append((old["id"], changed, {c: old.get(c) for c in changed}))
        else:
            unchanged += 1
    return Diff(inserts, updates, unchanged)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _after_chunk(done: int, total: int, progress: Progress | None) -> None:
    """Called after each written chunk (progress bar; tests inject a failure here)."""
    if progress is not None:
        progress(min(1.0, done / max(total, 1)))


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _write(
    conn: Connection, plan: Plan, diff: Diff, batch_id: int, username: str | None, progress: Progress | None
) -> None:
    table = plan.table
    has_batch = "import_batch_id" in table.c
    has_updated = "updated_at" in table.c
    stamp = now()
    extra: dict[str, Any] = {}
    if has_batch:
        extra["import_batch_id"] = batch_id
    if has_updated:
        extra["updated_at"] = stamp
    if "created_by" in table.c:
        extra["created_by"] = username
    if "entered_by" in table.c:
        extra["entered_by"] = username
    total = len(diff.inserts) + len(diff.updates)
    done = 0
    cols = sorted({c for rec in diff.inserts[:1] for c in rec})
    uniform = all(len(rec) == len(cols) for rec in diff.inserts) and all(c in table.c for c in cols)
    for chunk in _chunks(diff.inserts, CHUNK_SIZE):
        if uniform:
            rows = [{**rec, **extra} for rec in chunk]
        else:
            keys = sorted({c for rec in chunk for c in rec if c in table.c})
            rows = [{**{c: rec.get(c) for c in keys}, **extra} for rec in chunk]
        _bulk_insert(conn, table, rows)
        done += len(chunk)
        _after_chunk(done, total, progress)
    if diff.inserts:
        if has_batch:
            conn.execute(
                insert(ImportChange).from_select(
                    ["batch_id", "table_name", "row_id", "action"],
                    select(literal(batch_id), literal(table.name), table.c.id, literal("insert")).where(
                        table.c.import_batch_id == batch_id
                    ),
                )
            )
        else:  # people: look the new ids up by name
            names = [r["name"] for r in diff.inserts]
            for chunk in _chunks(names, IN_CHUNK):
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
    by_columns: dict[tuple[str, ...], list[tuple[int, dict[str, Any], dict[str, Any]]]] = {}
    for item in diff.updates:
        by_columns.setdefault(tuple(sorted(item[1])), []).append(item)
    for columns, items in by_columns.items():
        extra_before = [c for c in ("import_batch_id", "updated_at") if c in table.c]
        old_extra = _current_values(conn, table, [i[0] for i in items], extra_before)
        for chunk in _chunks(items, CHUNK_SIZE):
            conn.execute(
                insert(ImportChange),
                [
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
                ],
            )
            stmt = (
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values(
                    {c: bindparam(c) for c in (*columns, *extra) if c != "created_by" and c != "entered_by"}
                )
            )
            params = [
                {
                    "_id": row_id,
                    **new,
                    **{k: x for k, x in extra.items() if k not in ("created_by", "entered_by")},
                }
                for row_id, new, _before in chunk
            ]
            conn.execute(stmt, params)
            done += len(chunk)
            _after_chunk(done, total, progress)


def _bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One bulk write per chunk, inside the caller's transaction: SQLite's and PyMySQL's executemany are
    fast natively (PyMySQL folds them into multi-row INSERTs); on PostgreSQL, psycopg's executemany sends
    one statement per row, so the rows go through COPY ... FROM STDIN instead."""
    if not rows:
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
        if c.name not in columns and c.default is not None and c.default.is_scalar
    }
    columns += list(defaults)
    rows = [{**row, **defaults} for row in rows] if defaults else rows
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    dbapi = conn.dialect.loaded_dbapi
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except dbapi.Error as exc:  # same exception types as any other statement (IntegrityError...)
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc
    finally:
        cursor.close()


def _current_values(conn: Connection, table: Table, ids: list[int], columns: list[str]) -> dict[int, dict]:
    if not columns:
        return {}
    out: dict[int, dict] = {}
    for chunk in _chunks(ids, IN_CHUNK):
        for row in conn.execute(
            select(table.c.id, *[table.c[c] for c in columns]).where(table.c.id.in_(chunk))
        ).mappings():
            out[row["id"]] = {c: row[c] for c in columns}
    return out


def _refused(result: Preview, dry_run: bool, rows: int | None = None) -> ImportReport:
    """Nothing stored: every row of the file counts as rejected (at least 1 when the file itself is bad)."""
    rejected = result.rows if rows is None else rows
    return ImportReport(
        result.file, result.kind, result.profile, None, 0, 0, 0, max(rejected, 1), result.errors, dry_run
    )


def refused_file(file_name: str, error: ReadError) -> ImportReport:
    """The report of a file refused as a whole before its bytes were read (e.g. above the upload limit)."""
    return ImportReport(
        file_name, None, None, None, 0, 0, 0, 1, [RowError(None, None, None, error.code, error.params)]
    )


def import_bytes(
    engine: Engine,
    data: bytes,
    file_name: str,
    username: str | None = None,
    kind: str | None = None,
    profile: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one file all or nothing: refused with every problem listed, or committed in one transaction."""
    result, plan = _prepare(engine, data, file_name, kind, profile)
    if not result.ok or plan is None:
        if not result.errors:
            result.errors.append(RowError(None, None, None, "no_rows"))
        return _refused(result, dry_run)
    rows = result.rows
    result.frame = pd.DataFrame()  # the plan's records are all the commit needs: free the preview's copy
    if dry_run:
        for r in plan.records:  # teams a roster would create: a new team id always differs
            if "_team" in r:
                r.pop("_team")
                r["team_id"] = -1
        with engine.connect() as conn:
            diff = _diff(conn, plan)
        return ImportReport(
            file_name,
            result.kind,
            result.profile,
            None,
            len(diff.inserts),
            len(diff.updates),
            diff.unchanged,
            0,
            [],
            True,
        )
    try:
        batch_id, diff = _commit(engine, plan, result, file_name, username, progress)
    except DBAPIError as exc:  # e.g. a concurrent upload of the same rows hit the unique keys: rolled back
        detail = str(exc.orig).splitlines()[0][:200] if exc.orig is not None else type(exc).__name__
        result.errors.append(RowError(None, None, None, "write_failed", {"detail": detail}))
        return _refused(result, dry_run, rows)
    if progress is not None:
        progress(1.0)
    return ImportReport(
        file_name,
        result.kind,
        result.profile,
        int(batch_id),
        len(diff.inserts),
        len(diff.updates),
        diff.unchanged,
        0,
        [],
    )


def _commit(
    engine: Engine,
    plan: Plan,
    result: Preview,
    file_name: str,
    username: str | None,
    progress: Progress | None,
) -> tuple[int, Diff]:
    """One transaction: diff against what is stored, record the batch, write, audit."""
    with write(engine) as conn:
        batch_id = conn.execute(
            insert(ImportBatch).values(
                created_at=now(),
                username=username,
                file_name=file_name[:255],
                sha256=result.sha256,
                kind=result.kind,
                profile=result.profile,
                rejected=0,
                status="committed",
            )
        ).inserted_primary_key[0]
        if plan.before_write is not None:  # e.g. create the roster's new teams, so team ids can be compared
            plan.before_write(conn, batch_id, plan)
        diff = _diff(conn, plan)
        conn.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(inserted=len(diff.inserts), updated=len(diff.updates), unchanged=diff.unchanged)
        )
        _write(conn, plan, diff, batch_id, username, progress)
        audit(
            conn,
            username,
            "import.commit",
            batch_id=batch_id,
            file=file_name,
            kind=result.kind,
            profile=result.profile,
            sha256=result.sha256,
            inserted=len(diff.inserts),
            updated=len(diff.updates),
            unchanged=diff.unchanged,
        )
    return int(batch_id), diff


# --- history and undo --------------------------------------------------------------------------------


def list_batches(engine: Engine, limit: int = 50) -> list[dict[str, Any]]:
    b = ImportBatch.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(b).order_by(b.c.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


TABLES = {
    t.name: t
    for t in (
        LiveSession.__table__,
        Person.__table__,
        Incident.__table__,
        ManualMetric.__table__,
        Team.__table__,
    )
}


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


def undo(engine: Engine, batch_id: int, username: str) -> dict[str, int]:
    """Restore exactly what was there before a batch: delete the rows it inserted, put back the values of
    the rows it updated. Admins and managers only; refused when a later upload changed the same rows."""
    with write(engine) as conn:
        role = conn.execute(
            select(User.role).where(User.username == username, User.active.is_(True))
        ).scalar()
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
        if later is not None:
            raise UndoError("undo_later_batch", batch=batch_id, later=later)
        changes = (
            conn.execute(select(c).where(c.c.batch_id == batch_id).order_by(c.c.id.desc())).mappings().all()
        )
        counts = {"deleted": 0, "restored": 0}
        order = ["live_sessions", "incidents", "manual_metrics", "people", "teams"]
        for name in order:
            table = TABLES[name]
            mine = [ch for ch in changes if ch["table_name"] == name]
            updates = [ch for ch in mine if ch["action"] == "update"]
            for ch in updates:
                conn.execute(
                    update(table)
                    .where(table.c.id == ch["row_id"])
                    .values(_restore(table, json.loads(ch["before"])))
                )
            inserted = [ch["row_id"] for ch in mine if ch["action"] == "insert"]
            for chunk in _chunks(inserted, IN_CHUNK):
                conn.execute(delete(table).where(table.c.id.in_(chunk)))
            counts["deleted"] += len(inserted)
            counts["restored"] += len(updates)
        conn.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(status="undone", undone_at=now(), undone_by=username)
        )
        audit(conn, username, "import.undo", batch_id=batch_id, **counts)
    return counts
