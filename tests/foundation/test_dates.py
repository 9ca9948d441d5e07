"""The month/week/quarter helpers at the edges: month ends, leap years, year turns."""

import datetime as dt

import pytest

from lib.core import dates

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2027, 3, 31), -1, D(2027, 2, 28)),
        (D(2028, 3, 31), -1, D(2028, 2, 29)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2027, 1, 31), -13, D(2025, 12, 31)),
    ],
)
def test_shift_day_by_months(day, months, expected):
    assert dates.shift_day_by_months(day, months) == expected


def test_month_helpers():
    assert dates.month_bounds("2028-02") == (D(2028, 2, 1), D(2028, 2, 29))
    assert dates.shift_month_key("2026-12", 1) == "2027-01"
    assert dates.shift_month_key("2027-01", -1) == "2026-12"
    assert dates.month_keys(D(2026, 11, 20), D(2027, 1, 2)) == ["2026-11", "2026-12", "2027-01"]
    assert dates.months_back_start(D(2026, 12, 1), 6) == D(2026, 7, 1)
    assert dates.months_span(D(2026, 11, 1), D(2026, 11, 30)) == 1
    assert dates.months_span(D(2026, 11, 16), D(2026, 12, 31)) == pytest.approx(1.5)
    assert dates.week_start(D(2026, 12, 6)) == D(2026, 11, 30)
    assert dates.quarter_of("2026-12") == "2026-Q4"
    assert dates.quarter_month_keys(2027, 1) == ("2027-01", "2027-02", "2027-03")
