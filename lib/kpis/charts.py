"""The KPI page's Altair charts (every chart has tooltips; titles from the i18n catalogue in `lang`)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from lib.core.formatting import money_axis_labels
from lib.core.i18n import translate
from lib.core.metrics import metric

STATUS_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "no_data": "#9e9e9e"}
# d3 formats that show a value as its tile does (lib.core.formatting): rates as percentages to 0.1.
UNIT_FORMATS = {"cny": ",.2f", "pct": ".1%", "s": ",.0f", "h": ".1f", "people": ",.0f", "count": ",.0f"}
CURRENT_COLOUR = "#E4393C"  # the theme's accent: this period's line
AXIS_FORMATS = {"pct": ".1%"}  # the axis of a rate in % (money and counts keep d3's own)
MAX_TICKED_POINTS = 12  # up to this many points (weeks, months) each gets its own tick, and no other


def _fmt(metric_key: str) -> str:
    return UNIT_FORMATS.get(metric(metric_key).unit, ",.2f")


def _x_values(data: pd.DataFrame, x_type: str, clip_from: dt.date | None) -> pd.Series:
    """The x of each point: a time group starts at its group's first day, clipped to the range's first day
    (a week or month that began before the range shows from where the range starts)."""
    if x_type != "T":
        return data["x"]
    days = pd.to_datetime(data["x"])
    return days.clip(lower=pd.Timestamp(clip_from)) if clip_from is not None else days  # type: ignore[call-overload]  # stubs: numbers only


def _x_axis(x: pd.Series, x_type: str, date_format: str) -> alt.Axis:
    if x_type != "T":
        return alt.Axis(labelAngle=-45)
    if len(x) <= MAX_TICKED_POINTS:  # one tick per point: d3's own ticks fall on Sundays, not the points
        ticks = [alt.DateTime(year=d.year, month=d.month, date=d.day) for d in x]
        return alt.Axis(format=date_format, labelAngle=0, values=ticks)
    return alt.Axis(format=date_format, labelAngle=0)


def trend(
    frame: pd.DataFrame,
    metric_key: str,
    x_field: str = "group",
    x_type: str = "T",
    date_format: str = "%m-%d",
    lang: str = "zh",
    clip_from: dt.date | None = None,
) -> alt.LayerChart | alt.FacetChart:
    """The metric over time (or per session, in the frame's order: oldest first) with its target as a
    dashed line, or a band for between. Rates plot as percentages, as the tiles show them."""
    m = metric(metric_key)
    name = m.name(lang)
    data = frame[[x_field, metric_key, f"{metric_key}__target", f"{metric_key}__target_high"]].copy()
    data.columns = ["x", "value", "target", "target_high"]
    data["x"] = _x_values(data, x_type, clip_from)
    data["value"] = pd.to_numeric(data["value"], errors="coerce")
    data["target"] = pd.to_numeric(data["target"], errors="coerce")
    data["target_high"] = pd.to_numeric(data["target_high"], errors="coerce")
    x = alt.X(f"x:{x_type}", title=None, sort=None, axis=_x_axis(data["x"], x_type, date_format))
    tooltip = [
        alt.Tooltip(
            f"x:{x_type}",
            title=translate("kpis.group", lang),
            format=date_format if x_type == "T" else alt.Undefined,
        ),
        alt.Tooltip("value:Q", title=name, format=_fmt(metric_key)),
        alt.Tooltip("target:Q", title=translate("kpis.target", lang), format=_fmt(metric_key)),
    ]
    y_axis = alt.Axis(format=AXIS_FORMATS[m.unit]) if m.unit in AXIS_FORMATS else alt.Axis()
    if m.unit == "cny":  # ¥ on the axis (Vega's own currency is $), 万 on a Chinese screen
        y_axis = alt.Axis(labelExpr=money_axis_labels(lang))
    base = alt.Chart(data)
    line = base.mark_line(point=True).encode(
        x=x, y=alt.Y("value:Q", title=name, axis=y_axis), tooltip=tooltip
    )
    if data["target_high"].notna().any():
        target = base.mark_area(opacity=0.18, color=STATUS_COLOURS["green"]).encode(
            x=x, y=alt.Y("target:Q"), y2=alt.Y2("target_high:Q"), tooltip=tooltip
        )
    else:
        target = base.mark_line(strokeDash=[6, 4], color=STATUS_COLOURS["red"]).encode(
            x=x, y=alt.Y("target:Q"), tooltip=tooltip
        )
    return alt.layer(target, line)


BULLET_ROWS = 30  # the ranking is sorted by GMV: the chart shows the top of it, the table shows all


def bullet(ranking: pd.DataFrame, title: str, lang: str = "zh") -> alt.LayerChart | alt.FacetChart:
    """GMV achievement per group (the BULLET_ROWS highest GMV) as bars coloured by status, with 100 %."""
    data = ranking[["group", "gmv", "gmv_achievement", "status"]].dropna(subset=["gmv_achievement"])
    data = data.head(BULLET_ROWS).copy()
    data["group"] = data["group"].astype(str)
    data["status_text"] = data["status"].map(lambda s: translate(f"kpis.status.{s}", lang))
    colour = alt.Color(
        "status:N",
        scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
        legend=None,
    )
    bars = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("group:N", sort="-x", title=None),
            x=alt.X(
                "gmv_achievement:Q", title=translate("kpis.achievement", lang), axis=alt.Axis(format="%")
            ),
            color=colour,
            tooltip=[
                alt.Tooltip("group:N", title=translate("kpis.group", lang)),
                alt.Tooltip("gmv:Q", title=metric("gmv").name(lang), format=",.2f"),
                alt.Tooltip("gmv_achievement:Q", title=translate("kpis.achievement", lang), format=".1%"),
                alt.Tooltip("status_text:N", title=translate("kpis.status_col", lang)),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"x": [1.0]}))
        .mark_rule(strokeDash=[4, 3], color="black")
        .encode(x=alt.X("x:Q"))
    )
    return alt.layer(bars, rule)


def funnel(steps: list[tuple[str, float]], title: str, lang: str = "zh") -> alt.Chart:
    """Exposure -> viewers -> product clicks -> buyers as horizontal bars with the step-to-step rate."""
    rows, previous = [], None
    for order, (step, value) in enumerate(steps):
        rate: float | None = None if not previous else value / previous
        rows.append(
            {"order": order, "step": translate(f"kpis.step.{step}", lang), "value": value, "rate": rate}
        )
        previous = value
    data = pd.DataFrame(rows)
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("step:N", sort=alt.EncodingSortField("order"), title=None),
            x=alt.X("value:Q", title=None),
            tooltip=[
                alt.Tooltip("step:N", title=translate("kpis.group", lang)),
                alt.Tooltip("value:Q", title=translate("kpis.session.value", lang), format=",.0f"),
                alt.Tooltip("rate:Q", title=translate("kpis.step_rate", lang), format=".1%"),
            ],
        )
    )


def durations(
    frame: pd.DataFrame, low: float | None, high: float | None, title: str, lang: str = "zh"
) -> alt.LayerChart | alt.FacetChart:
    """Sessions per half-hour of duration, with the target band (2–4 h by default) shaded."""
    data = frame.copy()
    data["hours_to"] = data["hours_from"] + 0.5
    bars = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X(
                "hours_from:Q",
                bin="binned",
                title=translate("kpis.hours_from", lang),
                axis=alt.Axis(values=list(range(0, 8))),
            ),
            x2=alt.X2("hours_to:Q"),
            y=alt.Y("sessions:Q", title=translate("kpis.sessions", lang)),
            tooltip=[
                alt.Tooltip("hours_from:Q", title=translate("kpis.hours_from", lang), format=".1f"),
                alt.Tooltip("sessions:Q", title=translate("kpis.sessions", lang)),
            ],
        )
    )
    if low is None:
        return alt.layer(bars)
    band = pd.DataFrame({"low": [low], "high": [high if high is not None else low]})
    shade = (
        alt.Chart(band)
        .mark_rect(opacity=0.15, color=STATUS_COLOURS["green"])
        .encode(x=alt.X("low:Q"), x2=alt.X2("high:Q"))
    )
    return alt.layer(shade, bars)


def daily_gmv(daily: pd.DataFrame, lang: str) -> alt.Chart:
    """The home page's GMV per day of month, this period against the same days one month earlier: this
    period the strong red line, the earlier one thin, grey and dashed; the x axis spans the days shown."""
    months = sorted(daily["month"].unique()) if not daily.empty else []
    current = months[-1] if months else ""
    earlier = [m for m in months if m != current]
    domain = [*earlier, current]
    last_day = int(daily["day"].max()) if not daily.empty else 31
    return (
        alt.Chart(daily)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "day:Q",
                title=translate("overview.day_of_month", lang),
                scale=alt.Scale(domain=[1, max(last_day, 2)]),
                axis=alt.Axis(format="d", tickMinStep=1),
            ),
            y=alt.Y(
                "gmv:Q", title=metric("gmv").name(lang), axis=alt.Axis(labelExpr=money_axis_labels(lang))
            ),
            color=alt.Color(
                "month:N",
                title=translate("overview.month", lang),
                scale=alt.Scale(domain=domain, range=[*(["#9AA0A6"] * len(earlier)), CURRENT_COLOUR]),
                legend=alt.Legend(orient="top"),  # above the chart: a phone keeps its width for the days
            ),
            strokeWidth=alt.StrokeWidth(  # one legend: color, width and dash share the month field
                "month:N",
                title=translate("overview.month", lang),
                scale=alt.Scale(domain=domain, range=[*([1.5] * len(earlier)), 3.5]),
            ),
            strokeDash=alt.StrokeDash(
                "month:N",
                title=translate("overview.month", lang),
                scale=alt.Scale(domain=domain, range=[*([[5, 4]] * len(earlier)), [1, 0]]),
            ),
            tooltip=[alt.Tooltip("date:T"), alt.Tooltip("gmv:Q", format=",.2f"), alt.Tooltip("sessions:Q")],
        )
    )
