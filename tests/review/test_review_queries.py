"""lib.review's reads on the sample week (sessions and incidents imported, detail rows from the truth):
minute frames, retention, products and funnel, sources, incident spans, windows, PK, products across
sessions, and what a session without detail rows gives."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lib import review as rv
from lib.core.db import write
from lib.core.models import LiveSession, SessionMinute, SessionProduct, SessionSource
from tests.review.review_data import (
    CHEN_1103,
    XY_1102,
    XY_1103,
    ZHOU_1102,
    load_review_week,
    truth,
    truth_of,
)


@pytest.fixture
def week(engine):
    return load_review_week(engine)


def test_minute_frame_adds_up_to_the_truth(engine, week):
    for record in truth():
        s = record["session"]
        frame = rv.minute_frame(engine, week[(s["account"], s["start"])])
        assert list(frame.columns) == list(rv.MINUTE_COLUMNS)
        assert len(frame) == len(record["minutes"])
        assert frame["minute"].tolist() == list(range(len(record["minutes"])))
        summary = rv.minute_summary(frame)
        assert summary["gmv"] == pytest.approx(s["gmv"], abs=0.005)  # adds up exactly (README)
        assert summary["orders"] == s["orders"]
        assert summary["peak_online"] == max(m["online"] for m in record["minutes"])
        assert frame["new_followers"].sum() == sum(m["new_followers"] for m in record["minutes"])


def test_minute_frame_rolls_over_midnight(engine, week):
    frame = rv.minute_frame(engine, week[XY_1102])
    last = frame.iloc[-1]
    assert (last["minute"], last["at"]) == (252, dt.datetime(2026, 11, 3, 0, 12))
    assert (last["online"], last["entering"], last["leaving"]) == (178, 41, 67)


def plain_retention(minutes: list[dict], length: int | None) -> float:
    """Seed 000's retention, worked out by hand: person-minutes / visits / minutes on air."""
    rows = minutes if length is None else minutes[:length]
    visits = rows[0]["online"] + sum(m["entering"] for m in rows[1:])
    return sum(m["online"] for m in rows) / visits / len(rows)


def test_retention_segments_of_the_sample_sessions(engine, week):
    # every sample trend file: average watch time per visit over the time on air, 0-100 %
    for record in truth():
        s = record["session"]
        got = rv.session_retention(engine, week[(s["account"], s["start"])])
        for key, length in (("first_5", 5), ("first_15", 15), ("whole", None)):
            assert got[key].share == pytest.approx(plain_retention(record["minutes"], length)), (s, key)
            assert 0 <= got[key].share <= 1
    # xyjd2021 2026-11-02, first 5 minutes: online 24, 51, 68, 97, 112 (352 person-minutes); visits: the
    # first minute's 24 online, then 11 + 31 + 24 + 43 entering -> 133 (read off the trend file)
    first = rv.session_retention(engine, week[XY_1102])["first_5"]
    assert (first.watched, first.visits, first.minutes) == (352, 133, 5)
    assert first.share == pytest.approx(352 / 133 / 5)
    opening = rv.session_online_vs_opening(engine, week[XY_1102])
    assert opening["base"] == 112 and opening["at_15"] == pytest.approx(276 / 112)  # named apart


def test_products_with_funnel_and_top_five(engine, week):
    record = truth_of(XY_1102)
    frame = rv.products(engine, week[XY_1102])
    assert list(frame.columns) == list(rv.PRODUCT_FRAME_COLUMNS)
    by_gmv = sorted(record["products"], key=lambda p: -p["gmv"])
    assert frame["product_id"].tolist() == [p["product_id"] for p in by_gmv]
    assert frame["gmv"].sum() == pytest.approx(record["session"]["gmv"], abs=0.005)
    cooker = frame.set_index("product_id").loc["3712052"]
    # 苏泊尔 电饭煲: exposure 1568, clicks 221, orders 20 (products file, first row)
    assert cooker["click_rate"] == pytest.approx(221 / 1568)
    assert cooker["conversion_rate"] == pytest.approx(20 / 221)
    assert cooker["gmv_share"] == pytest.approx(13533.78 / 99024.32)
    top = rv.top_products(engine, week[XY_1102])
    assert top["product_id"].tolist() == [p["product_id"] for p in by_gmv[:5]]


def test_sources_add_up_to_the_session_viewers(engine, week):
    for key in (XY_1102, CHEN_1103):
        record = truth_of(key)
        frame = rv.sources(engine, week[key])
        assert list(frame.columns) == list(rv.SOURCE_COLUMNS)
        assert frame["viewers"].sum() == record["session"]["viewers"]
        assert frame["viewers"].is_monotonic_decreasing
        truth_viewers = {s["source"]: s["viewers"] for s in record["sources"]}
        assert dict(zip(frame["source"], frame["viewers"], strict=True)) == truth_viewers
        assert frame["viewers_share"].sum() == pytest.approx(1.0)


def test_incident_span_and_gmv_at_risk(engine, week):
    # 违规预警 detected 22:28:12, resolved 22:33:38 in xyjd2021's 20:00 session: minutes 148-153
    spans = rv.incident_spans(engine, week[XY_1102])
    assert list(spans.columns) == list(rv.SPAN_COLUMNS)
    assert len(spans) == 1
    span = spans.iloc[0]
    assert (span["category"], span["start_minute"], span["end_minute"], span["minutes"]) == (
        "违规预警",
        148,
        153,
        6,
    )
    gmv = {i: m["gmv"] for i, m in enumerate(truth_of(XY_1102)["minutes"])}
    inside = sum(gmv[m] for m in range(148, 154))
    before = sum(gmv[m] for m in range(133, 148)) / 15
    assert span["gmv"] == pytest.approx(inside, abs=0.005)
    assert span["baseline_minutes"] == 15
    assert span["baseline_per_minute"] == pytest.approx(before)
    assert span["gmv_at_risk"] == pytest.approx((before - inside / 6) * 6, abs=0.005)
    assert span["gmv_at_risk"] > 0  # nothing sold while the warning was open


def test_product_windows_in_shelf_order(engine, week):
    frame = rv.product_windows(engine, week[XY_1102])
    assert list(frame.columns) == list(rv.WINDOW_COLUMNS)
    assert frame["shelf_minute"].is_monotonic_increasing
    cooker = frame.set_index("product_id").loc["3712052"]  # on the shelf 20:02, explained 2x, 889 s
    assert (cooker["shelf_minute"], cooker["explain_count"], cooker["explain_seconds"]) == (2, 2, 889)
    late = frame.set_index("product_id").loc["3712049"]  # 小熊电煮锅: 22:58 -> minute 178
    assert late["shelf_minute"] == 178


def test_pk_default_partner_is_the_hosts_previous_session(engine, week):
    assert rv.default_partner(engine, week[XY_1103]) == week[XY_1102]
    assert rv.default_partner(engine, week[XY_1102]) is None  # her first session of the week
    assert week[XY_1103] in rv.host_sessions(engine, week[XY_1102])
    assert week[ZHOU_1102] not in rv.host_sessions(engine, week[XY_1102])


def test_pk_totals_curves_products_and_sources(engine, week):
    a, b = week[XY_1103], week[XY_1102]
    totals = rv.pk_totals(engine, a, b).set_index("metric")
    gmv = totals.loc["gmv"]
    assert (gmv["a"], gmv["b"]) == (pytest.approx(176283.3), pytest.approx(99024.32))
    assert gmv["diff"] == pytest.approx(176283.3 - 99024.32)
    assert gmv["diff_pct"] == pytest.approx((176283.3 - 99024.32) / 99024.32)
    curves = rv.pk_minutes(engine, a, b)
    assert len(curves) == 253  # the longer session's minutes; the shorter one has minutes 0-197
    assert curves["gmv_cum_a"].dropna().iloc[-1] == pytest.approx(176283.3)
    assert curves["gmv_cum_b"].iloc[-1] == pytest.approx(99024.32)
    assert curves["online_a"].iloc[198:].isna().all() and curves["online_a"].iloc[:198].notna().all()
    prods = rv.pk_products(engine, a, b).set_index("product_id")
    assert prods.loc["3712052", "gmv_a"] == pytest.approx(5533.69)
    assert prods.loc["3712052", "gmv_b"] == pytest.approx(13533.78)
    assert prods.loc["3712052", "gmv_diff"] == pytest.approx(5533.69 - 13533.78)
    srcs = rv.pk_sources(engine, a, b).set_index("source")
    assert srcs.loc["推荐feed", "viewers_a"] == 156 and srcs.loc["推荐feed", "viewers_b"] == 945


def test_products_across_sessions(engine, week):
    records = [(r["session"], p) for r in truth() for p in r["products"] if p["product_id"] == "3712052"]
    overview = rv.products_overview(engine, dt.date(2026, 11, 2), dt.date(2026, 11, 8)).set_index(
        "product_id"
    )
    row = overview.loc["3712052"]
    assert row["sessions"] == len(records)
    assert row["hosts"] == len({s["host"] for s, _p in records})
    assert row["gmv"] == pytest.approx(sum(p["gmv"] for _s, p in records))
    assert row["conversion_rate"] == pytest.approx(
        sum(p["orders"] for _s, p in records) / sum(p["clicks"] for _s, p in records)
    )
    sessions = rv.product_sessions(engine, "3712052")
    assert len(sessions) == len(records) and sessions["started_at"].is_monotonic_decreasing
    hosts = rv.product_hosts(engine, "3712052").set_index("host")
    lin = [p for s, p in records if s["host"] == "林晓雨"]
    assert hosts.loc["林晓雨", "sessions"] == len(lin)
    assert hosts.loc["林晓雨", "gmv"] == pytest.approx(sum(p["gmv"] for p in lin))
    assert rv.products_overview(engine, dt.date(2026, 10, 1), dt.date(2026, 10, 31)).empty
    assert rv.product_sessions(engine, "nope").empty and rv.product_hosts(engine, "nope").empty


def test_a_session_without_detail_rows_degrades(engine):
    week = load_review_week(engine, skip=(XY_1102,))
    sid = week[XY_1102]
    frame = rv.minute_frame(engine, sid)
    assert frame.empty and list(frame.columns) == list(rv.MINUTE_COLUMNS)
    assert rv.minute_summary(frame) == {"count": 0, "gmv": None, "orders": None, "peak_online": None}
    assert set(rv.session_retention(engine, sid).values()) == {None}
    for read in (rv.products, rv.top_products, rv.sources, rv.product_windows):
        assert read(engine, sid).empty
    spans = rv.incident_spans(engine, sid)  # the incident is still there, without GMV figures
    assert len(spans) == 1 and spans.iloc[0]["start_minute"] == 148
    assert spans["gmv_at_risk"].isna().all() and spans["minutes"].iloc[0] == 0
    totals = rv.pk_totals(engine, week[XY_1103], sid).set_index("metric")  # totals come from the session
    assert totals.loc["gmv", "b"] == pytest.approx(99024.32)
    assert rv.pk_minutes(engine, week[XY_1103], sid)["online_b"].isna().all()
    # an unknown session id: nothing, no error
    assert rv.session_header(engine, 10**9) is None and rv.minute_frame(engine, 10**9).empty
    assert rv.incident_spans(engine, 10**9).empty and rv.default_partner(engine, 10**9) is None


def test_deleting_a_session_deletes_its_detail_rows(engine, week):
    sid = week[XY_1102]
    with write(engine) as conn:
        conn.execute(sa.delete(LiveSession).where(LiveSession.id == sid))
    with engine.connect() as conn:
        for table in (SessionMinute, SessionProduct, SessionSource):
            left = conn.execute(sa.select(sa.func.count()).select_from(table).where(table.session_id == sid))
            assert left.scalar() == 0, table.__tablename__
        others = conn.execute(sa.select(sa.func.count()).select_from(SessionMinute)).scalar()
    assert others == sum(len(r["minutes"]) for r in truth()) - len(truth_of(XY_1102)["minutes"])


def test_find_sessions_by_account_and_start_minute(engine, week):
    assert rv.find_sessions(engine, "douyin", "jjhw888", dt.datetime(2026, 11, 2, 20, 30)) == [
        week[("jjhw888", "2026-11-02T20:30")]
    ]
    assert rv.find_sessions(engine, "douyin", "jjhw888", dt.datetime(2026, 11, 2, 20, 31)) == []
