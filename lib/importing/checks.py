"""Notes on a file that do not refuse it (platforms revise figures, and exports let users pick columns):
figures that cannot both be right (clicks above exposure, refunds above GMV), a key column the layout
needs but the file lacks (its sessions are stored without that figure), the same file imported before."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from lib.core.formatting import Quantity
from lib.core.models import ImportBatch
from lib.importing.validate import RowError, field_label

# kind -> (part, whole, code, unit): a row whose part is above its whole gets a note
RELATIONS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "sessions": (
        ("product_clicks", "product_exposure", "implausible_clicks_above_exposure", "count"),
        ("refund_amount", "gmv", "implausible_refund_above_gmv", "cny"),
    ),
    "session_products": (
        ("clicks", "exposure", "implausible_clicks_above_exposure", "count"),
        ("refund", "gmv", "implausible_refund_above_gmv", "cny"),
    ),
}
# Columns a session list needs for the figures every page reads; an export may leave them out (Compass
# lets the user pick its columns), so a missing one is a note with the count of sessions left without it.
# The start (and an account or host) is required: without it the file is refused.
KEY_FIELDS: dict[str, tuple[str, ...]] = {"sessions": ("gmv", "viewers")}
# A product's or source's GMV above the session's whole GMV by more than this share is implausible.
ABOVE_SESSION_SHARE = 0.01


@dataclass(frozen=True)
class FieldName:
    """A field's name in the reader's language, as a message parameter (lib.core.i18n calls localized)."""

    name: str

    def localized(self, lang: str) -> str:
        return field_label(self.name, lang)


def _values(frame: pd.DataFrame, column: str) -> list[Any]:
    return [None if x is None or x != x else x for x in frame[column].tolist()]  # NaN != NaN


def row_notes(kind: str, frame: pd.DataFrame, headers: dict[str, str]) -> list[RowError]:
    """Rows whose figures contradict each other (each pair of RELATIONS present in the file)."""
    notes: list[RowError] = []
    rows = frame["_row"].tolist() if "_row" in frame else []
    for part, whole, code, unit in RELATIONS.get(kind, ()):
        if part not in frame.columns or whole not in frame.columns:
            continue
        for i, (p, w) in enumerate(zip(_values(frame, part), _values(frame, whole), strict=True)):
            if p is not None and w is not None and p > w:
                params = {"found": Quantity(p, unit), "limit": Quantity(w, unit), "whole": headers[whole]}
                notes.append(RowError(int(rows[i]), headers[part], None, code, params))
    return notes


def missing_key_notes(kind: str, headers: dict[str, str], sessions: int, header_row: int) -> list[RowError]:
    """A key column the file lacks: its sessions are stored without that figure."""
    return [
        RowError(header_row, None, None, "key_column_missing", {"field": FieldName(name), "n": sessions})
        for name in KEY_FIELDS.get(kind, ())
        if name not in headers
    ]


def above_session(session: dict, recs: list[dict[str, Any]], rows: list[int], column: str) -> list[RowError]:
    """A product's or source's GMV above its whole session's GMV (e.g. fifty times it)."""
    stored = session.get("gmv")
    if stored is None:
        return []
    bound = float(stored) * (1 + ABOVE_SESSION_SHARE) + 0.01
    params = {"account": session["account"], "start": f"{session['started_at']:%Y-%m-%d %H:%M}"}
    return [
        RowError(
            row,
            column,
            None,
            "implausible_above_session_gmv",
            {**params, "found": Quantity(float(r["gmv"]), "cny"), "stored": Quantity(float(stored), "cny")},
        )
        for r, row in zip(recs, rows, strict=True)
        if r.get("gmv") is not None and float(r["gmv"]) > bound
    ]


def imported_before(conn: Connection, sha256: str) -> tuple[int, RowError] | None:
    """The latest committed (not undone) batch of the very same bytes, as a note."""
    b = ImportBatch.__table__
    found = conn.execute(
        select(b.c.id, b.c.created_at, b.c.username)
        .where(b.c.sha256 == sha256, b.c.status == "committed")
        .order_by(b.c.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None
    at = f"{found.created_at:%Y-%m-%d %H:%M}" if isinstance(found.created_at, dt.datetime) else ""
    note = RowError(
        None, None, None, "already_imported", {"batch": found.id, "at": at, "by": found.username or ""}
    )
    return int(found.id), note
