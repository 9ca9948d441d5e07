"""CSV and XLSX downloads, safe to open in Excel and typed by unit.

Text cells that start like a formula are neutralised, and no text ever becomes a formula or a hyperlink.
Numbers keep their type: a column's unit (the metric catalogue's `Metric.unit`, or "int" for ids and
ranks) gives its XLSX number format and its rounding; counts are integers, missing values are empty.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import math
import re
from collections.abc import Mapping
from typing import Any, TypeGuard

import numpy as np
import pandas as pd
import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

# XLSX number format per unit; durations keep their unit's number and show the unit in the cell.
UNIT_FORMATS = {
    "cny": "¥#,##0.00",
    "pct": "0.00%",
    "people": "#,##0",
    "count": "#,##0",
    "int": "0",  # ids, ranks: no thousands separator
    "s": '#,##0" s"',
    "min": '#,##0.00" min"',
    "h": '#,##0.00" h"',
    "score": "0.00",
    "per10": "0.00",
}
INTEGER_UNITS = frozenset({"people", "count", "int"})
# Decimals kept per unit (CSV and XLSX hold the same value); money to the cent.
Number = int | float | decimal.Decimal | np.integer[Any] | np.floating[Any]  # a number cell (not bool)
DECIMALS = {"cny": 2, "pct": 6, "s": 1, "min": 2, "h": 4, "score": 4, "per10": 4}
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# XlsxWriter would otherwise turn "http://...", "mailto:..." and "external:c:\\..." into links and
# "=..." into formulas; every string is written as a string.
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_urls": False,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: object) -> object:
    """Prefix a quote to text that Excel would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def is_missing(value: object) -> bool:
    """None, NaN, NA, NaT and infinities are "no value" (an empty cell, never "nan" or "None")."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return not math.isfinite(value)
    return False


def _number(value: Number, unit: str | None) -> int | float:
    """`value` rounded as its unit keeps it: integers for counts, cents for money."""
    if unit in INTEGER_UNITS:
        return int(round(float(value)))
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return int(value)
    number = float(value)
    return round(number, DECIMALS[unit]) if unit in DECIMALS else number


def _is_number(value: object) -> TypeGuard[Number]:
    return isinstance(value, int | float | decimal.Decimal | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _whole(column: pd.Series) -> bool:
    """A float column holding only whole numbers (counts that became floats through a missing value)."""
    values = pd.to_numeric(column, errors="coerce").replace([np.inf, -np.inf], np.nan).dropna()
    return bool(len(values)) and bool((values == values.round()).all()) and bool((values.abs() < 2**53).all())


def column_unit(column: pd.Series, unit: str | None) -> str | None:
    """The unit a column is written with: the given one, else "int" for integer columns."""
    if unit is not None:
        if unit not in UNIT_FORMATS:
            raise ValueError(f"unknown export unit {unit!r}")
        return unit
    if pd.api.types.is_bool_dtype(column):
        return None
    if pd.api.types.is_integer_dtype(column):
        return "int"
    if pd.api.types.is_float_dtype(column) and _whole(column):
        return "int"
    return None


def _csv_column(column: pd.Series, unit: str | None) -> pd.Series:
    if unit is None and isinstance(column.dtype, pd.DatetimeTZDtype):
        stamps: pd.Series[pd.Timestamp] = column
        return stamps.dt.tz_localize(None)  # the wall time of its zone (the team's), as in the XLSX
    if unit is None and (pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_bool_dtype(column)):
        return column
    if unit in INTEGER_UNITS:
        numbers = pd.to_numeric(column, errors="coerce").replace([np.inf, -np.inf], np.nan).round()
        if (numbers.dropna().abs() < 2**62).all():
            return numbers.astype("Int64")
        return numbers.map(lambda v: "" if is_missing(v) else str(int(v))).astype(object)
    if unit is not None:
        return column.map(lambda v: "" if is_missing(v) else _csv_number(v, unit)).astype(object)
    return column.map(lambda v: "" if is_missing(v) else neutralise(v)).astype(object)


def _csv_number(value: object, unit: str) -> object:
    if not _is_number(value):
        return neutralise(str(value))
    number = _number(value, unit)
    return f"{number:.2f}" if unit == "cny" else repr(number)


def safe_frame(frame: pd.DataFrame, units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy as the CSV holds it: text neutralised, integers as integers, numbers rounded by unit."""
    units = units or {}
    columns = []
    for i, title in enumerate(frame.columns):
        column = frame.iloc[:, i]
        columns.append(_csv_column(column, column_unit(column, units.get(str(title)))))
    out = pd.concat(columns, axis=1, ignore_index=True) if columns else pd.DataFrame(index=frame.index)
    out.columns = [neutralise(str(c)) for c in frame.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame, units: Mapping[str, str] | None = None) -> bytes:
    """UTF-8 with BOM so Excel on Chinese Windows opens it correctly; `units` by column name."""
    return safe_frame(frame, units).to_csv(index=False, na_rep="").encode("utf-8-sig")


def _sheet_name(name: object, used: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, none of []:*?/\\)."""
    base = SHEET_NAME_BAD.sub("_", str(name)).strip("'")[:31] or "Sheet"
    candidate, n = base, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{base[: 31 - len(str(n)) - 1]}_{n}"
    used.add(candidate.lower())
    return candidate


def _write_cell(
    sheet: Any, row: int, col: int, value: object, unit: str | None, fmt: dict[str | None, Any]
) -> None:
    if is_missing(value):
        return
    if isinstance(value, bool | np.bool_):
        sheet.write_boolean(row, col, bool(value))
    elif _is_number(value):
        sheet.write_number(row, col, _number(value, unit), fmt.get(unit))
    elif isinstance(value, dt.datetime):  # pandas Timestamp included
        stamp = pd.Timestamp(value)
        if stamp.tz is not None:  # the wall time of its zone (the team's)
            stamp = stamp.tz_localize(None)
        sheet.write_datetime(row, col, stamp.to_pydatetime(), fmt["datetime"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt["date"])
    else:
        sheet.write_string(row, col, str(neutralise(value if isinstance(value, str) else str(value))))


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame], units: Mapping[str, str] | None = None) -> bytes:
    """One sheet per entry; `units` by column name (any sheet) gives number formats. Strings stay strings."""
    units = units or {}
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, WORKBOOK_OPTIONS)
    fmt: dict[str | None, Any] = {
        unit: book.add_format({"num_format": f}) for unit, f in UNIT_FORMATS.items()
    }
    fmt["date"] = book.add_format({"num_format": DATE_FORMAT})
    fmt["datetime"] = book.add_format({"num_format": DATETIME_FORMAT})
    header = book.add_format({"bold": True})
    used: set[str] = set()
    for name, frame in sheets.items():
        sheet = book.add_worksheet(_sheet_name(name, used))
        for col, title in enumerate(frame.columns):
            column = frame.iloc[:, col]
            unit = column_unit(column, units.get(str(title)))
            sheet.write_string(0, col, str(neutralise(str(title))), header)
            for row, value in enumerate(column.tolist(), start=1):
                _write_cell(sheet, row, col, value, unit, fmt)
            sheet.set_column(col, col, min(max(10, len(str(title)) * 2), 40))
        sheet.freeze_panes(1, 0)
    if not used:
        book.add_worksheet("Sheet1")
    book.close()
    return buf.getvalue()
