"""Every month / week / quarter helper in one place (months as "YYYY-MM", weeks start on Monday).

"Today" itself comes from lib.core.clock; these helpers take the day they work on."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

MONTH_FORMAT = "%Y-%m"


def month_of(day: dt.date) -> str:
    """YYYY-MM of a day."""
    return day.strftime(MONTH_FORMAT)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a YYYY-MM month (the caller validates the text)."""
    start = dt.date.fromisoformat(month + "-01")
    return start, month_end(start)


def shift_month_key(month: str, months: int) -> str:
    """YYYY-MM `months` months later (earlier when negative)."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift_day_by_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` months later, clipped to the end of a shorter month (Mar 31 - 1 -> Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_back_start(today: dt.date, months: int) -> dt.date:
    """The first day of the month `months - 1` months before today's (months=1: this month's 1st)."""
    return shift_day_by_months(month_start(today), -(months - 1))


def month_keys(start: dt.date, end: dt.date) -> list[str]:
    """Every YYYY-MM from start's month to end's month, inclusive."""
    return list(_iter_months(start, end))


def _iter_months(start: dt.date, end: dt.date) -> Iterator[str]:
    day = month_start(start)
    while day <= end:
        yield month_of(day)
        day = shift_day_by_months(day, 1)


def months_span(date_from: dt.date, date_to: dt.date) -> float:
    """How many months a date range covers, counting part months by their days (a full month = 1)."""
    total, day = 0.0, date_from
    while day <= date_to:
        last = min(month_end(day), date_to)
        total += ((last - day).days + 1) / calendar.monthrange(day.year, day.month)[1]
        day = last + dt.timedelta(days=1)
    return total


def week_start(day: dt.date) -> dt.date:
    """The Monday of a day's week."""
    return day - dt.timedelta(days=day.weekday())


def quarter_of(month: str) -> str:
    """YYYY-Qn of a YYYY-MM month."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def quarter_month_keys(year: int, quarter: int) -> tuple[str, str, str]:
    first = 3 * (quarter - 1)
    return (f"{year:04d}-{first + 1:02d}", f"{year:04d}-{first + 2:02d}", f"{year:04d}-{first + 3:02d}")
