"""Chart builders: valid Vega-Lite with tooltips, the target drawn as a line or a band."""

from __future__ import annotations

import datetime as dt

import pytest

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


def _points(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def _line(chart) -> dict:
    return _layers(chart)[1]["encoding"]


def test_rates_plot_as_the_tiles_show_them(engine, truth):
    view = kpis.kpi_view(engine, WEEK, "day", "host")
    chart = charts.trend(view.trend, "conversion_rate")
    assert _line(chart)["y"]["axis"]["format"] == ".1%"  # 0.035 on the axis reads 3.5%
    value_tip = next(t for t in _line(chart)["tooltip"] if t["field"] == "value")
    assert value_tip["format"] == ".1%"
    tile = next(t for t in view.tiles if t["metric"] == "conversion_rate")
    buyers = sum(s["buyers"] for s in truth["truth"])
    viewers = sum(s["viewers"] for s in truth["truth"])
    assert tile["actual"] == buyers / viewers
    # each day's point is that day's rate; money keeps its own axis
    nov_2 = [s for s in truth["truth"] if s["start"].startswith("2026-11-02")]
    first = _points(chart)[0]
    assert first["x"].startswith("2026-11-02")
    expected = sum(s["buyers"] for s in nov_2) / sum(s["viewers"] for s in nov_2)
    assert abs(first["value"] - expected) < 1e-9
    assert "format" not in _line(charts.trend(view.trend, "gmv"))["y"].get("axis", {})


def test_session_trend_runs_left_to_right_in_time(engine, truth):
    view = kpis.kpi_view(engine, WEEK, "session", "host")
    labels = [p["x"] for p in _points(charts.trend(view.trend, "gmv", "label", "N"))]
    starts = sorted(s["start"] for s in truth["truth"])
    assert len(labels) == len(starts) == 30
    assert labels[0].startswith(dt.datetime.fromisoformat(starts[0]).strftime("%m-%d %H:%M"))
    assert labels[-1].startswith(dt.datetime.fromisoformat(starts[-1]).strftime("%m-%d %H:%M"))
    times = [dt.datetime.strptime("2026-" + label[:11], "%Y-%m-%d %H:%M") for label in labels]
    assert times == sorted(times)


def test_weekly_trend_starts_at_the_range_and_matches_the_tiles(engine, truth):
    """Nov 4–8 lies in the week of Monday Nov 2: its one weekly point sits at Nov 4 (not Nov 2), with the
    GMV of Nov 4–8, which is the tile's GMV."""
    part = kpis.Filters(dt.date(2026, 11, 4), dt.date(2026, 11, 8))
    view = kpis.kpi_view(engine, part, "week", "host")
    chart = charts.trend(view.trend, "gmv", clip_from=part.date_from)
    points = _points(chart)
    assert [p["x"][:10] for p in points] == ["2026-11-04"]
    in_range = [s for s in truth["truth"] if "2026-11-04" <= s["start"][:10] <= "2026-11-08"]
    assert points[0]["value"] == pytest.approx(sum(s["gmv"] for s in in_range))
    assert points[0]["value"] == next(t["actual"] for t in view.tiles if t["metric"] == "gmv")
    ticks = _line(chart)["x"]["axis"]["values"]
    assert ticks == [{"year": 2026, "month": 11, "date": 4}]  # a tick on the point, none on a Sunday
    unclipped = _points(charts.trend(view.trend, "gmv"))
    assert [p["x"][:10] for p in unclipped] == ["2026-11-02"]  # the group's own key is unchanged
