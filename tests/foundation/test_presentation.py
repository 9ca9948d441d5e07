"""Issue 20, numbers as a Chinese manager reads them: 万/亿 on Chinese tiles (CLDR's zh_CN compact format
through Babel), the exact value in the tile's help, thousands separators and one number of decimals down
a money column, English plurals, incident categories in the reader's language, money axes in ¥."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from lib import review as rv
from lib.core.formatting import category_name, format_compact, money_axis_labels, table_format
from lib.core.i18n import translate


@pytest.mark.parametrize(
    ("value", "unit", "lang", "shown"),
    [
        (3_163_500, "cny", "zh", "¥316.35万"),
        (3_000_000, "cny", "zh", "¥300万"),
        (123_456_789, "cny", "zh", "¥1.23亿"),
        (-3_163_500, "cny", "zh", "-¥316.35万"),
        (9_999, "cny", "zh", "¥9,999"),  # below 1万: written out
        (25_000, "people", "zh", "2.5万"),
        (25_000, "count", "zh", "2.5万"),
        (3_163_500, "cny", "en", "¥3,163,500"),  # English keeps the full figure
        (0.256, "pct", "zh", "25.6%"),  # not a money or a count
        (None, "cny", "zh", "暂无数据"),
    ],
)
def test_large_figures_read_in_wan_and_yi_on_a_chinese_screen(value, unit, lang, shown):
    assert format_compact(value, unit, lang) == shown


def test_a_money_column_has_one_number_of_decimals():
    """The review's tables wrote ¥512.50 above ¥24,636 (cents only below ¥1,000)."""
    frame = pd.DataFrame(
        {
            "source": ["推荐feed", "直播广场", "其他"],
            "viewers": [12_345, 154, 3],
            "viewers_share": [0.9, 0.09, 0.01],
            "gmv": [24_635.79, 98_765.0, 512.5],
            "gmv_share": [0.2, 0.79, 0.01],
        }
    )
    table = rv.review_table("sources", frame, "zh")
    gmv = table[translate("review.page.col.gmv", "zh")].tolist()
    assert gmv == ["¥24,635.79", "¥98,765.00", "¥512.50"]
    assert table[translate("review.page.col.viewers", "zh")].tolist() == ["12,345", "154", "3"]


def test_table_columns_write_thousands_separators():
    assert table_format("cny") == "¥%,.2f"
    assert table_format("count") == table_format("people") == "%,d"


@pytest.mark.parametrize(
    ("key", "params", "one", "two"),
    [
        ("cases.search.count", "total", "1 case", "2 cases"),
        ("users.count", "n", "1 user", "2 users"),
        ("importing.page.refused", "n", "Not imported: 1 problem;", "Not imported: 2 problems;"),
        ("overview.item_overdue", "days", "1 day overdue", "2 days overdue"),
    ],
)
def test_english_counts_follow_the_plural_rules(key, params, one, two):
    assert translate(key, "en", **{params: 1}).startswith(one)
    assert translate(key, "en", **{params: 2}).startswith(two)
    assert translate(key, "en", **{params: "1"}).startswith(one)  # a count already written out
    assert translate(key, "zh", **{params: 1}) == translate(key, "zh", **{params: 2}).replace("2", "1")


def test_default_incident_categories_read_in_english():
    assert category_name("网络中断", "en") == "Network outage"
    assert category_name("网络中断", "zh") == "网络中断"
    assert category_name("自定义类别", "en") == "自定义类别"  # an admin's own category as typed
    assert category_name(None, "en") == "—"


def test_money_axes_say_yuan():
    """Vega's own "$" or a bare 3,000,000 on a money axis: the axis labels say ¥ (and 万 in Chinese)."""
    zh, en = money_axis_labels("zh"), money_axis_labels("en")
    assert "¥" in zh and "万" in zh and "¥" in en and "万" not in en
    assert json.dumps(zh)  # a Vega expression string the chart carries as is


def _axis_exprs(spec: object) -> list[str]:
    if isinstance(spec, dict):
        out = [spec["labelExpr"]] if isinstance(spec.get("labelExpr"), str) else []
        return out + [e for v in spec.values() for e in _axis_exprs(v)]
    if isinstance(spec, list):
        return [e for v in spec for e in _axis_exprs(v)]
    return []


def test_the_money_charts_put_yuan_on_their_axes():
    from lib import kpis

    frame = pd.DataFrame(
        {
            "group": pd.to_datetime(["2026-11-02", "2026-11-03"]),
            "gmv": [1_200_000.0, 3_400_000.0],
            "gmv__target": [3_000_000.0, 3_000_000.0],
            "gmv__target_high": [None, None],
        }
    )
    for lang in ("zh", "en"):
        exprs = _axis_exprs(kpis.trend_chart(frame, "gmv", lang=lang).to_dict())
        assert money_axis_labels(lang) in exprs, exprs
    daily = pd.DataFrame(
        {
            "day": [1, 2],
            "gmv": [10.0, 20.0],
            "month": ["2026-11", "2026-11"],
            "date": ["2026-11-01", "2026-11-02"],
        }
    )
    daily["sessions"] = 1
    assert money_axis_labels("zh") in _axis_exprs(kpis.daily_gmv_chart(daily, "zh").to_dict())
    hosts = pd.DataFrame(
        {"host": ["林晓雨"], "gmv": [99_024.0], "sessions": [1], "clicks": [1], "orders": [1]}
    )
    hosts["conversion_rate"] = 0.5
    assert money_axis_labels("zh") in _axis_exprs(rv.host_bars(hosts, "zh").to_dict())


def test_the_home_chart_draws_this_month_strong_on_the_days_shown():
    """Issue 20: this period's line is the strong one, the month before thin; the x axis spans the days
    shown (1–6 on the 7th), not a fixed 1–31."""
    from lib import kpis

    dates = pd.to_datetime([f"2026-11-0{d}" for d in range(1, 7)] + [f"2026-12-0{d}" for d in range(1, 7)])
    daily = pd.DataFrame({"date": dates, "gmv": range(12), "sessions": 1})
    daily["day"], daily["month"] = daily["date"].dt.day, daily["date"].dt.strftime("%Y-%m")
    encoding = kpis.daily_gmv_chart(daily, "zh").to_dict()["encoding"]
    assert encoding["x"]["scale"]["domain"] == [1, 6]
    widths = dict(
        zip(
            encoding["strokeWidth"]["scale"]["domain"], encoding["strokeWidth"]["scale"]["range"], strict=True
        )
    )
    assert widths["2026-12"] > widths["2026-11"]
    colours = dict(
        zip(encoding["color"]["scale"]["domain"], encoding["color"]["scale"]["range"], strict=True)
    )
    assert colours["2026-12"] == "#E4393C" != colours["2026-11"]
