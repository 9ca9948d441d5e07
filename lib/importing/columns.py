"""Parsing whole columns (pandas Series) of export values: a vectorised fast path for clean columns, the
scalar parsers of `values` for the rest; each returns (values, {position: error code})."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from lib.importing.values import (
    DATETIME_FORMATS,
    MAX_ABS_NUMBER,
    NONE_TOKENS,
    ValueParseError,
    parse_datetime,
    round_second,
)

# (values, {position: error code, or (code, message parameters)})
ColumnResult = tuple[list[Any], dict[int, Any]]


def _scalar_loop(
    values: list[Any],
    parser: Callable[[Any], Any],
    out: list[Any],
    errors: dict[int, str],
    idx: Iterable[int],
) -> None:
    for i in idx:
        try:
            out[i] = parser(values[i])
        except ValueParseError as exc:
            errors[i] = exc.code


def is_number_dtype(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _none_mask(series: pd.Series) -> np.ndarray:
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iu":  # numpy integers have no NA
        return np.zeros(len(series), dtype=bool)
    if series.dtype == "object" or pd.api.types.is_string_dtype(series):
        return in_lowered(series, NONE_TOKENS) | series.isna().to_numpy()
    return series.isna().to_numpy()


def in_lowered(series: pd.Series, tokens: frozenset[str]) -> np.ndarray:
    """Cells whose text, stripped and lower-cased, is one of `tokens` (a Python loop: pandas' string
    methods cost ~1 ms a call on a 240-row trend file; this is ~50 µs)."""
    return np.fromiter(
        (x is not None and str(x).strip().lower() in tokens for x in series.tolist()), bool, len(series)
    )


def parse_numeric_column(series: pd.Series, scalar: Callable[[Any], Any], kind: str) -> ColumnResult:
    """Vectorised numbers: plain digits (with thousands separators) at C speed, the rest through `scalar`.
    `kind` is count / money / float; counts must be whole and non-negative, money non-negative."""
    n = len(series)
    values = series.tolist()
    none = _none_mask(series)
    if is_number_dtype(series):  # numpy directly: pandas' per-call overhead dominates a small file
        num = series.to_numpy(dtype="float64", na_value=np.nan)
    else:
        cleaned = series.astype("str").str.replace(",", "", regex=False).str.strip()
        numeric = pd.to_numeric(cleaned.where(~none, None), errors="coerce")
        num = numeric.to_numpy(dtype="float64", na_value=np.nan)
    # NaN, infinities and absurd magnitudes take the scalar path, which names what is wrong
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(num) & (np.abs(num) <= MAX_ABS_NUMBER) & ~none
    out: list[Any] = [None] * n
    errors: dict[int, str] = {}
    if kind == "count":
        bad_neg = ok & (num < 0)
        rounded = np.round(num)
        with np.errstate(invalid="ignore"):  # inf - inf: those values are not `ok` anyway
            bad_whole = ok & (np.abs(num - rounded) > 1e-6)
        good = ok & ~bad_neg & ~bad_whole
        for i in np.flatnonzero(bad_neg):
            errors[int(i)] = "negative"
        for i in np.flatnonzero(bad_whole & ~bad_neg):
            errors[int(i)] = "not_whole"
        out = np.where(good, rounded, 0).astype("int64").tolist()
        for i in np.flatnonzero(~good):
            out[i] = None
    else:
        bad_neg = ok & (num < 0)
        good = ok & ~bad_neg
        for i in np.flatnonzero(bad_neg):
            errors[int(i)] = "negative"
        vals = np.round(num, 2) if kind == "money" else num
        out = vals.tolist()
        for i in np.flatnonzero(~good):
            out[i] = None
    rest = np.flatnonzero(~ok & ~none)
    _scalar_loop(values, scalar, out, errors, rest)
    return out, errors


def parse_datetime_column(series: pd.Series) -> ColumnResult:
    """Datetimes: one vectorised format guess for the column, per-value parsing for what it misses."""
    n = len(series)
    values = series.tolist()
    none = _none_mask(series)
    out: list[Any] = [None] * n
    errors: dict[int, str] = {}
    remaining = np.flatnonzero(~none)
    if pd.api.types.is_datetime64_any_dtype(series):
        for i in remaining:
            out[i] = round_second(series.iloc[i].to_pydatetime())
        return out, errors
    if remaining.size and (pd.api.types.is_string_dtype(series) or series.dtype == "object"):
        first = values[remaining[0]]
        if isinstance(first, str):
            text = series.astype("str").str.strip()
            for fmt in DATETIME_FORMATS:
                try:
                    dt.datetime.strptime(first.strip(), fmt)
                except ValueError:
                    continue
                parsed = pd.to_datetime(text.where(~none, None), format=fmt, errors="coerce")
                hit = parsed.notna().to_numpy() & ~none
                py = parsed.dt.to_pydatetime() if hasattr(parsed.dt, "to_pydatetime") else parsed
                arr = np.asarray(py, dtype=object)
                for i in np.flatnonzero(hit):
                    out[i] = arr[i]
                remaining = np.flatnonzero(~hit & ~none)
                break
    _scalar_loop(values, parse_datetime, out, errors, remaining)
    return out, errors


def parse_generic_column(series: pd.Series, scalar: Callable[[Any], Any]) -> ColumnResult:
    values = series.tolist()
    none = _none_mask(series)
    out: list[Any] = [None] * len(values)
    errors: dict[int, str] = {}
    _scalar_loop(values, scalar, out, errors, np.flatnonzero(~none))
    return out, errors
