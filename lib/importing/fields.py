"""Parsing one column of a file by its field's value type (text, names, numbers with units, money,
ratios, durations, dates, months, severities, yes/no, phones) and checking each value's plausible range."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

import numpy as np
import pandas as pd

from lib.core import clock
from lib.core.formatting import Quantity
from lib.importing import values as v
from lib.importing.columns import (
    ColumnResult,
    is_number_dtype,
    parse_datetime_column,
    parse_generic_column,
    parse_numeric_column,
)
from lib.importing.lengths import text_limit
from lib.importing.profiles import FIELDS, PLATFORM_NAMES, normalise_header

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
    | {"product_id", "source"}  # `3712052\u200b` and `３７１２０５２` are product 3712052
)


_SCALE_UNITS = {"万": 10_000, "万元": 10_000, "w": 10_000, "千": 1_000, "千元": 1_000, "亿": 1e8, "亿元": 1e8}


def _scale(values: list[Any], unit: str | None, as_int: bool) -> list[Any]:
    factor = _SCALE_UNITS.get(unit or "")
    if not factor:
        return values
    return [
        None if x is None else (int(round(x * factor)) if as_int else round(x * factor, 2)) for x in values
    ]


def _text(series: pd.Series, name_like: bool = False) -> ColumnResult:
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


def _map_values(series: pd.Series, table: dict[str, Any], code: str) -> ColumnResult:
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


def _duration(series: pd.Series, unit: str | None, default: str) -> ColumnResult:
    unit_code = {"分钟": "min", "分": "min", "min": "min", "秒": "s", "s": "s", "小时": "h", "h": "h"}.get(
        unit or "", default
    )
    seconds, errors = parse_numeric_column(series, lambda x: v.parse_duration_seconds(x, unit_code), "float")
    factor = {"s": 1, "min": 60, "h": 3600}[unit_code]
    # the vectorised path read bare numbers in the header's unit; the scalar path already gave seconds
    numeric_fast = _numeric_mask(series)
    out = [None if s is None else (s * factor if numeric_fast[i] else s) for i, s in enumerate(seconds)]
    return out, errors


def _numeric_mask(series: pd.Series) -> np.ndarray:
    if is_number_dtype(series):
        return series.notna().to_numpy()
    cleaned = series.astype("str").str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(cleaned, errors="coerce").notna().to_numpy()


def parse_field(kind: str, name: str, series: pd.Series, unit: str | None) -> ColumnResult:
    """Canonical values of one column and its errors: {position: code or (code, params)}."""
    out, errors = _parse_values(kind, name, series, unit)
    ftype = FIELDS[kind][name]
    if (limit := text_limit(kind, name)) is not None:
        _check_length(out, errors, limit)
    if ftype in TYPE_RANGES:
        lo, hi, shown = TYPE_RANGES[ftype]
        if name in BIG_COUNTS:
            hi = MAX_BIG_COUNT
        numbers = np.array([np.nan if x is None else x for x in out], dtype="float64")  # NaN: never outside
        with np.errstate(invalid="ignore"):
            outside = np.flatnonzero((numbers < lo) | (numbers > hi))
        _check_range(out, errors, lo, hi, lambda x: Quantity(x, shown), positions=outside.tolist())
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


def _check_length(out: list[Any], errors: dict[int, Any], limit: int) -> None:
    """Refuse a text longer than its column holds (counted after normalising, as it would be stored)."""
    for i, x in enumerate(out):
        if isinstance(x, str) and len(x) > limit and i not in errors:
            errors[i] = ("too_long", {"max": limit, "length": len(x)})
            out[i] = None


@functools.lru_cache(maxsize=4096)
def _clock_text(text: str) -> Any:
    return v.parse_clock(text)


def _clock(value: Any) -> Any:
    """A trend file's times: the same few hundred `HH:MM` texts in every file, parsed once each."""
    return _clock_text(value) if isinstance(value, str) else v.parse_clock(value)


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


def _parse_values(kind: str, name: str, series: pd.Series, unit: str | None) -> ColumnResult:
    ftype = FIELDS[kind][name]
    if ftype == "text":
        return _text(series, name_like=name in NAME_FIELDS)
    if ftype == "datetime":
        return parse_datetime_column(series)
    if ftype == "date":
        return parse_generic_column(series, v.parse_date)
    if ftype == "month":
        return parse_generic_column(series, v.parse_month)
    if ftype in ("count", "count_round"):
        out, errors = parse_numeric_column(series, v.parse_count, "count" if ftype == "count" else "float")
        if ftype == "count_round":
            out = [None if x is None else int(round(x)) for x in out]
        return _scale(out, unit, as_int=True), errors
    if ftype == "money":
        out, errors = parse_numeric_column(series, v.parse_money, "money")
        return _scale(out, unit, as_int=False), errors
    if ftype == "ratio":
        pct = unit in ("%", "％")
        return parse_generic_column(series, lambda x: v.parse_ratio(x, percent_unit=pct))
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
        return parse_generic_column(series, _phone)
    if ftype == "clock":
        return parse_generic_column(series, _clock)
    if ftype == "metric_value":
        return _text(series, name_like=True)
    raise ValueError(f"unknown field type {ftype}")
