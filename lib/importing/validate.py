"""From the mapped columns of a file to canonical values, with every problem as a RowError
(file row number, column as the file names it, value, reason code rendered through lib.core.i18n)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lib.core.formatting import Quantity
from lib.core.i18n import translate
from lib.importing.columns import in_lowered
from lib.importing.detail_fields import DETAIL_ROW_KEYS, DETAIL_ROW_REQUIRED
from lib.importing.fields import MAX_SESSION_MINUTES, parse_field
from lib.importing.profiles import ColumnMap, Profile

TOTAL_TOKENS = frozenset({"合计", "总计", "汇总", "合計", "總計", "total", "sum", "小计"})
MAX_ERRORS = 1000  # a report stops listing after this many (the file is refused anyway)


@dataclass
class RowError:
    """One problem: file row (1-based, as a spreadsheet shows it), column header, value, reason code."""

    row: int | None
    column: str | None
    value: Any
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        reason = translate(f"importing.error.{self.code}", lang, **self.params, value=self.value_text(lang))
        parts = []
        if self.row is not None:
            parts.append(translate("importing.where.row", lang, row=self.row))
        if self.column:
            parts.append(translate("importing.where.column", lang, column=self.column))
        if self.value_text(lang):
            parts.append(translate("importing.where.value", lang, value=self.value_text(lang)))
        return (" · ".join(parts) + ": " + reason) if parts else reason

    def value_text(self, lang: str = "zh") -> str:
        if self.value is None or (isinstance(self.value, float) and np.isnan(self.value)):
            return ""
        if isinstance(self.value, Quantity):  # a figure the check computed, in the reader's units
            return self.value.localized(lang)
        return str(self.value)[:200]

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value_text(lang),
            "reason": self.message(lang),
            "code": self.code,
        }


def field_label(name: str, lang: str = "zh") -> str:
    return translate(f"importing.field.{name}", lang)


# --- the whole file --------------------------------------------------------------------------------------


@dataclass
class Parsed:
    frame: pd.DataFrame  # canonical columns + "_row" (file row number)
    errors: list[RowError]
    skipped_total_rows: int
    columns: dict[str, str]  # field -> the file's header (for messages)


def total_row_mask(raw: pd.DataFrame) -> np.ndarray:
    """Rows that are a total (合计/总计...) line, not a record."""
    mask = np.zeros(len(raw), dtype=bool)
    for col in list(raw.columns)[:4]:
        s = raw[col]
        if pd.api.types.is_string_dtype(s) or s.dtype == "object":
            mask |= in_lowered(s, TOTAL_TOKENS)
    return mask


def parse_file(profile: Profile, cmap: ColumnMap, raw: pd.DataFrame, row_numbers: np.ndarray) -> Parsed:
    """Parse every mapped column, then apply the kind's row rules (order of times, duplicates...)."""
    kind = profile.kind
    totals = total_row_mask(raw)
    if totals.any():
        raw = raw.loc[~totals].reset_index(drop=True)
        row_numbers = row_numbers[~totals]
    errors: list[RowError] = []
    data: dict[str, list[Any]] = {}
    headers: dict[str, str] = {}
    for name, (pos, header, unit) in cmap.fields.items():
        series = raw[pos]
        out, errs = parse_field(kind, name, series, unit)
        data[name] = out
        headers[name] = header
        if errs:
            raw_values = series.tolist()
            for i, found in sorted(errs.items()):
                code, params = (found, {}) if isinstance(found, str) else found
                errors.append(RowError(int(row_numbers[i]), header, raw_values[i], code, params))
    frame = pd.DataFrame(data, dtype=object) if data else pd.DataFrame(index=range(len(raw)))
    frame["_row"] = row_numbers
    if kind == "sessions":
        if profile.platform and "platform" not in data:
            frame["platform"] = profile.platform
        errors += _session_rules(frame, headers, {e.row for e in errors})
    elif kind == "incidents":
        errors += _incident_rules(frame, headers)
    keys = {
        "sessions": None,
        "roster": ("name",),
        "incidents": ("room", "host_name", "category", "detected_at"),
        "manual_metrics": ("month", "name", "metric"),
        **DETAIL_ROW_KEYS,
    }[kind]
    flagged = {(e.row, e.column) for e in errors}
    for name in _required_values(kind):
        if name in frame.columns:
            for i in np.flatnonzero(frame[name].isna().to_numpy()).tolist():
                if (int(row_numbers[i]), headers.get(name)) not in flagged:
                    errors.append(RowError(int(row_numbers[i]), headers.get(name), None, "required"))
    if keys is None:
        keys = ("platform", "external_id") if "external_id" in frame.columns else None
    errors += _duplicates(frame, keys or ("platform", "account", "host_name", "started_at"), headers)
    errors.sort(key=lambda e: (e.row or 0, e.column or ""))
    return Parsed(frame, errors, int(totals.sum()), headers)


def _required_values(kind: str) -> tuple[str, ...]:
    return {
        "sessions": ("started_at",),
        "roster": ("name",),
        "incidents": ("category", "severity", "detected_at"),
        "manual_metrics": ("month", "name", "metric", "value"),
        **DETAIL_ROW_REQUIRED,
    }[kind]


def _session_rules(frame: pd.DataFrame, headers: dict[str, str], flagged: set[int | None]) -> list[RowError]:
    """Times and durations of each session; rows already refused for a value get no follow-up errors."""
    errors: list[RowError] = []
    n = len(frame)
    starts = frame["started_at"].tolist() if "started_at" in frame else [None] * n
    ends = frame["ended_at"].tolist() if "ended_at" in frame else [None] * n
    durations = frame["duration_minutes"].tolist() if "duration_minutes" in frame else [None] * n
    rows = frame["_row"].tolist()
    for i in range(n):
        start, end, minutes = starts[i], ends[i], durations[i]
        if start is None:
            continue
        if end is not None and end < start:
            errors.append(
                RowError(rows[i], headers.get("ended_at"), end, "end_before_start", {"start": start})
            )
        elif end is not None and end - start > dt.timedelta(minutes=MAX_SESSION_MINUTES):
            errors.append(
                RowError(
                    rows[i],
                    headers.get("ended_at"),
                    end,
                    "session_too_long",
                    {"start": start, "max": Quantity(MAX_SESSION_MINUTES / 60, "h")},
                )
            )
        elif end is None and minutes is not None:
            ends[i] = start + dt.timedelta(seconds=round(minutes * 60))
        elif end is not None and minutes is None:
            durations[i] = (end - start).total_seconds() / 60.0
        elif end is None and minutes is None and rows[i] not in flagged:
            errors.append(
                RowError(
                    rows[i], headers.get("ended_at") or headers.get("duration_minutes"), None, "required"
                )
            )
    errors += _watch_rule(frame, durations, headers)
    frame["ended_at"] = pd.Series(ends, dtype=object)
    frame["duration_minutes"] = pd.Series(durations, dtype=object)
    frame["started_on"] = pd.Series([None if s is None else s.date() for s in starts], dtype=object)
    return errors + _owner_rule(frame, headers)


def _watch_rule(frame: pd.DataFrame, durations: list, headers: dict[str, str]) -> list[RowError]:
    """Nobody watches a session on average longer than it lasted."""
    rows = frame["_row"].tolist()
    watch: list[Any] = (
        frame["avg_watch_seconds"].tolist() if "avg_watch_seconds" in frame else [None] * len(frame)
    )
    return [
        RowError(
            rows[i],
            headers.get("avg_watch_seconds"),
            Quantity(watch[i] / 60, "min"),
            "watch_longer_than_session",
            {"duration": Quantity(durations[i], "min")},
        )
        for i in range(len(frame))
        if watch[i] is not None and durations[i] is not None and watch[i] > durations[i] * 60 + 1
    ]


def _owner_rule(frame: pd.DataFrame, headers: dict[str, str]) -> list[RowError]:
    """A session needs an account or a host (when the file has either column)."""
    if "account" not in frame and "host_name" not in frame:
        return []
    n, rows = len(frame), frame["_row"].tolist()
    accounts = frame["account"].tolist() if "account" in frame else [None] * n
    hosts = frame["host_name"].tolist() if "host_name" in frame else [None] * n
    column = headers.get("account") or headers.get("host_name")
    return [
        RowError(rows[i], column, None, "required")
        for i in range(n)
        if accounts[i] is None and hosts[i] is None
    ]


def _incident_rules(frame: pd.DataFrame, headers: dict[str, str]) -> list[RowError]:
    errors: list[RowError] = []
    rows = frame["_row"].tolist()
    detected = frame["detected_at"].tolist()
    for later in ("responded_at", "resolved_at", "meeting_at"):
        if later not in frame:
            continue
        for i, value in enumerate(frame[later].tolist()):
            if value is not None and detected[i] is not None and value < detected[i]:
                errors.append(RowError(rows[i], headers.get(later), value, "before_detected"))
    return errors


def _duplicates(frame: pd.DataFrame, keys: tuple[str, ...], headers: dict[str, str]) -> list[RowError]:
    present = [k for k in keys if k in frame.columns]
    if not present or len(frame) < 2:
        return []
    rows = frame["_row"].tolist()
    last = frame[present[-1]].tolist()
    column = headers.get(present[-1]) or present[-1]
    first_row: dict[tuple, int] = {}
    errors: list[RowError] = []
    for i, key in enumerate(zip(*(frame[k].tolist() for k in present), strict=True)):
        first = first_row.setdefault(key, rows[i])
        if first != rows[i]:
            errors.append(RowError(rows[i], column, last[i], "duplicate_row", {"first": first}))
    return errors
