"""Metric formulas from the catalogue: tables of inputs -> expected, including no data and zero viewers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.core.metrics import METRICS, SESSION_METRICS, WEIGHTED_COLUMNS, metric_column, metrics_from_rows

A = {
    "gmv": 1000.0,
    "viewers": 100,
    "views": 250,
    "buyers": 5,
    "orders": 6,
    "avg_watch_seconds": 60.0,
    "comments": 20,
    "likes": 30,
    "shares": 10,
    "questions": 4,
    "questions_replied": 3,
    "duration_minutes": 180.0,
    "new_followers": 7,
    "peak_online": 40,
    "retention_rate": 0.5,
}
B = {
    "gmv": 3000.0,
    "viewers": 300,
    "views": 350,
    "buyers": 30,
    "orders": 33,
    "avg_watch_seconds": 120.0,
    "comments": 60,
    "likes": None,
    "shares": None,
    "questions": None,
    "questions_replied": None,
    "duration_minutes": 60.0,
    "new_followers": None,
    "peak_online": 90,
    "retention_rate": None,
}
EMPTY = dict.fromkeys(A)
ZERO_VIEWERS = {**A, "viewers": 0, "buyers": 0, "gmv": 0.0}


@pytest.mark.parametrize(
    ("rows", "key", "expected"),
    [
        ([A], "gmv", 1000.0),
        ([A], "conversion_rate", 0.05),
        ([A], "uv_value", 10.0),
        ([A], "gpm", 4000.0),  # 1000 / 250 * 1000
        ([A], "avg_order_value", 200.0),
        ([A], "interaction_rate", 0.64),  # (20 + 30 + 10 + 4) / 100
        ([A], "comment_reply_rate", 0.75),
        ([A], "share_rate", 0.1),
        ([A], "duration_hours", 3.0),
        ([A], "avg_watch_seconds", 60.0),
        ([A], "retention_rate", 0.5),
        # groups: ratios re-divided from sums, never averaged (mean of 5 % and 10 % would be 7.5 %)
        ([A, B], "conversion_rate", 35 / 400),
        ([A, B], "gmv", 4000.0),
        ([A, B], "uv_value", 10.0),
        ([A, B], "gpm", 4000 / 600 * 1000),
        ([A, B], "avg_order_value", 4000 / 35),
        # watch time weighted by viewers: (60*100 + 120*300) / 400, not (60 + 120) / 2
        ([A, B], "avg_watch_seconds", 105.0),
        ([A, B], "duration_hours", 2.0),
        ([A, B], "peak_online", 90),
        ([A, B], "sessions", 2),
        # B has no likes/shares: only A counts, so B's viewers do not dilute the rate
        ([A, B], "interaction_rate", 0.64),
        ([A, B], "share_rate", 0.1),
        ([A, B], "new_followers", 7),
        ([A, B], "retention_rate", 0.5),
        # no data is None, never zero
        ([B], "interaction_rate", None),
        ([B], "new_followers", None),
        ([B], "comment_reply_rate", None),
        ([EMPTY], "gmv", None),
        ([EMPTY], "conversion_rate", None),
        ([EMPTY], "avg_watch_seconds", None),
        ([EMPTY], "duration_hours", None),
        ([], "gmv", None),
        # zero viewers: a ratio over nobody is no data, a sum of zero is zero
        ([ZERO_VIEWERS], "conversion_rate", None),
        ([ZERO_VIEWERS], "uv_value", None),
        ([ZERO_VIEWERS], "avg_watch_seconds", None),
        ([ZERO_VIEWERS], "gmv", 0.0),
        ([ZERO_VIEWERS], "viewers", 0),
        ([ZERO_VIEWERS, A], "conversion_rate", 0.05),
    ],
)
def test_metric_from_rows(rows, key, expected):
    value = metrics_from_rows(rows)[key]
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected)


@pytest.mark.parametrize(
    ("key", "sums", "expected"),
    [
        ("conversion_rate", {"buyers": 3, "viewers": 100}, 0.03),
        ("conversion_rate", {"buyers": 3, "viewers": 0}, None),
        ("conversion_rate", {"buyers": None, "viewers": 100}, None),
        ("gpm", {"gmv": 500.0, "views": 2000}, 250.0),
        ("avg_watch_seconds", {"avg_watch_seconds_w": 9000.0, "avg_watch_seconds_v": 100}, 90.0),
        ("duration_hours", {"duration_minutes": 300.0, "sessions": 2}, 2.5),
        ("interaction_rate", {"comments": 1, "likes": 2, "shares": 3, "questions": None, "viewers": 12}, 0.5),
        ("interaction_rate", {"comments": 1, "likes": None, "shares": 3, "viewers": 12}, None),
    ],
)
def test_from_sums(key, sums, expected):
    value = METRICS[key].from_sums(sums)
    assert value == (pytest.approx(expected) if expected is not None else None)


def test_additive_metrics_are_the_plain_sums():
    assert {m for m, v in METRICS.items() if v.additive} == {
        "gmv",
        "viewers",
        "views",
        "orders",
        "buyers",
        "new_followers",
    }


_SUM_VALUE = st.one_of(
    st.none(),
    st.just(0.0),
    st.integers(min_value=1, max_value=10**6).map(float),
    st.floats(min_value=-1e9, max_value=1e12, allow_nan=False, allow_infinity=False),
)


@pytest.mark.parametrize("m", SESSION_METRICS, ids=lambda m: m.key)
@settings(max_examples=60, deadline=None, derandomize=True)
@given(data=st.data(), groups=st.integers(min_value=0, max_value=8))
def test_metric_column_is_from_sums_per_group(m, data, groups):
    """frame_rows computes a metric for thousands of groups at once through metric_column: every group's
    value is exactly what from_sums gives that group alone (None where it gives None), with missing
    inputs, zero denominators and keys not queried."""
    keys = ["sessions", *m.inputs, *m.optional]
    keys += [f"{c}_{s}" for c in m.inputs if c in WEIGHTED_COLUMNS for s in ("w", "v")]
    absent = data.draw(st.sets(st.sampled_from(keys), max_size=1), label="not queried")
    columns = {
        k: data.draw(st.lists(_SUM_VALUE, min_size=groups, max_size=groups), label=k)
        for k in keys
        if k not in absent
    }
    arrays = {
        k: np.array([np.nan if v is None else v for v in vs], dtype="float64") for k, vs in columns.items()
    }
    assert m.from_sums is not None
    expected = [m.from_sums({k: v[i] for k, v in columns.items()}) for i in range(groups)]
    assert metric_column(m, arrays, groups) == expected
