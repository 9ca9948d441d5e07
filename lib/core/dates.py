"""Every month / week / quarter helper in one place (months as "YYYY-MM", weeks start on Monday).

"Today" itself comes from lib.core.clock; these helpers take the day they work on."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

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
    return (month_of(day) for day in month_starts(start, end))


def month_starts(first: dt.date | None, last: dt.date | None) -> Iterator[dt.date]:
    """The first day of every month from first's month to last's, inclusive (none when either is None)."""
    if first is None or last is None:
        return
    day = month_start(first)
    while day <= last:
        yield day
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


def quarter_start(day: dt.date) -> dt.date:
    """The first day of a day's quarter."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# --- spans: what a period counts and what it is compared with ------------------------------------------

DAY_END = dt.time(23, 59, 59)  # a whole day ends at its last second (spans are inclusive)
COMPARE_KINDS = ("day", "week", "month", "quarter", "days", "other")


def day_end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, DAY_END)


@dataclass(frozen=True)
class Span:
    """Sessions that started from `start` through `end`, both inclusive (team wall-clock time, naive); a
    session counts by its start."""

    start: dt.datetime
    end: dt.datetime

    @property
    def first_day(self) -> dt.date:
        return self.start.date()

    @property
    def last_day(self) -> dt.date:
        return self.end.date()

    @property
    def whole_days(self) -> bool:
        """Whole days from the first day's 00:00 through the last day's 23:59:59."""
        return self.start.time() == dt.time() and self.end.time() == DAY_END

    @property
    def until(self) -> dt.datetime | None:
        """The moment the last day is cut at (a to-date span), None for whole days."""
        return None if self.end.time() == DAY_END else self.end


def period_span(first: dt.date, last: dt.date, moment: dt.datetime) -> Span:
    """What a period counts: whole days, except that a period ending on the moment's day is "to date" and
    runs to the moment's minute (12-01 00:00 – 12-07 08:30 at 08:30:41; sessions started at 08:30:00 or
    before). The minute keeps the figures (and their cache) the same for a minute."""
    start = dt.datetime.combine(first, dt.time())
    if last == moment.date():
        return Span(start, moment.replace(second=0, microsecond=0))
    return Span(start, day_end(last))


def _months_earlier(moment: dt.datetime, months: int) -> tuple[dt.datetime, bool]:
    """The same day number and time `months` months earlier; (that month's end, True) when it has no such
    day."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    if moment.day > last:
        return day_end(dt.date(year, month + 1, last)), True
    return moment.replace(year=year, month=month + 1), False


def comparison_span(span: Span, kind: str) -> Span:
    """The earlier span a period is compared with: the same elapsed part of the period before.

    - "day" and "week": the same days and hours 7 days earlier (yesterday against the same weekday last
      week; this week to date against last week through the same weekday and time).
    - "days" (a rolling window, the last 90 days): the same number of days just before, cut alike.
    - "month" (n = 1), "quarter" (n = 3) and "other" (any other range, e.g. a custom one: n = 1): both
      ends moved n months back, to the same day number and time of day. The month-end rule: when that month has no such day
      (the 29th-31st against a shorter month), the end moves to the END of that month's last day; and a
      span that ends at the end of a month's last day ends at the end of the earlier month's last day. So
      03-31 08:30 compares with the whole of February (02-01 00:00 – 02-28/29 23:59:59), 03-28 08:30 with
      02-01 00:00 – 02-28 08:30, 12-31 23:00 with the whole of November, and a whole month with the whole
      month before: the earlier span never leaves the earlier period and never runs past its end.
    Both spans are cut alike: whole days against whole days, a to-date span at the same time of day.
    """
    if kind not in COMPARE_KINDS:
        raise ValueError(f"unknown comparison kind {kind!r}; one of {', '.join(COMPARE_KINDS)}")
    if kind in ("day", "week", "days"):
        back = dt.timedelta(days=7 if kind != "days" else (span.last_day - span.first_day).days + 1)
        return Span(span.start - back, span.end - back)
    months = 3 if kind == "quarter" else 1
    start, _ = _months_earlier(span.start, months)
    end, clamped = _months_earlier(span.end, months)
    if not clamped and span.end == day_end(month_end(span.last_day)):
        end = day_end(month_end(end.date()))  # a whole month's end: the whole earlier month
    if start.time() != dt.time():  # a start clamped into a shorter month: from that month's last day on
        start = dt.datetime.combine(start.date(), dt.time())
    return Span(start, end)
