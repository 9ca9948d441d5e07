"""The review metrics' definitions (lib.core.review_metrics) on hand-computed numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.core import review_metrics as rm


def test_retention_is_average_watch_time_over_time_on_air():
    # minutes 0-5: online 10, 20, 30, 20, 10, 5; entering 10, 15, 12, 0, 0, 1
    rows = [(0, 10, 10), (1, 20, 15), (2, 30, 12), (3, 20, 0), (4, 10, 0), (5, 5, 1)]
    got = rm.retention_segments(rows)
    # first 5 minutes: 90 person-minutes over 10 + 15 + 12 = 37 visits, 5 minutes on air
    assert got["first_5"] == rm.Segment(minutes=5, watched=90, visits=37, share=90 / 185)
    assert got["first_5"].average_minutes == pytest.approx(90 / 37)
    assert got["first_15"] is None  # the session ended at minute 5: it has no "first 15 minutes"
    # whole: 95 person-minutes over 38 visits and 6 minutes
    assert got["whole"] == rm.Segment(minutes=6, watched=95, visits=38, share=95 / 228)
    assert rm.retention(rows) == {"first_5": 90 / 185, "first_15": None, "whole": 95 / 228}
    # everyone there from the start and nobody leaving: 100 %, never more
    assert rm.retention([(m, 50, 50 if m == 0 else 0) for m in range(20)]) == {
        "first_5": 1.0,
        "first_15": 1.0,
        "whole": 1.0,
    }


def test_retention_visits_are_never_fewer_than_the_peak_online():
    # no entering figures (or fewer entries than the room's peak): the visits are the peak online, so a
    # room that grows without recorded entries stays within 100 %
    rows = [(m, v, None) for m, v in enumerate([10, 20, 30, 20, 10])]
    assert rm.retention(rows)["first_5"] == 90 / 150
    rows = [(0, 10, 10), (1, 40, 0), (2, 40, 0), (3, 40, 0), (4, 40, 0)]
    assert rm.retention(rows)["first_5"] == 170 / 200


def test_retention_is_none_without_online_figures_or_minutes():
    assert rm.retention([]) == {"first_5": None, "first_15": None, "whole": None}
    for opening in ([(m, None, 3) for m in range(20)], [(m, 0, 0) for m in range(20)]):
        assert set(rm.retention(opening).values()) == {None}
    # a gap counts neither way: minutes 0-4 and 10-19 on air, 5-9 missing
    rows = [(m, 10, 10 if m == 0 else 0) for m in (*range(5), *range(10, 20))]
    got = rm.retention_segments(rows)
    assert got["first_15"].minutes == 10 and got["first_15"].share == 1.0


minute_rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=400),
        st.none() | st.integers(min_value=0, max_value=10**7),
        st.none() | st.integers(min_value=0, max_value=10**7),
    ),
    max_size=80,
    unique_by=lambda r: r[0],
)


@given(minute_rows)
@settings(max_examples=400, deadline=None)
def test_retention_is_always_a_share(rows):
    """For any minute rows: every retention figure is None or within [0, 1]."""
    for key, share in rm.retention(rows).items():
        assert share is None or 0.0 <= share <= 1.0, (key, share)


@given(minute_rows)
@settings(max_examples=200, deadline=None)
def test_online_against_the_opening_is_named_apart(rows):
    """The old ratio (online now / opening peak) may exceed 1; it is never a retention key."""
    got = rm.online_vs_opening((m, o) for m, o, _e in rows)
    assert set(got) == {"base", *rm.OPENING_KEYS}
    assert not set(got) & set(rm.RETENTION_KEYS)
    for key in rm.OPENING_KEYS:
        assert rm.detail_metric(f"online_vs_opening_{key}").name("zh").startswith("在线人数相对开场")


def test_online_against_the_opening_divides_by_the_opening_peak():
    online = {0: 10, 1: 40, 2: 50, 3: 30, 4: 20, 5: 45, 15: 25, 30: 60, 31: 5}
    got = rm.online_vs_opening(sorted(online.items()))
    assert got == {"base": 50, "at_5": 0.9, "at_15": 0.5, "at_30": 1.2, "at_end": 0.1}


def test_gmv_at_risk_against_the_fifteen_minutes_before():
    # run-up: 15 minutes at 100 a minute; span: 3 minutes selling 10, 20, 0 -> 10 a minute
    risk = rm.gmv_at_risk([10.0, 20.0, 0.0], [100.0] * 15)
    assert (risk.minutes, risk.gmv, risk.per_minute) == (3, 30.0, 10.0)
    assert (risk.baseline_minutes, risk.baseline_per_minute) == (15, 100.0)
    assert risk.gmv_at_risk == 270.0  # (100 - 10) * 3
    # a span that sold more than its run-up has a negative GMV at risk
    assert rm.gmv_at_risk([50.0], [20.0, 40.0]).gmv_at_risk == -20.0
    # nothing before the span, or no minute rows inside it: no figure
    assert rm.gmv_at_risk([10.0], []).gmv_at_risk is None
    assert rm.gmv_at_risk([], [5.0]).gmv_at_risk is None
    assert rm.gmv_at_risk([None], [5.0]).minutes == 0


def test_funnel_rates_and_catalogue_entries():
    assert rm.click_rate(221, 1568) == pytest.approx(0.140944, abs=1e-6)
    assert rm.conversion_rate(20, 221) == pytest.approx(0.0904977, abs=1e-7)
    assert rm.click_rate(5, 0) is None and rm.conversion_rate(None, 3) is None
    keys = {m.key for m in rm.DETAIL_METRICS}
    assert {f"retention_{k}" for k in rm.RETENTION_KEYS} <= keys
    assert all(rm.detail_metric(f"retention_{k}").name("zh").startswith("留存") for k in rm.RETENTION_KEYS)
    assert not any("留存" in m.name("zh") for m in rm.DETAIL_METRICS if not m.key.startswith("retention_"))
    for m in rm.DETAIL_METRICS:
        assert m.name("zh") and m.name("en") and m.help("zh") and m.help("en")
    with pytest.raises(KeyError, match="nope"):
        rm.detail_metric("nope")
