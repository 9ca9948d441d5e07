"""The incident report's period from a link (the home page's), and the default when the link is bad."""

from __future__ import annotations

import datetime as dt

import pytest

from lib import incidents as inc

TODAY = dt.date(2026, 11, 24)
DEFAULT = (dt.date(2026, 10, 26), TODAY)  # the last 30 days, today included


@pytest.mark.parametrize(
    ("params", "period"),
    [
        ({}, DEFAULT),
        ({"from": "2026-11-01", "to": "2026-11-10"}, (dt.date(2026, 11, 1), dt.date(2026, 11, 10))),
        ({"from": "2026-11-10", "to": "2026-11-01"}, DEFAULT),  # reversed
        ({"from": "2026-11-01"}, DEFAULT),  # one end only
        ({"from": "0001-01-01", "to": "2026-11-01"}, DEFAULT),  # beyond the business dates
        ({"from": "<b>", "to": "x"}, DEFAULT),
    ],
)
def test_linked_period(params, period):
    assert inc.report_period(TODAY) == DEFAULT
    assert inc.linked_period(params, TODAY) == period


def test_period_link_reads_back():
    start, end = dt.date(2026, 11, 3), dt.date(2026, 11, 9)
    assert inc.linked_period(inc.period_link(start, end), TODAY) == (start, end)
