"""Parsing of values as the platforms export them: `1.2万`, `3.5w`, `12.34%`, `¥3,456.00`, `2小时13分`,
`01:45:12`, `2026/11/02 20:00:00`, Excel serial dates, and `-` / `--` / empty for "none".

Scalar parsers raise `ValueParseError(code)` on a value that does not parse. Column parsers are in `columns`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

# "nan" is not here: a NaN in an export is a broken number, refused like `inf` (never silently empty)
NONE_TOKENS = frozenset({"", "-", "--", "---", "—", "——", "－", "n/a", "na", "null", "none", "/"})
NOT_FINITE_TOKENS = frozenset({"nan", "inf", "infinity"})
# Beyond this a float no longer holds every whole number (2**53): no count or amount comes near it
MAX_ABS_NUMBER = 1e15
# text fields: an empty "nan" cell (pandas' way of writing nothing) is still no value
TEXT_NONE_TOKENS = NONE_TOKENS | {"nan"}
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Invisible characters (format + control: zero-width spaces and joiners, bidi overrides, BOM, tags):
# `林\u200b晓雨` must be the same host as `林晓雨`, and no name may reorder text on screen
_INVISIBLE = "".join(
    ch
    for ch in map(chr, [*range(0x10000), *range(0xE0000, 0xE0080)])
    if unicodedata.category(ch) in ("Cf", "Cc")
)
INVISIBLE_RE = re.compile("[" + re.escape(_INVISIBLE) + "]")
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
BIDI_RE = re.compile("[" + _BIDI + "]")
# Excel serial numbers in this range are 1954..2173: anything else in a date column is not a date.
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 20_000, 100_000

_MULTIPLIERS = {
    "万": 10_000,
    "w": 10_000,
    "W": 10_000,
    "亿": 100_000_000,
    "千": 1_000,
    "k": 1_000,
    "K": 1_000,
}
_CURRENCY = re.compile(r"^[¥￥$]|元$|^RMB|^CNY", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(小时|小時|时|時|h|hr|hrs|hour|hours|分钟|分鐘|分|min|mins|m|秒钟|秒|s|sec|secs)",
    re.IGNORECASE,
)
_UNIT_SECONDS = {
    "小时": 3600,
    "小時": 3600,
    "时": 3600,
    "時": 3600,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "分钟": 60,
    "分鐘": 60,
    "分": 60,
    "min": 60,
    "mins": 60,
    "m": 60,
    "秒钟": 1,
    "秒": 1,
    "s": 1,
    "sec": 1,
    "secs": 1,
}
DATETIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M:%S",
    "%Y年%m月%d日%H:%M",
    "%Y%m%d %H:%M:%S",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%Y年%m月%d日",
    "%Y.%m.%d",
)


class ValueParseError(ValueError):
    """A value that does not parse; `code` is the i18n key under importing.error."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def is_none(value: Any) -> bool:
    """True for the ways exports say "no value": None, NaN, empty, `-`, `--`, `N/A`..."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NaT:
        return True
    if isinstance(value, str):
        return value.strip().lower() in NONE_TOKENS
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _clean_text(value: str) -> str:
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace("\u3000", "")
    return text.replace("，", ",").replace("．", ".").replace("＋", "+").replace("－", "-")


def parse_number(value: Any) -> float | None:
    """`1.2万` -> 12000, `3.5w` -> 35000, `84,600.73` -> 84600.73, `¥3,456.00` -> 3456.0; None for none."""
    if is_none(value):
        return None
    if isinstance(value, bool):
        raise ValueParseError("bad_number")
    if isinstance(value, int | float | np.integer | np.floating):
        return _finite(float(value))
    if not isinstance(value, str):
        raise ValueParseError("bad_number")
    if _clean_text(value).lower().lstrip("+-") in NOT_FINITE_TOKENS:
        raise ValueParseError("not_finite")
    text = _CURRENCY.sub("", _clean_text(value)).replace(",", "")
    text = _CURRENCY.sub("", text)
    multiplier = 1.0
    if text and text[-1] in _MULTIPLIERS:
        multiplier = _MULTIPLIERS[text[-1]]
        text = text[:-1]
        if text.endswith("元"):
            text = text[:-1]
    if not _NUMBER.match(text):
        raise ValueParseError("bad_number")
    return _finite(float(text) * multiplier)


def _finite(number: float) -> float:
    """NaN and infinities are refused, so is anything too large to be a real count or amount."""
    if not math.isfinite(number):
        raise ValueParseError("not_finite")
    if abs(number) > MAX_ABS_NUMBER:
        raise ValueParseError("too_large")
    return number


def parse_count(value: Any) -> int | None:
    """A count of people/events: a whole, non-negative number (`1.2万` -> 12000)."""
    number = parse_number(value)
    if number is None:
        return None
    if number < 0:
        raise ValueParseError("negative")
    rounded = round(number)
    if abs(number - rounded) > 1e-6 and number < 10_000:
        raise ValueParseError("not_whole")
    return int(rounded)


def parse_money(value: Any) -> float | None:
    """Yuan, to the cent: `¥3,456.00`, `84,600.73`, `1.2万`."""
    number = parse_number(value)
    if number is None:
        return None
    if number < 0:
        raise ValueParseError("negative")
    return round(number, 2)


def parse_ratio(value: Any, percent_unit: bool = False) -> float | None:
    """A rate as a fraction: `12.34%` -> 0.1234, `0.0344` stays; with `percent_unit` (header says %)
    a bare `12.34` is read as percent too."""
    if is_none(value):
        return None
    if isinstance(value, str):
        text = _clean_text(value)
        if text.endswith(("%", "％")):
            try:
                number = parse_number(text[:-1])
            except ValueParseError:
                raise ValueParseError("bad_percent") from None
            if number is None:
                raise ValueParseError("bad_percent")
            return _non_negative(number / 100.0)
        try:
            number = parse_number(text)
        except ValueParseError:
            raise ValueParseError("bad_percent") from None
    else:
        try:
            number = parse_number(value)
        except ValueParseError:
            raise ValueParseError("bad_percent") from None
    if number is None:
        return None
    return _non_negative(number / 100.0 if percent_unit else number)


def _non_negative(number: float) -> float:
    if number < 0:
        raise ValueParseError("negative")
    return number


def parse_duration_seconds(value: Any, default_unit: str = "s") -> float | None:
    """Seconds from `2小时13分`, `1分35秒`, `01:45:12`, `1:35`, `3.5h`, or a bare number in `default_unit`
    (s / min / h). `hh:mm:ss`; two parts are `mm:ss` for seconds-scale fields, `hh:mm` otherwise."""
    if is_none(value):
        return None
    unit_seconds = {"s": 1, "min": 60, "h": 3600}[default_unit]
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return _non_negative(_finite(float(value)) * unit_seconds)
    if not isinstance(value, str):
        raise ValueParseError("bad_duration")
    if _clean_text(value).lower().lstrip("+-") in NOT_FINITE_TOKENS:
        raise ValueParseError("not_finite")
    text = _clean_text(value).lower()
    if ":" in text or "：" in text:
        parts = text.replace("：", ":").split(":")
        if not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts) or len(parts) not in (2, 3):
            raise ValueParseError("bad_duration")
        nums = [_finite(float(p)) for p in parts]
        if len(parts) == 3:
            h, m, s = nums
        elif default_unit == "s":
            h, m, s = 0.0, nums[0], nums[1]
        else:
            h, m, s = nums[0], nums[1], 0.0
        if m >= 60 or s >= 60:
            raise ValueParseError("bad_duration")
        return h * 3600 + m * 60 + s
    if _NUMBER.match(text):
        return _non_negative(_finite(float(text)) * unit_seconds)
    pos, total, found = 0, 0.0, False
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            raise ValueParseError("bad_duration")
        total += _finite(float(match.group(1))) * _UNIT_SECONDS[match.group(2).lower()]
        pos, found = match.end(), True
    if not found or pos != len(text):
        raise ValueParseError("bad_duration")
    return total


def parse_datetime(value: Any) -> dt.datetime | None:
    """A naive datetime to the second from text, a datetime, or an Excel serial number."""
    if is_none(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(microsecond=0, tzinfo=None)
    if isinstance(value, dt.datetime):
        return round_second(value.replace(tzinfo=None))
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return excel_serial(float(value))
    if not isinstance(value, str):
        raise ValueParseError("bad_datetime")
    text = re.sub(r"\s+", " ", value.strip())
    for fmt in DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    if _NUMBER.match(text):
        return excel_serial(float(text))
    raise ValueParseError("bad_datetime")


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_clock(value: Any) -> dt.datetime | dt.time | None:
    """A trend file's 时间: a clock time `HH:MM[:SS]` (the caller places it on the session's days) or a
    full date-time."""
    if is_none(value):
        return None
    if isinstance(value, dt.time):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, str) and (match := _CLOCK.match(value.strip())):
        hour, minute, second = (int(g) if g else 0 for g in match.groups())
        if hour > 23 or minute > 59 or second > 59:
            raise ValueParseError("bad_time")
        return dt.time(hour, minute, second)
    try:
        return parse_datetime(value)
    except ValueParseError:
        raise ValueParseError("bad_time") from None


def round_second(value: dt.datetime) -> dt.datetime:
    if value.microsecond >= 500_000:
        value += dt.timedelta(seconds=1)
    return value.replace(microsecond=0)


def excel_serial(number: float) -> dt.datetime:
    """Excel's day number (1900 system, as every modern export writes) to a datetime, to the second."""
    if not math.isfinite(number) or not EXCEL_SERIAL_MIN <= number <= EXCEL_SERIAL_MAX:
        raise ValueParseError("bad_datetime")
    return round_second(EXCEL_EPOCH + dt.timedelta(days=number))


def parse_date(value: Any) -> dt.date | None:
    parsed = parse_datetime(value)
    return None if parsed is None else parsed.date()


def parse_month(value: Any) -> str | None:
    """`2026-10`, `2026/10`, `2026年10月`, `202610`, or a date -> 'YYYY-MM'."""
    if is_none(value):
        return None
    if isinstance(value, dt.date | pd.Timestamp):
        return f"{value.year:04d}-{value.month:02d}"
    text = _clean_text(str(value))
    match = re.fullmatch(r"(\d{4})[-/.年]?(\d{1,2})月?(?:[-/.]\d{1,2}日?)?", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueParseError("bad_month")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def normalise_name(text: str) -> str:
    """A name or key as the importer compares it: NFKC (full-width -> ASCII...), no invisible or bidi
    control characters, no surrounding spaces."""
    return INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", text)).strip()


def strip_bidi(text: str) -> str:
    """Free text keeps its characters, but never a bidi override that reorders what follows it."""
    return BIDI_RE.sub("", text).strip()


def parse_text(value: Any) -> str | None:
    if is_none(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
