"""The one import pipeline behind the upload page and `python -m lib.cli import`.

preview: bytes -> detected kind/profile, canonical rows, every problem (nothing written).
import_bytes: preview, then - only when there is no problem - one transaction that upserts every row on
its natural key, counts inserted / updated / unchanged, and records the batch (import_batches) and what
it did to each row (import_changes: inserted ids, and the before-image of updated rows) so `undo` can
restore exactly what was there. Existing rows are fetched in one query per file range, writes are bulk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from lib.importing import commit as committing
from lib.importing import profiles as prof
from lib.importing.detail_commit import commit_detail, detail_diff
from lib.importing.detail_fields import DETAIL_KINDS
from lib.importing.plan import Plan, Progress
from lib.importing.readers import RawTable, ReadError, read_bytes
from lib.importing.resolve_detail import DetailPlan, resolve_detail
from lib.importing.resolve_events import resolve_incidents, resolve_manual
from lib.importing.resolve_roster import resolve_roster
from lib.importing.resolve_sessions import resolve_sessions
from lib.importing.saved_profiles import all_profiles
from lib.importing.validate import RowError, field_label, parse_file

NUMERIC_TYPES = frozenset({"count", "count_round", "money", "duration_min", "duration_s"})
RESOLVERS = {
    "sessions": resolve_sessions,
    "roster": resolve_roster,
    "incidents": resolve_incidents,
    "manual_metrics": resolve_manual,
}


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
    # Not refusals: e.g. a session's minute GMV not adding up to its total (platforms revise figures).
    warnings: list[RowError] = field(default_factory=list)

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
    warnings: list[RowError] = field(default_factory=list)

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
            "warnings": [w.as_dict(lang) for w in self.warnings],
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


def _read(
    engine: Engine, data: bytes, file_name: str, sha: str, kind: str | None, profile: str | None
) -> tuple[Preview, None] | tuple[RawTable, prof.Detection]:
    """The file read and its layout detected, or the preview refusing it."""
    if kind is not None and kind not in prof.KINDS:
        return _fail(file_name, sha, RowError(None, None, kind, "bad_kind", {"kinds": ", ".join(prof.KINDS)}))
    try:
        raw = read_bytes(data, file_name)
    except ReadError as exc:
        return _fail(file_name, sha, RowError(None, None, None, exc.code, exc.params))
    detection = prof.detect(raw.head, all_profiles(engine), kind, profile)
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
    return raw, detection


def _prepare(
    engine: Engine, data: bytes, file_name: str, kind: str | None, profile: str | None
) -> tuple[Preview, Plan | None]:
    sha = hashlib.sha256(data).hexdigest()
    raw, detection = _read(engine, data, file_name, sha, kind, profile)
    if isinstance(raw, Preview):
        return raw, None
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
    known = {"kind": p.kind, "profile": p.name, **meta}
    try:
        _header, raw_frame, numbers = raw.frame(detection.header_index, numeric)
    except ReadError as exc:
        return _fail(
            file_name, sha, RowError(exc.params.get("row"), None, None, exc.code, exc.params), **known
        )
    parsed = parse_file(p, cmap, raw_frame, numbers)
    if len(parsed.frame) == 0:
        return _fail(file_name, sha, RowError(detection.header_index + 1, None, None, "no_rows"), **known)
    errors = list(parsed.errors)
    plan = None
    warnings: list[RowError] = []
    if not errors:
        with engine.connect() as conn:
            if p.kind in DETAIL_KINDS:
                above = raw.head[: detection.header_index]
                plan, more = resolve_detail(conn, p.kind, parsed.frame, parsed.columns, above)
                warnings = plan.warnings if plan is not None else []
            else:
                plan, more = RESOLVERS[p.kind](conn, parsed.frame, parsed.columns)
        errors += more
    result = Preview(
        file_name,
        sha,
        p.kind,
        p.name,
        parsed.frame,
        errors,
        skipped_total_rows=parsed.skipped_total_rows,
        platform=p.platform,
        warnings=warnings,
        **meta,
    )
    return result, plan


# --- import ------------------------------------------------------------------------------------------


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
    if isinstance(plan, DetailPlan):
        return _import_detail(engine, result, plan, username, dry_run, progress)
    if dry_run:
        for r in plan.records:  # teams a roster would create: a new team id always differs
            if "_team" in r:
                r.pop("_team")
                r["team_id"] = -1
        with engine.connect() as conn:
            diff = committing.diff(conn, plan)
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
        meta = {"sha256": result.sha256, "kind": result.kind, "profile": result.profile}
        batch_id, diff = committing.commit(engine, plan, file_name, meta, username, progress)
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


def _import_detail(
    engine: Engine,
    result: Preview,
    plan: DetailPlan,
    username: str | None,
    dry_run: bool,
    progress: Progress | None,
) -> ImportReport:
    """A session-detail file (lib.importing.detail_commit): counted, or committed in one transaction."""
    batch_id = None
    if dry_run:
        with engine.connect() as conn:
            changes = detail_diff(conn, plan)
    else:
        try:
            meta = {"sha256": result.sha256, "kind": result.kind, "profile": result.profile}
            batch_id, changes = commit_detail(engine, plan, result.file, meta, username, progress)
        except DBAPIError as exc:  # e.g. a concurrent upload of the same session: rolled back
            detail = str(exc.orig).splitlines()[0][:200] if exc.orig is not None else type(exc).__name__
            result.errors.append(RowError(None, None, None, "write_failed", {"detail": detail}))
            return _refused(result, dry_run, len(plan.records))
        if progress is not None:
            progress(1.0)
    counts = (changes.inserted, changes.updated, changes.unchanged)
    return ImportReport(
        result.file, result.kind, result.profile, batch_id, *counts, 0, [], dry_run, result.warnings
    )
