"""KPI texts and charts follow the language they are given (lib.kpis reads no session state)."""

from __future__ import annotations

import datetime as dt

from lib import kpis

WEEK = kpis.Filters(dt.date(2026, 11, 2), dt.date(2026, 11, 8))


def test_choice_labels_and_captions_in_the_given_language():
    assert kpis.choice_label("platform", "douyin", "zh") == "抖音"
    assert kpis.choice_label("platform", "douyin", "en") == "Douyin"
    assert kpis.choice_label("room", "", "en") == "All"
    assert kpis.choice_label("room", "A 号间", "en") == "A 号间"
    no_target = {"metric": "gmv", "actual": 1.0, "target": None, "achievement": None}
    assert kpis.tile_caption(no_target, "zh") == "未设目标"
    assert kpis.tile_caption(no_target, "en") == "No target"


def test_chart_titles_in_the_given_language(engine, truth):
    view = kpis.kpi_view(engine, WEEK, "day", "host")
    english = kpis.trend_chart(view.trend, "gmv", lang="en").to_dict()
    chinese = kpis.trend_chart(view.trend, "gmv", lang="zh").to_dict()
    titles = lambda spec: [t["title"] for t in spec["layer"][1]["encoding"]["tooltip"]]  # noqa: E731
    assert titles(english)[0] == "Name" and titles(chinese)[0] == "名称"
    flags = [{"group": "h", "metric": "gmv_per_session", "value": 1.0, "reference": 2.0, "reason": "normal"}]
    assert list(kpis.flags_frame(flags, "en").columns) != list(kpis.flags_frame(flags, "zh").columns)
