"""Chart builders: valid Vega-Lite with tooltips, the target drawn as a line or a band."""

from __future__ import annotations

import datetime as dt

from lib import kpis
from lib.kpis import charts

WEEK = kpis.Filters(dt.date(2026, 11, 2), dt.date(2026, 11, 8))


def _layers(chart) -> list[dict]:
    return chart.to_dict()["layer"]


def test_charts_have_tooltips_and_targets(engine, truth):
    view = kpis.kpi_view(engine, WEEK, "day", "host")
    gmv = _layers(charts.trend(view.trend, "gmv"))
    assert gmv[0]["mark"]["type"] == "line" and gmv[0]["mark"]["strokeDash"] == [6, 4]  # target line
    assert all("tooltip" in layer["encoding"] for layer in gmv)
    duration = _layers(charts.trend(view.trend, "duration_hours"))
    assert duration[0]["mark"]["type"] == "area"  # 2–4 h band
    bullet = _layers(charts.bullet(view.ranking, "t"))
    assert "tooltip" in bullet[0]["encoding"] and bullet[1]["mark"]["type"] == "rule"
    funnel = charts.funnel(view.funnel, "t").to_dict()
    assert "tooltip" in funnel["encoding"]
    durations = _layers(charts.durations(view.durations, 2, 4, "t"))
    assert durations[0]["mark"]["type"] == "rect" and "tooltip" in durations[1]["encoding"]
    sessions = kpis.kpi_view(engine, WEEK, "session", "room")
    assert len(sessions.trend) == 30 and not sessions.truncated
    assert _layers(charts.trend(sessions.trend, "gmv", "label", "N"))[1]["encoding"]["x"]["type"] == "nominal"
