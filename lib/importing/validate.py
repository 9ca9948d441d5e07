"""From the mapped columns of a file to canonical values, with every problem as a RowError
(file row number, column as the file names it, value, reason code rendered through lib.core.i18n)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lib.core import clock
from lib.core.formatting import format_number
from lib.core.i18n import translate
from lib.importing import values as v
from lib.importing.profiles import FIELDS, PLATFORM_NAMES, ColumnMap, Profile, normalise_header

TOTAL_TOKENS = frozenset({"合计", "总计", "汇总", "合計", "總計", "total", "sum", "小计"})
SEVERITIES = {
    "简单": "simple",
    "一般": "simple",
    "simple": "simple",
    "复杂": "complex",
    "complex": "complex",
    "重大": "major",
    "严重": "major",
    "major": "major",
}
BOOLS = {
    "是": True,
    "否": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
}
PHONE = re.compile(r"^\+?[\d\- ]{5,20}$")
MAX_ERRORS = 1000  # a report stops listing after this many (the file is refused anyway)

# Plausible bounds (inclusive) by value type; a value outside is refused with the range in the message.
MAX_SESSION_MINUTES = 24 * 60  # no live session runs longer than a day
MAX_COUNT = 1_000_000_000  # 10亿 people or events in one session: far above any real export
MAX_BIG_COUNT = 100_000_000_000  # exposure / views / likes are counted in the billions on big streams
BIG_COUNTS = frozenset({"exposure", "viewers", "views", "likes", "product_exposure", "product_clicks"})
MAX_MONEY = 10_000_000_000.0  # ¥100亿 in one session
TYPE_RANGES: dict[str, tuple[float, float, str]] = {  # type -> (min, max, unit of lib.core.formatting)
    "count": (0, MAX_COUNT, "count"),
    "count_round": (0, MAX_COUNT, "count"),
    "money": (0, MAX_MONEY, "cny"),
    "ratio": (0, 1, "pct"),
    "duration_min": (0, MAX_SESSION_MINUTES, "min"),
    "duration_s": (0, MAX_SESSION_MINUTES * 60, "s"),
}
# Dates: a few years back (history being loaded) to a year ahead (plans); hire dates go back further
PAST_YEARS, FUTURE_YEARS, PAST_YEARS_HIRED = 10, 1, 60
# names and keys: normalised (NFKC, no invisible characters) so that lookalike spellings meet
NAME_FIELDS = frozenset(
    {"external_id", "account", "host_name", "room", "name", "position", "department", "team", "session_ref"}
    | {"category", "owner_department", "handler", "metric"}
)


@dataclass
class RowError:
    """One problem: file row (1-based, as a spreadsheet shows it), column header, value, reason code."""

    row: int | None
    column: str | None
    value: Any
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        reason = translate(f"importing.error.{self.code}", lang, **self.params, value=self.value_text())
        parts = []
        if self.row is not None:
            parts.append(translate("importing.where.row", lang, row=self.row))
        if self.column:
            parts.append(translate("importing.where.column", lang, column=self.column))
        if self.value_text():
            parts.append(translate("importing.where.value", lang, value=self.value_text()))
        return (" · ".join(parts) + ": " + reason) if parts else reason

    def value_text(self) -> str:
        if self.value is None or (isinstance(self.value, float) and np.isnan(self.value)):
            return ""
        return str(self.value)[:200]

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value_text(),
            "reason": self.message(lang),
            "code": self.code,
        }


def field_label(name: str, lang: str = "zh") -> str:
    return translate(f"importing.field.{name}", lang)


# --- per-type column parsing ---------------------------------------------------------------------------

_SCALE_UNITS = {"万": 10_000, "万元": 10_000, "w": 10_000, "千": 1_000, "千元": 1_000, "亿": 1e8, "亿元": 1e8}


def _scale(values: list[Any], unit: str | None, as_int: bool) -> list[Any]:
    factor = _SCALE_UNITS.get(unit or "")
    if not factor:
        return values
    return [
        None if x is None else (int(round(x * factor)) if as_int else round(x * factor, 2)) for x in values
    ]


def _text(series: pd.Series, name_like: bool = False) -> v.ColumnResult:
    """Text as written; names and keys normalised (NFKC, no invisible characters), free text without bidi
    overrides."""
    clean = v.normalise_name if name_like else v.strip_bidi
    if pd.api.types.is_string_dtype(series) and series.dtype != "object":
        stripped = series.str.strip()
        if stripped.str.contains(r"[^\x20-\x7e\u3001-\u303f\u4e00-\u9fff]", regex=True, na=False).any():
            stripped = stripped.map(lambda x: clean(x) if isinstance(x, str) else x)
        none = stripped.isna() | stripped.str.lower().isin(v.TEXT_NONE_TOKENS)
        return stripped.astype(object).where(~none, None).tolist(), {}
    out: list[Any] = []
    for x in series.tolist():
        text = None if v.is_none(x) else v.parse_text(x)
        text = None if text is None else clean(text)
        out.append(None if text is None or text.lower() in v.TEXT_NONE_TOKENS else text)
    return out, {}


def _map_values(series: pd.Series, table: dict[str, Any], code: str) -> v.ColumnResult:
    out: list[Any] = []
    errors: dict[int, str] = {}
    for i, x in enumerate(series.tolist()):
        if v.is_none(x):
            out.append(None)
            continue
        key = normalise_header(v.normalise_name(str(x)))
        if key in table:
            out.append(table[key])
        else:
            out.append(None)
            errors[i] = code
    return out, errors


def _phone(x: Any) -> str | None:
    text = v.parse_text(x)
    if text is None:
        return None
    if not PHONE.match(text):
        raise v.ValueParseError("bad_phone")
    return text


def _duration(series: pd.Series, unit: str | None, default: str) -> v.ColumnResult:
    unit_code = {"分钟": "min", "分": "min", "min": "min", "秒": "s", "s": "s", "小时": "h", "h": "h"}.get(
        unit or "", default
    )
    seconds, errors = v.parse_numeric_column(
        series, lambda x: v.parse_duration_seconds(x, unit_code), "float"
    )
    factor = {"s": 1, "min": 60, "h": 3600}[unit_code]
    # the vectorised path read bare numbers in the header's unit; the scalar path already gave seconds
    numeric_fast = _numeric_mask(series)
    out = [None if s is None else (s * factor if numeric_fast[i] else s) for i, s in enumerate(seconds)]
    return out, errors


def _numeric_mask(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.notna().to_numpy()
    cleaned = series.astype("str").str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(cleaned, errors="coerce").notna().to_numpy()


def parse_field(kind: str, name: str, series: pd.Series, unit: str | None) -> v.ColumnResult:
    """Canonical values of one column and its errors: {position: code or (code, params)}."""
    out, errors = _parse_values(kind, name, series, unit)
    ftype = FIELDS[kind][name]
    if ftype in TYPE_RANGES:
        lo, hi, shown = TYPE_RANGES[ftype]
        if name in BIG_COUNTS:
            hi = MAX_BIG_COUNT
        numbers = pd.Series(out, dtype="float64").to_numpy()  # None -> NaN, compared as False below
        with np.errstate(invalid="ignore"):
            outside = np.flatnonzero((numbers < lo) | (numbers > hi))
        _check_range(out, errors, lo, hi, lambda x: format_number(x, shown), positions=outside.tolist())
    elif ftype in ("datetime", "date", "month"):
        today = clock.today()
        past = PAST_YEARS_HIRED if name == "hired_on" else PAST_YEARS
        lo_day, hi_day = _years_from(today, -past), _years_from(today, FUTURE_YEARS)
        if ftype == "month":
            _check_range(out, errors, f"{lo_day:%Y-%m}", f"{hi_day:%Y-%m}", str, "date_out_of_range")
        elif ftype == "date":
            _check_range(out, errors, lo_day, hi_day, str, "date_out_of_range")
        else:
            lo_at, hi_at = dt.datetime.combine(lo_day, dt.time()), dt.datetime.combine(hi_day, dt.time.max)
            _check_range(out, errors, lo_at, hi_at, lambda x: x.date().isoformat(), "date_out_of_range")
    return out, errors


def _years_from(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_range(
    out: list[Any],
    errors: dict[int, Any],
    lo: Any,
    hi: Any,
    shown: Any,
    code: str = "out_of_range",
    positions: list[int] | None = None,
) -> None:
    """Refuse values outside [lo, hi]; the message names the range (`shown` formats its ends). `positions`:
    the only candidates, when already known."""
    for i in range(len(out)) if positions is None else positions:
        x = out[i]
        if x is not None and i not in errors and not lo <= x <= hi:
            errors[i] = (code, {"min": shown(lo), "max": shown(hi)})
            out[i] = None


def _parse_values(kind: str, name: str, series: pd.Series, unit: str | None) -> v.ColumnResult:
    ftype = FIELDS[kind][name]
    if ftype == "text":
        return _text(series, name_like=name in NAME_FIELDS)
    if ftype == "datetime":
        return v.parse_datetime_column(series)
    if ftype == "date":
        return v.parse_generic_column(series, v.parse_date)
    if ftype == "month":
        return v.parse_generic_column(series, v.parse_month)
    if ftype in ("count", "count_round"):
        out, errors = v.parse_numeric_column(series, v.parse_count, "count" if ftype == "count" else "float")
        if ftype == "count_round":
            out = [None if x is None else int(round(x)) for x in out]
        return _scale(out, unit, as_int=True), errors
    if ftype == "money":
        out, errors = v.parse_numeric_column(series, v.parse_money, "money")
        return _scale(out, unit, as_int=False), errors
    if ftype == "ratio":
        pct = unit in ("%", "％")
        return v.parse_generic_column(series, lambda x: v.parse_ratio(x, percent_unit=pct))
    if ftype == "duration_min":
        seconds, errors = _duration(series, unit, "min")
        return [None if s is None else s / 60.0 for s in seconds], errors
    if ftype == "duration_s":
        return _duration(series, unit, "s")
    if ftype == "platform":
        return _map_values(
            series, {normalise_header(k): p for k, p in PLATFORM_NAMES.items()}, "bad_platform"
        )
    if ftype == "severity":
        return _map_values(series, SEVERITIES, "bad_severity")
    if ftype == "bool":
        return _map_values(series, BOOLS, "bad_bool")
    if ftype == "phone":
        return v.parse_generic_column(series, _phone)
    if ftype == "metric_value":
        return _text(series, name_like=True)
    raise ValueError(f"unknown field type {ftype}")


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
            text = s.astype("str").str.strip().str.lower()
            mask |= text.isin(TOTAL_TOKENS).to_numpy()
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
    }[kind]
    flagged = {(e.row, e.column) for e in errors}
    for name in _required_values(kind):
        if name in frame.columns:
            for i in np.flatnonzero(frame[name].isna().to_numpy()):
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
                    {"start": start, "max": format_number(MAX_SESSION_MINUTES / 60, "h")},
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
    watch = frame["avg_watch_seconds"].tolist() if "avg_watch_seconds" in frame else [None] * n
    for i in range(n):  # nobody watches a session on average longer than it lasted
        if watch[i] is not None and durations[i] is not None and watch[i] > durations[i] * 60 + 1:
            errors.append(
                RowError(
                    rows[i],
                    headers.get("avg_watch_seconds"),
                    format_number(watch[i] / 60, "min"),
                    "watch_longer_than_session",
                    {"duration": format_number(durations[i], "min")},
                )
            )
    frame["ended_at"] = pd.Series(ends, dtype=object)
    frame["duration_minutes"] = pd.Series(durations, dtype=object)
    frame["started_on"] = pd.Series([None if s is None else s.date() for s in starts], dtype=object)
    if "account" not in frame and "host_name" not in frame:
        return errors
    accounts = frame["account"].tolist() if "account" in frame else [None] * n
    hosts = frame["host_name"].tolist() if "host_name" in frame else [None] * n
    for i in range(n):
        if accounts[i] is None and hosts[i] is None:
            errors.append(
                RowError(rows[i], headers.get("account") or headers.get("host_name"), None, "required")
            )
    return errors


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
