"""The one import pipeline behind the upload page and `python -m lib.cli import`.

preview: bytes -> detected kind/profile, canonical rows, every problem (nothing written).
import_bytes: preview, then - only when there is no problem - one transaction that upserts every row on
its natural key, counts inserted / updated / unchanged, and records the batch (import_batches) and what
it did to each row (import_changes: inserted ids, and the before-image of updated rows) so `undo` can
restore exactly what was there. Existing rows are fetched in one query per file range, writes are bulk.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from lib.importing import checks, other_kinds
from lib.importing import commit as committing
from lib.importing import profiles as prof
from lib.importing.detail_commit import commit_detail, detail_diff
from lib.importing.detail_fields import DETAIL_KINDS
from lib.importing.plan import Plan, Progress
from lib.importing.readers import RawTable, ReadError, read_bytes
from lib.importing.resolve_detail import DetailPlan, TrendDraft, resolve_detail, trend_draft
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
    imported_as: int | None = None  # the committed batch of these very bytes, if any

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
            "warning_count": len(self.warnings),
            "warning_codes": dict(Counter(w.code for w in self.warnings)),
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
    data: bytes,
    file_name: str,
    sha: str,
    kind: str | None,
    profile: str | None,
    profiles: list[prof.Profile],
    others: bool = False,
) -> tuple[Preview, None] | tuple[RawTable, prof.Detection]:
    """The file read and its layout detected, or the preview refusing it; with `others`, a file another
    domain's kind claims (lib.importing.other_kinds) is a preview of that kind with nothing parsed."""
    known = (*prof.KINDS, *other_kinds.KINDS) if others else prof.KINDS
    if kind is not None and kind not in known:
        return _fail(file_name, sha, RowError(None, None, kind, "bad_kind", {"kinds": ", ".join(known)}))
    try:
        raw = read_bytes(data, file_name)
    except ReadError as exc:
        return _fail(file_name, sha, RowError(None, None, None, exc.code, exc.params))
    if others and (other := other_kinds.claim(raw.head, kind)) is not None:
        return Preview(file_name, sha, other.name, None, pd.DataFrame(), []), None
    detection = prof.detect(raw.head, profiles, kind, profile)
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


@dataclass
class Parsed:
    """A file read, detected and parsed (no database needed): the preview so far, and what resolving its
    rows against the stored data needs (`columns` is None when the file is refused already)."""

    result: Preview
    columns: dict[str, str] | None = None
    above: list[list[Any]] = field(default_factory=list)
    draft: TrendDraft | None = None  # a trend file's database-free part of resolving
    other: str | None = None  # another domain's kind that claimed the file (lib.importing.other_kinds)


def parse_bytes(
    data: bytes,
    file_name: str,
    kind: str | None = None,
    profile: str | None = None,
    profiles: list[prof.Profile] | None = None,
    others: bool = False,
) -> Parsed:
    """Read, detect and parse a file against the given profiles (default: the presets); a pure function of
    its arguments, so `import_many` can run it in another process. With `others`, a file of another
    domain's kind comes back unparsed, its kind named (`Parsed.other`)."""
    profiles = list(prof.PRESETS) if profiles is None else profiles
    sha = hashlib.sha256(data).hexdigest()
    raw, detection = _read(data, file_name, sha, kind, profile, profiles, others)
    if isinstance(raw, Preview):
        return Parsed(raw, other=raw.kind if raw.kind in other_kinds.KINDS and not raw.errors else None)
    assert detection is not None and detection.profile is not None and detection.columns is not None
    p, cmap = detection.profile, detection.columns
    meta: dict[str, Any] = {"header": detection.header, "unmatched": cmap.unmatched}
    if detection.missing:
        errors = [
            RowError(
                detection.header_index + 1, field_label(f), None, "missing_column", {"field": field_label(f)}
            )
            for f in detection.missing
        ]
        return Parsed(Preview(file_name, sha, p.kind, p.name, pd.DataFrame(), errors, **meta))
    numeric = frozenset(
        pos for name, (pos, _h, _u) in cmap.fields.items() if prof.FIELDS[p.kind][name] in NUMERIC_TYPES
    )
    known = {"kind": p.kind, "profile": p.name, **meta}
    try:
        _header, raw_frame, numbers = raw.frame(detection.header_index, numeric)
    except ReadError as exc:
        error = RowError(exc.params.get("row"), None, None, exc.code, exc.params)
        return Parsed(_fail(file_name, sha, error, **known)[0])
    parsed = parse_file(p, cmap, raw_frame, numbers)
    if len(parsed.frame) == 0:
        error = RowError(detection.header_index + 1, None, None, "no_rows")
        return Parsed(_fail(file_name, sha, error, **known)[0])
    result = Preview(
        file_name,
        sha,
        p.kind,
        p.name,
        parsed.frame,
        list(parsed.errors),
        skipped_total_rows=parsed.skipped_total_rows,
        platform=p.platform,
        warnings=checks.missing_key_notes(
            p.kind, parsed.columns, len(parsed.frame), detection.header_index + 1
        )
        + checks.row_notes(p.kind, parsed.frame, parsed.columns),
        **meta,
    )
    if result.errors:
        return Parsed(result)
    above = raw.head[: detection.header_index]
    draft = trend_draft(parsed.frame, parsed.columns, above) if p.kind == "session_trend" else None
    return Parsed(result, parsed.columns, above, draft)


def resolve(engine: Engine, parsed: Parsed) -> tuple[Preview, Plan | DetailPlan | None]:
    """A parsed file's rows against the stored data: what the import will write, or why it cannot."""
    result = parsed.result
    if parsed.columns is None or result.kind is None:  # refused already (a parsed file has its kind)
        return result, None
    with engine.connect() as conn:
        if before := checks.imported_before(conn, result.sha256):
            result.imported_as = before[0]
            result.warnings.append(before[1])
        plan: Plan | DetailPlan | None
        if result.kind in DETAIL_KINDS:
            plan, more = resolve_detail(
                conn, result.kind, result.frame, parsed.columns, parsed.above, parsed.draft
            )
            result.warnings += plan.warnings if plan is not None else []
        else:
            plan, more = RESOLVERS[result.kind](conn, result.frame, parsed.columns)
    result.errors += more
    return result, plan


def _prepare(
    engine: Engine,
    data: bytes,
    file_name: str,
    kind: str | None,
    profile: str | None,
    profiles: list[prof.Profile] | None = None,
) -> tuple[Preview, Plan | DetailPlan | None]:
    profiles = all_profiles(engine) if profiles is None else profiles
    return resolve(engine, parse_bytes(data, file_name, kind, profile, profiles))


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
    return import_prepared(engine, result, plan, username, dry_run, progress)


def import_prepared(
    engine: Engine,
    result: Preview,
    plan: Plan | DetailPlan | None,
    username: str | None,
    dry_run: bool,
    progress: Progress | None,
) -> ImportReport:
    file_name = result.file
    if not result.ok or plan is None:
        if not result.errors:
            result.errors.append(RowError(None, None, None, "no_rows"))
        return _refused(result, dry_run)
    rows = result.rows
    result.frame = pd.DataFrame()  # the plan's records are all the commit needs: free the preview's copy
    if isinstance(plan, DetailPlan):
        return _import_detail(engine, result, plan, username, dry_run, progress)
    if counted := _counted(engine, result, plan, dry_run):
        return counted
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
        warnings=result.warnings,
    )


def _counted(engine: Engine, result: Preview, plan: Plan, dry_run: bool) -> ImportReport | None:
    """The counts without a write: a dry run, or the same bytes imported before and nothing to change
    (no empty batch). None: go on and commit."""
    if dry_run:
        for r in plan.records:  # teams a roster would create: a new team id always differs
            if "_team" in r:
                r.pop("_team")
                r["team_id"] = -1
    elif result.imported_as is None or any("_team" in r for r in plan.records):
        return None
    with engine.connect() as conn:
        diff = committing.diff(conn, plan)
    if not dry_run and (diff.inserts or diff.updates):
        return None
    counts = (len(diff.inserts), len(diff.updates), diff.unchanged)
    return ImportReport(
        result.file, result.kind, result.profile, None, *counts, 0, [], dry_run, result.warnings
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
    changes = None
    if dry_run or result.imported_as is not None:  # the same bytes again: no batch when nothing changes
        with engine.connect() as conn:
            changes = detail_diff(conn, plan)
    if not dry_run and (changes is None or changes.inserted or changes.updated):
        try:
            meta = {"sha256": result.sha256, "kind": result.kind, "profile": result.profile}
            batch_id, changes = commit_detail(engine, plan, result.file, meta, username, progress)
        except DBAPIError as exc:  # e.g. a concurrent upload of the same session: rolled back
            detail = str(exc.orig).splitlines()[0][:200] if exc.orig is not None else type(exc).__name__
            result.errors.append(RowError(None, None, None, "write_failed", {"detail": detail}))
            return _refused(result, dry_run, len(plan.records))
        if progress is not None:
            progress(1.0)
    assert changes is not None  # counted (dry run, same bytes) or committed above
    counts = (changes.inserted, changes.updated, changes.unchanged)
    return ImportReport(
        result.file, result.kind, result.profile, batch_id, *counts, 0, [], dry_run, result.warnings
    )
