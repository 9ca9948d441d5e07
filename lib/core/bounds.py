"""Limits on ids, dates and months that users type (URL parameters, CLI arguments).

A value outside them is refused with a message before it can overflow a database column (an id beyond
INTEGER) or a date computation (9999-12-31 plus a day, the month before 0001-01). The argparse types give
the CLI one-line English messages; pages use the parse functions and say it in the user's language.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Callable

MAX_ID = 2**31 - 1  # INTEGER primary keys on PostgreSQL and MariaDB
# Business dates: wide enough for any real history or plan, far from the ends of datetime.date.
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2099, 12, 31)
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ID_RE = re.compile(r"^[0-9]{1,10}$")


def parse_id(raw: str | None) -> int | None:
    """A row id (1..MAX_ID, ASCII digits) from text, else None."""
    if raw is None or not ID_RE.match(raw.strip()):
        return None
    value = int(raw.strip())
    return value if 1 <= value <= MAX_ID else None


def date_in_range(day: dt.date) -> bool:
    return MIN_DATE <= day <= MAX_DATE


def parse_date(raw: str | None) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) within MIN_DATE..MAX_DATE from text, else None."""
    try:
        day = dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return day if date_in_range(day) else None


def month_ok(raw: str | None) -> bool:
    """True for a month YYYY-MM within MIN_DATE..MAX_DATE."""
    match = MONTH_RE.match(raw or "")
    return match is not None and MIN_DATE.year <= int(match.group(1)) <= MAX_DATE.year


def date_arg(value: str) -> dt.date:
    """argparse type: a date YYYY-MM-DD within the business range."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value[:40]!r}") from None
    if not date_in_range(day):
        raise argparse.ArgumentTypeError(f"{value} is outside {MIN_DATE}..{MAX_DATE}")
    return day


def month_arg(value: str) -> str:
    """argparse type: a month YYYY-MM within the business range."""
    if not MONTH_RE.match(value):
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {value[:40]!r}")
    if not month_ok(value):
        raise argparse.ArgumentTypeError(f"{value} is outside {MIN_DATE:%Y-%m}..{MAX_DATE:%Y-%m}")
    return value


def int_arg(low: int, high: int, what: str = "a number") -> Callable[[str], int]:
    """argparse type: an integer within low..high (said in the message, not a list of choices)."""

    def parse(value: str) -> int:
        text = value.strip()
        if not re.match(r"^-?[0-9]{1,20}$", text) or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"not {what} in {low}..{high}: {value[:40]!r}")
        return int(text)

    return parse


id_arg = int_arg(1, MAX_ID, "an id")
