"""The review metrics' definitions (lib.core.review_metrics) on hand-computed numbers."""

from __future__ import annotations

import pytest

from lib.core import review_metrics as rm


def test_retention_divides_online_by_the_opening_peak():
    # minutes 0-4 online 10, 40, 50, 30, 20 -> base 50 (the highest of the first five minutes)
    online = {0: 10, 1: 40, 2: 50, 3: 30, 4: 20, 5: 45, 15: 25, 30: 60, 31: 5}
    got = rm.retention(sorted(online.items()))
    assert got == {"base": 50, "at_5": 0.9, "at_15": 0.5, "at_30": 1.2, "at_end": 0.1}


def test_retention_is_none_where_the_minute_or_the_opening_is_missing():
    # no row for minute 15 or 30 (a 20-minute session with a gap): None, not zero; the end is minute 19
    rows = [(m, 100) for m in range(5)] + [(5, 80), (19, 40)]
    got = rm.retention(rows)
    assert got == {"base": 100, "at_5": 0.8, "at_15": None, "at_30": None, "at_end": 0.4}
    # no online figure in minutes 0-4 (or only zeros): every segment is "no data"
    for opening in ([(m, None) for m in range(5)], [(m, 0) for m in range(5)]):
        got = rm.retention([*opening, (5, 30), (15, 20)])
        assert got["at_5"] is None and got["at_15"] is None and got["at_end"] is None
    assert rm.retention([]) == {"base": None, "at_5": None, "at_15": None, "at_30": None, "at_end": None}


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
    for m in rm.DETAIL_METRICS:
        assert m.name("zh") and m.name("en") and m.help("zh") and m.help("en")
    with pytest.raises(KeyError, match="nope"):
        rm.detail_metric("nope")
