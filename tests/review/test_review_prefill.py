""" "复盘本场": a new case from the review page starts with the session's review facts - Top 5 products and
the biggest dip in the audience and what happened then - checked against the truth JSON."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert

from lib import cases as cs
from lib import review as rv
from lib.core.db import write
from lib.core.formatting import format_value
from lib.core.models import Incident
from tests.cases.case_data import MANAGER
from tests.review.review_data import XY_1102, ZHOU_1102, load_review_week, truth_of


@pytest.fixture
def week(engine, users):
    return load_review_week(engine)


def truth_dip(key: tuple[str, str]) -> tuple[str, str, float, float]:
    """The biggest dip computed here from the truth's minutes (5-minute trailing mean, 15-minute look-back):
    start and end clock times, smoothed online at both ends."""
    minutes = truth_of(key)["minutes"]
    smooth = pd.Series([m["online"] for m in minutes], dtype="float64").rolling(5, min_periods=1).mean()
    best = (0.0, 0, 0)
    for m in range(1, len(smooth)):
        window = smooth.iloc[max(0, m - 15) : m]
        fall = window.max() - smooth.iloc[m]
        if fall > best[0]:
            best = (fall, int(window[window == window.max()].index[-1]), m)
    _fall, start, end = best
    return minutes[start]["minute"][11:16], minutes[end]["minute"][11:16], smooth[start], smooth[end]


def test_case_from_the_review_page_starts_with_top_five_and_the_dip(run_page, week):
    record = truth_of(XY_1102)
    at = run_page("cases", "manager", query={"new_from_session": str(week[XY_1102])})
    assert not at.exception
    background = at.text_area(key="ed_background").value
    assert "¥99,024" in background  # the numbers against target are still there
    top = sorted(record["products"], key=lambda p: -p["gmv"])[:5]
    for rank, p in enumerate(top, start=1):
        gmv = format_value(p["gmv"], "cny", "zh")
        rate = format_value(p["orders"] / p["clicks"], "pct", "zh")
        line = f"{rank}. {p['product']}（{p['product_id']}）：成交金额 {gmv}，订单 {p['orders']}，点击成交转化率 {rate}"
        assert line in background
    start, end, high, low = truth_dip(XY_1102)
    dip = f"最大在线下滑：{start}–{end} 在线人数（5 分钟均值）{high:,.0f} → {low:,.0f}（下降 {(high - low) / high * 100:.1f}%）"
    assert dip in background, background


def test_an_incident_in_the_dip_is_named_with_its_gmv_at_risk(engine, week):
    start, end, _high, _low = truth_dip(ZHOU_1102)
    day = dt.date(2026, 11, 2)
    detected = dt.datetime.combine(day, dt.time.fromisoformat(start)) + dt.timedelta(minutes=3, seconds=20)
    resolved = detected + dt.timedelta(minutes=4)
    with write(engine) as conn:
        conn.execute(
            insert(Incident).values(
                session_id=week[ZHOU_1102],
                category="推流/画面卡顿",
                severity="simple",
                detected_at=detected,
                resolved_at=resolved,
                escalated=False,
            )
        )
    minutes = truth_of(ZHOU_1102)["minutes"]
    first = next(i for i, m in enumerate(minutes) if m["minute"][11:16] == f"{detected:%H:%M}")
    inside = [m["gmv"] for m in minutes[first : first + 5]]
    before = [m["gmv"] for m in minutes[first - 15 : first]]
    risk = round((sum(before) / 15 - sum(inside) / 5) * 5, 2)
    pre = cs.session_prefill(engine, week[ZHOU_1102], MANAGER, "zh")
    expected = f"当时：推流/画面卡顿：{detected:%H:%M} → {resolved:%H:%M}，风险 GMV {format_value(risk, 'cny', 'zh')}"
    assert expected in pre["background"], pre["background"]
    en = cs.session_prefill(engine, week[ZHOU_1102], MANAGER, "en")["background"]
    assert "Top 5 products (by GMV):" in en and "Biggest dip in the audience:" in en


def test_without_detail_rows_the_case_says_what_to_upload(engine, users):
    week = load_review_week(engine, skip=(XY_1102,))
    pre = cs.session_prefill(engine, week[XY_1102], MANAGER, "zh")
    assert "没有商品列表" in pre["background"] and "没有分钟数据" in pre["background"]
    assert rv.biggest_dip(engine, week[XY_1102]) is None


def test_dip_of_ignores_a_one_minute_blip_and_needs_a_fall():
    assert rv.dip_of([(m, 100) for m in range(30)]) is None
    blip = [(m, 100) for m in range(30)]
    blip[10] = (10, 40)  # one minute: the 5-minute mean falls by 12 only
    slide = [(m, 100 if m < 15 else 60) for m in range(30)]  # a real slide: 40 down, over 5 minutes
    got = rv.dip_of(slide)
    assert (got["start_minute"], got["end_minute"], got["fall"]) == (14, 19, 40)
    assert rv.dip_of(blip)["fall"] == pytest.approx(12)
