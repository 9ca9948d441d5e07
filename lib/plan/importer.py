"""Import a schedule file (排期表, CSV or XLSX, title rows above the header allowed): a preview with every
row's error (row, column, value), then all rows or none; an import can be undone while untouched.

Read through lib.importing's reader (format detection, encodings, XLSX bounds); the schedule's own
columns and checks live here (lib.importing's profiles are for the platforms' exports).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import importing
from lib.core import clock, db, forms
from lib.core.i18n import translate
from lib.core.models import PlannedSession
from lib.plan import fileparse
from lib.plan.model import FILE_FIELDS, PlanError, PlanInput, validate
from lib.plan.writes import add, clash, clash_between, record_change

T = PlannedSession.__table__
MAX_PLAN_ROWS = 5000
# The PlanInput field a validation error names -> the file column it came from.
FIELD_COLUMN = {"starts_at": "start", "minutes": "minutes"}


@dataclass(frozen=True)
class RowError:
    row: int  # the file's row number (1-based, as a spreadsheet shows it)
    column: str  # the header cell as written in the file
    error: PlanError

    def message(self, lang: str) -> str:
        return translate(
            "plan.error.row", lang, row=self.row, column=self.column, message=self.error.message(lang)
        )


@dataclass
class SchedulePreview:
    rows: list[tuple[int, PlanInput]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: PlanError | importing.ReadError | None = None
    digest: str = ""

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.errors and bool(self.rows)


KEY_COLUMNS = frozenset({"date", "start", "account", "host_name"})  # a header with these is a schedule's


def is_schedule(head: list[list[Any]]) -> bool:
    """Whether a file's first rows hold a schedule's header (how `python -m lib.cli import` knows one)."""
    return any(KEY_COLUMNS <= fileparse.column_map(cells).keys() for cells in head)


def _header(table: importing.RawTable) -> tuple[int, dict[str, int]]:
    for index, cells in enumerate(table.head):
        found = fileparse.column_map(cells)
        if KEY_COLUMNS <= found.keys():
            return index, found
    best = max((fileparse.column_map(c) for c in table.head), key=len, default={})
    if len(best) >= 3:
        missing = [f for f in fileparse.REQUIRED if f not in best]
        if "end" not in best and "minutes" not in best:
            missing.append("end")
        raise PlanError("missing_columns", columns="、".join(fileparse.HEADERS[f][0] for f in missing))
    raise PlanError("no_header", rows=len(table.head))


def _row_input(cells: dict[str, Any]) -> dict[str, Any]:
    """The raw PlanInput fields of one row; PlanError carries the failing canonical column in `column`."""
    column = "date"
    try:
        day = fileparse.parse_date(cells.get("date"))
        column = "start"
        start = dt.datetime.combine(day, fileparse.parse_time(cells.get("start")))
        if not fileparse.blank(cells.get("minutes")):
            column = "minutes"
            minutes: str | int = fileparse.parse_minutes(cells["minutes"])  # as written, validated below
        else:
            column = "end"
            minutes = fileparse.length_from_end(start, fileparse.parse_time(cells.get("end")))
    except PlanError as exc:
        exc.params["column"] = column
        raise
    return {k: cells.get(k) for k in FILE_FIELDS} | {"starts_at": start, "minutes": minutes}


def _one_row(cells: dict[str, Any], header_of: dict[str, str], row: int) -> PlanInput | RowError:
    try:
        return validate(_row_input(cells))
    except PlanError as exc:
        name = str(exc.params.pop("column", None) or exc.params.get("field"))
        name = FIELD_COLUMN.get(name, name)
        if name == "minutes" and "minutes" not in header_of:
            name = "end"
        return RowError(row, header_of.get(name, str(name)), exc)


def _clashes(engine: Engine, rows: list[tuple[int, PlanInput]], header_of: dict[str, str]) -> list[RowError]:
    errors = []
    with engine.connect() as conn:
        for i, (number, p) in enumerate(rows):
            refusal = next((c for _, q in rows[:i] if (c := clash_between(p, q))), None) or clash(conn, p)
            if refusal:
                errors.append(RowError(number, header_of["start"], refusal))
    return errors


def preview(engine: Engine, data: bytes, file_name: str) -> SchedulePreview:
    """Read and check the whole file against the stored schedule; nothing is written."""
    result = SchedulePreview(digest=hashlib.sha256(data).hexdigest()[:16])
    try:
        table = importing.read_bytes(data, file_name)
        index, found = _header(table)
        header, frame, numbers = table.frame(index)
    except (PlanError, importing.ReadError) as exc:
        result.file_error = exc
        return result
    if len(frame) > MAX_PLAN_ROWS:
        result.file_error = PlanError("too_many_rows", max=MAX_PLAN_ROWS)
        return result
    header_of = {f: str(header[pos]) for f, pos in found.items()}
    for values, number in zip(frame.itertuples(index=False), numbers, strict=True):
        cells = {f: None if fileparse.blank(values[pos]) else values[pos] for f, pos in found.items()}
        outcome = _one_row(cells, header_of, int(number))
        if isinstance(outcome, RowError):
            result.errors.append(outcome)
        else:
            result.rows.append((int(number), outcome))
    if not result.errors:
        result.errors = _clashes(engine, result.rows, header_of)
    if not result.rows and not result.errors:
        result.file_error = PlanError("empty")
    return result


def commit(
    engine: Engine, data: bytes, file_name: str, username: str | None, token: str | None = None
) -> tuple[SchedulePreview, str | None]:
    """Import every row or none: (preview, import reference) — the reference is None when refused. With
    a form token, once (lib.core.forms: a second submit raises AlreadySubmitted)."""
    checked = preview(engine, data, file_name)
    if not checked.ok and not token:
        return checked, None
    ref = f"{clock.now():%Y%m%d%H%M%S}-{checked.digest}"
    try:
        with db.write(engine) as conn:
            if token:  # a used token says so first (its rows now clash with themselves)
                forms.claim(conn, token, "plan_import", username)
            if not checked.ok:
                raise _Rollback
            for number, p in checked.rows:
                try:  # refused on a clash: the schedule may have changed since the preview
                    add(conn, p, username, import_ref=ref)
                except PlanError as refusal:
                    checked.errors.append(RowError(number, "", refusal))
                    raise _Rollback from None
            db.audit(conn, username, "plan.import", ref=ref, file=file_name, rows=len(checked.rows))
    except _Rollback:
        return checked, None
    return checked, ref


class _Rollback(Exception):
    """Leaves the write transaction without committing anything."""


def undo_import(engine: Engine, ref: str, username: str | None) -> int:
    """Delete the planned sessions an import added, if none was changed since; returns how many."""
    with db.write(engine) as conn:
        rows = conn.execute(
            sa.select(T.c.id, T.c.version).where(T.c.import_ref == ref).with_for_update()
        ).all()
        if not rows:
            raise PlanError("import_missing", ref=ref)
        changed = [r.id for r in rows if r.version != 1]
        if changed:
            raise PlanError("import_changed", count=len(changed))
        conn.execute(T.delete().where(T.c.import_ref == ref))
        for r in rows:
            record_change(conn, r.id, username, "undo", {"import": (ref, None)})
        db.audit(conn, username, "plan.import_undo", ref=ref, rows=len(rows))
    return len(rows)


@dataclass
class ScheduleReport:
    """One schedule file's import (or dry run), for `schedule import` and `python -m lib.cli import`."""

    file: str
    checked: SchedulePreview
    import_ref: str | None
    dry_run: bool

    @property
    def ok(self) -> bool:
        return self.checked.ok and (self.dry_run or self.import_ref is not None)

    def errors(self, lang: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.checked.file_error is not None:
            error = self.checked.file_error
            out.append({"row": None, "column": None, "value": None, "code": error.code})
            out[-1]["reason"] = error.message(lang)
        for e in self.checked.errors:
            value = e.error.params.get("value")
            out.append({"row": e.row, "column": e.column, "value": value, "code": e.error.code})
            out[-1]["reason"] = e.message(lang)
        return out

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The keys every file of `python -m lib.cli import` reports (lib.importing's), plus the import
        reference that `schedule undo` takes."""
        rows = len(self.checked.rows) if self.ok else 0
        return {
            "file": self.file,
            "kind": "schedule",
            "profile": None,
            "batch_id": None,
            "import_ref": self.import_ref,
            "inserted": rows,
            "updated": 0,
            "unchanged": 0,
            "rejected": len({e.row for e in self.checked.errors}),
            "dry_run": self.dry_run,
            "errors": self.errors(lang),
            "warnings": [],
            "warning_count": 0,
            "warning_codes": {},
        }


def import_file(
    engine: Engine, data: bytes, file_name: str, username: str | None, dry_run: bool = False
) -> ScheduleReport:
    """Check a schedule file (dry run) or import it all or nothing: the one path of both commands."""
    if dry_run:
        return ScheduleReport(file_name, preview(engine, data, file_name), None, True)
    checked, ref = commit(engine, data, file_name, username)
    return ScheduleReport(file_name, checked, ref, False)
