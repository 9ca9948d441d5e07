"""The review page (pages/session_detail.py), the PK page and the products page under AppTest, on the
sample week (sessions and incidents imported, detail rows from the truth JSON); numbers are checked
against the truth."""

from __future__ import annotations

import pytest

from lib import review as rv
from lib.core.formatting import format_value
from tests.review.review_data import (
    CHEN_1103,
    XY_1102,
    XY_1103,
    ZHOU_1102,
    load_review_week,
    truth_of,
)

WEEK = {"from": "2026-11-02", "to": "2026-11-08"}


@pytest.fixture
def week(engine, users):
    return load_review_week(engine)


def texts(at, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def frame_with(at, column: str, without: str = "\0"):
    """The first table with `column` (and without `without`): st.dataframe keeps no key in AppTest."""
    found = [d.value for d in at.dataframe if column in d.value.columns and without not in d.value.columns]
    assert found, f"no table with {column}"
    return found[0]


def charts(at) -> list:
    return at.get("vega_lite_chart")


def cny(v: float) -> str:
    return format_value(v, "cny", "zh")


def cny_cell(v: float) -> str:
    """Money in a table: to the cent on every row (issue 20: one number of decimals down a column)."""
    return f"¥{v:,.2f}"


def pct(v: float) -> str:
    return format_value(v, "pct", "zh")


def test_review_page_with_minute_data(run_page, week):
    record = truth_of(XY_1102)
    at = run_page("session_detail", "manager", query={"session": str(week[XY_1102])})
    assert not at.exception
    heads = texts(at, "subheader")
    for head in (
        "分钟曲线",
        "留存分段",
        "直播中的问题",
        "Top 5 商品",
        "商品漏斗（曝光 → 点击 → 成交）",
        "流量来源",
    ):
        assert any(h.startswith(head) for h in heads), (head, heads)
    assert not [i for i in texts(at, "info") if "上传" in i]  # nothing missing: no upload note
    # retention tiles: average watch time per visit over the time on air (seed 000), from the truth
    minutes = record["minutes"]
    tiles = {m.label: m.value for m in at.metric}
    for label, length in (("留存 · 前 5 分钟", 5), ("留存 · 前 15 分钟", 15), ("留存 · 全场", len(minutes))):
        rows = minutes[:length]
        visits = rows[0]["online"] + sum(m["entering"] for m in rows[1:])
        assert tiles[label] == pct(sum(m["online"] for m in rows) / visits / length), label
    assert all(float(v.rstrip("%")) <= 100 for k, v in tiles.items() if k.startswith("留存"))
    visits = minutes[0]["online"] + sum(m["entering"] for m in minutes[1:])
    whole = f"开播 {len(minutes)} 分钟（{visits:,} 次进入）"
    assert any(whole in c for c in texts(at, "caption")), whole
    online = [m["online"] for m in minutes]
    [opening] = [c for c in texts(at, "caption") if c.startswith("在线人数相对开场")]
    assert f"第 15 分钟 {pct(online[15] / max(online[:5]))}" in opening  # named as what it is
    # the incident span: 违规预警 22:28 → 22:33 (minutes 148-153), GMV at risk against the 15 minutes before
    gmv = [m["gmv"] for m in record["minutes"]]
    inside, before = sum(gmv[148:154]), sum(gmv[133:148]) / 15
    spans = frame_with(at, "风险 GMV")
    assert list(spans["问题类别"]) == ["违规预警"]
    assert spans["风险 GMV"].iloc[0] == cny_cell(round((before - inside / 6) * 6, 2))
    assert (spans["发现"].iloc[0], spans["解决"].iloc[0]) == ("22:28", "22:33")
    # Top 5 and the product table from the truth's products
    by_gmv = sorted(record["products"], key=lambda p: -p["gmv"])
    top = frame_with(at, "排名")
    assert list(top["商品名称"]) == [p["product"] for p in by_gmv[:5]]
    assert list(top["成交金额"]) == [cny_cell(p["gmv"]) for p in by_gmv[:5]]
    products = frame_with(at, "退款金额")
    assert len(products) == len(record["products"])
    first = by_gmv[0]
    row = products[products["商品ID"] == first["product_id"]].iloc[0]
    assert row["点击率"] == pct(first["clicks"] / first["exposure"])
    assert row["点击成交转化率"] == pct(first["orders"] / first["clicks"])
    assert row["退款金额"] == cny_cell(first["refund"])
    assert row["跨场次"] == f"products?product={first['product_id']}"
    sources = frame_with(at, "观看占比")
    truth_sources = {s["source"]: s["viewers"] for s in record["sources"]}
    assert dict(zip(sources["流量来源"], sources["观看人数"], strict=True)) == {
        k: f"{v:,}" for k, v in truth_sources.items()
    }
    assert len(charts(at)) == 4  # curves, Top 5 rates, viewers and GMV per source
    assert any(m.startswith("最大在线下滑：") for m in texts(at, "markdown"))  # the dip a case starts from


def test_each_curve_draws_with_the_spans(run_page, week):
    at = run_page("session_detail", "manager", query={"session": str(week[ZHOU_1102])})
    for curve in ("flow", "gmv", "orders", "likes", "comments", "online"):
        at.radio(key="review_curve").set_value(curve).run()
        assert not at.exception
        spec = charts(at)[0].proto.spec
        assert '"rect"' in spec  # the network outage drawn as a span
    assert "Entering" not in spec


def test_review_page_without_detail_rows_shows_totals_and_what_to_upload(run_page, engine, users):
    week = load_review_week(engine, skip=(XY_1102,))
    at = run_page("session_detail", "manager", query={"session": str(week[XY_1102])})
    assert not at.exception
    note = next(i for i in texts(at, "info") if "上传" in i)
    for what in ("流量趋势", "商品列表", "流量来源", "抖音电商罗盘"):
        assert what in note
    metrics = frame_with(at, "指标")
    assert metrics[metrics["指标"] == "成交金额"].iloc[0]["实际"] == cny(truth_of(XY_1102)["session"]["gmv"])
    spans = frame_with(at, "风险 GMV")  # the incident is listed, its GMV figures are "no data"
    assert list(spans["问题类别"]) == ["违规预警"] and spans["风险 GMV"].iloc[0] == "暂无数据"
    assert not charts(at) and not at.metric
    heads = texts(at, "subheader")
    assert "分钟曲线" not in heads and "Top 5 商品" not in heads


def test_review_page_in_english(run_page, week):
    at = run_page("session_detail", "manager", query={"session": str(week[CHEN_1103])}, lang="en")
    assert not at.exception
    assert "Session detail & review" in texts(at, "title")
    top = frame_with(at, "Rank")
    assert list(top.columns) == [
        "Rank",
        "Product",
        "GMV",
        "Share of GMV",
        "Orders",
        "Click rate",
        "Click-to-order rate",
    ]
    body = " ".join(texts(at, "markdown") + texts(at, "caption") + texts(at, "subheader"))
    assert "review.page" not in body and "nan" not in body.split() and "None" not in body.split()
    for chart in charts(at):  # titles, legends and tooltips of every chart: no raw key, no "nan"
        assert "review." not in chart.proto.spec and '"nan"' not in chart.proto.spec
    products = run_page("products", "manager", query={**WEEK, "product": "3712052"}, lang="en")
    assert "Which host sells it best" in texts(products, "subheader")
    assert list(frame_with(products, "Hosts").columns)[:4] == ["Product ID", "Product", "Sessions", "Hosts"]


def test_pk_page_defaults_to_the_hosts_previous_session(run_page, week):
    a, b = week[XY_1103], week[XY_1102]
    at = run_page("session_pk", "manager", query={"session": str(a)})
    assert not at.exception
    assert at.query_params["vs"] == [str(b)] or at.query_params["vs"] == str(b)
    assert at.selectbox(key="pk_b").value == b
    totals = frame_with(at, "差异 %（相对 B）")
    gmv_a, gmv_b = truth_of(XY_1103)["session"]["gmv"], truth_of(XY_1102)["session"]["gmv"]
    row = totals[totals["指标"] == "成交金额"].iloc[0]
    assert list(row.iloc[1:3]) == [cny(gmv_a), cny(gmv_b)]
    assert row["差值（A − B）"] == "+" + cny(gmv_a - gmv_b)
    assert row["差异 %（相对 B）"] == f"{(gmv_a - gmv_b) / gmv_b * 100:+.1f}%"
    products = frame_with(at, "商品名称")
    cooker = products[products["商品名称"] == "苏泊尔 电饭煲 4L"].iloc[0]
    gmv_cols = [c for c in products.columns if c.startswith("成交金额 · ")]
    assert [cooker[c] for c in gmv_cols] == [cny_cell(5533.69), cny_cell(13533.78)]
    sources = frame_with(at, "流量来源")
    feed = sources[sources["流量来源"] == "推荐feed"].iloc[0]
    assert [feed[c] for c in sources.columns if c.startswith("观看人数 · ")] == ["156", "945"]
    assert len(charts(at)) == 3  # curves, products, sources
    at.radio(key="pk_curve").set_value("gmv_cum").run()
    assert not at.exception


def test_pk_page_by_link_and_access(run_page, engine, week):
    a, b = week[ZHOU_1102], week[CHEN_1103]
    at = run_page("session_pk", "manager", query={"session": str(a), "vs": str(b)})
    assert not at.exception and at.selectbox(key="pk_b").value == b
    # 林晓雨's first session of the week has no previous one: B is her latest other session, never A itself
    at = run_page("session_pk", "manager", query={"session": str(week[XY_1102])}, lang="en")
    latest_other = rv.host_sessions(engine, week[XY_1102])[0]
    assert latest_other != week[XY_1102] and week[XY_1103] in rv.host_sessions(engine, week[XY_1102])
    assert not at.exception and at.selectbox(key="pk_b").value == latest_other
    body = " ".join(texts(at, "subheader") + texts(at, "caption") + texts(at, "title"))
    assert "Totals" in body and "review.pk" not in body
    assert "Difference (A − B)" in frame_with(at, "Metric").columns
    at = run_page("session_pk", "manager", query={"session": str(a), "vs": str(a)})
    assert "请选择另一场作为 B。" in texts(at, "info")
    for page in ("session_pk", "products"):
        staff = run_page(page, "staff", query={"session": str(a)})
        assert staff.error and not staff.dataframe and not charts(staff)


def test_products_page_one_product_across_sessions(run_page, week):
    from tests.review.review_data import truth

    at = run_page("products", "manager", query={**WEEK, "product": "3712052"})
    assert not at.exception
    sold = [(r["session"], p) for r in truth() for p in r["products"] if p["product_id"] == "3712052"]
    overview = frame_with(at, "主播数")
    row = overview[overview["商品ID"] == "3712052"].iloc[0]
    assert row["场次"] == str(len(sold)) and row["成交金额"] == cny_cell(sum(p["gmv"] for _s, p in sold))
    hosts = frame_with(at, "主播", without="开播时间")
    by_host: dict[str, float] = {}
    for s, p in sold:
        by_host[s["host"]] = by_host.get(s["host"], 0) + p["gmv"]
    assert list(hosts["主播"]) == sorted(by_host, key=lambda h: -by_host[h])
    assert list(hosts["成交金额"]) == [cny_cell(by_host[h]) for h in hosts["主播"]]
    sessions = frame_with(at, "开播时间")
    assert len(sessions) == len(sold)
    ids = {week[(s["account"], s["start"])] for s, _p in sold}
    assert set(sessions["复盘"]) == {f"session_detail?session={i}" for i in ids}


def test_products_page_empty_period(run_page, week):
    at = run_page("products", "manager", query={"from": "2026-10-01", "to": "2026-10-31"})
    assert not at.exception and "这段时间没有商品列表数据。" in texts(at, "info")


@pytest.mark.parametrize(
    ("page", "query", "kind", "text"),
    [
        ("session_pk", {"session": "1", "vs": "abc"}, "error", "abc"),
        ("session_pk", {"session": "99999999999"}, "error", "99999999999"),
        ("products", {"from": "2026-13-01", "to": "x<b>"}, "warning", "x\\<b\\>"),
        ("products", {"from": "2026-11-08", "to": "2026-11-02"}, "warning", "2026\\-11\\-08"),
    ],
)
def test_crafted_links_get_a_message(run_page, week, page, query, kind, text):
    at = run_page(page, "manager", query=query)
    assert not at.exception
    assert any(text in m for m in texts(at, kind)), texts(at, kind)


def test_a_session_with_products_but_no_minutes_shows_them_and_asks_for_the_trend(run_page, engine, week):
    import sqlalchemy as sa

    from lib.core.db import write
    from lib.core.models import SessionMinute

    with write(engine) as conn:
        conn.execute(sa.delete(SessionMinute).where(SessionMinute.session_id == week[XY_1102]))
    at = run_page("session_detail", "manager", query={"session": str(week[XY_1102])})
    assert not at.exception
    note = next(i for i in texts(at, "info") if "上传" in i)
    assert "流量趋势" in note and "商品列表" not in note and "流量来源" not in note
    assert len(frame_with(at, "排名")) == 5 and len(charts(at)) == 3  # Top 5 rates, two source charts
    assert frame_with(at, "风险 GMV")["风险 GMV"].iloc[0] == "暂无数据"
