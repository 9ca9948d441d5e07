"""Altair builders of the review and PK pages: minute curves (time left to right) with incident spans and
product shelf times drawn on them, rate bars (as %), source bars, and two sessions' curves aligned by
minutes from their start. Titles and tooltips in `lang`; tooltip values through lib.core.formatting."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from lib.core.formatting import money_axis_labels
from lib.core.i18n import translate
from lib.review.present import cell, column_name, span_label

# The curves a user can pick: a name and the minute columns drawn (entering/leaving share one chart).
CURVES: dict[str, tuple[str, ...]] = {
    "online": ("online",),
    "flow": ("entering", "leaving"),
    "gmv": ("gmv",),
    "orders": ("orders",),
    "likes": ("likes",),
    "comments": ("comments",),
}
PK_CURVES: dict[str, tuple[str, ...]] = {
    **{k: v for k, v in CURVES.items() if k != "flow"},
    "gmv_cum": ("gmv_cum",),
}
UNITS = {"gmv": "cny", "gmv_cum": "cny"}
SPAN_COLOUR = "#c62828"
SHELF_COLOUR = "#757575"
# Two long session names: stacked, so the legend fits a phone.
PK_LEGEND = alt.Legend(orient="top", direction="vertical")
AXIS_FORMATS = {"cny": ",.0f", "pct": ".0%", "count": ",.0f"}


def _axis(unit: str, lang: str) -> alt.Axis:
    """A value axis in its unit; money in ¥ (and 万 on a Chinese screen)."""
    if unit == "cny":
        return alt.Axis(labelExpr=money_axis_labels(lang))
    return alt.Axis(format=AXIS_FORMATS[unit])


def _unit(column: str) -> str:
    return UNITS.get(column, "count")


def _long(frame: pd.DataFrame, x: str, columns: dict[str, str], unit: str, lang: str) -> pd.DataFrame:
    """Long form of `columns` ({frame column: series name}) with each value's text for the tooltip."""
    parts = []
    for column, name in columns.items():
        values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        parts.append(
            pd.DataFrame(
                {
                    "x": frame[x],
                    "series": name,
                    "value": values,
                    "text": [cell(v, unit, lang) for v in values],
                }
            )
        )
    return pd.concat(parts, ignore_index=True).dropna(subset=["value"])


def minute_curves(
    frame: pd.DataFrame, curve: str, spans: pd.DataFrame, windows: pd.DataFrame, lang: str
) -> alt.LayerChart | alt.FacetChart:
    """One curve (or two) per minute by clock time, the incidents as shaded spans labelled with their GMV
    at risk, and a dashed rule where each product first came on the shelf."""
    columns = {c: column_name(c, lang) for c in CURVES[curve]}
    unit = _unit(CURVES[curve][0])
    data = _long(frame, "at", columns, unit, lang)
    time = translate("review.page.col.at", lang)
    x = alt.X("x:T", title=None, axis=alt.Axis(format="%H:%M", labelAngle=0))
    line = (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=x,
            y=alt.Y("value:Q", title=" / ".join(columns.values()), axis=_axis(unit, lang)),
            color=alt.Color(
                "series:N", title=None, legend=alt.Legend(orient="top") if len(columns) > 1 else None
            ),
            tooltip=[
                alt.Tooltip("x:T", title=time, format="%H:%M"),
                alt.Tooltip("series:N", title=translate("review.page.series", lang)),
                alt.Tooltip("text:N", title=translate("review.page.value", lang)),
            ],
        )
    )
    layers: list[alt.Chart] = [*_span_layers(frame, spans, lang), *_shelf_layer(windows, lang), line]
    return alt.layer(*layers).properties(height=280)


def _zero(frame: pd.DataFrame) -> dt.datetime:
    first = frame.iloc[0]
    return pd.Timestamp(first["at"]).to_pydatetime() - dt.timedelta(minutes=int(first["minute"]))


def _span_layers(frame: pd.DataFrame, spans: pd.DataFrame, lang: str) -> list[alt.Chart]:
    if spans.empty or frame.empty:
        return []
    zero = _zero(frame)
    data = pd.DataFrame(
        {
            "start": [zero + dt.timedelta(minutes=int(m)) for m in spans["start_minute"]],
            "end": [zero + dt.timedelta(minutes=int(m) + 1) for m in spans["end_minute"]],
            "label": [span_label(r, lang) for _, r in spans.iterrows()],
            "risk": [cell(v, "cny", lang) for v in spans["gmv_at_risk"]],
        }
    )
    tooltip = [alt.Tooltip("label:N", title=translate("review.page.incident", lang))]
    band = (
        alt.Chart(data)
        .mark_rect(opacity=0.18, color=SPAN_COLOUR)
        .encode(x=alt.X("start:T"), x2=alt.X2("end:T"), tooltip=tooltip)
    )
    text = (
        alt.Chart(data)
        .mark_text(color=SPAN_COLOUR, dy=-2, align="left", baseline="top", fontSize=11)
        .encode(x=alt.X("start:T"), y=alt.value(2), text=alt.Text("risk:N"), tooltip=tooltip)
    )
    return [band, text]


def _shelf_layer(windows: pd.DataFrame, lang: str) -> list[alt.Chart]:
    shelved = windows.dropna(subset=["first_on_shelf"]) if not windows.empty else windows
    if shelved.empty:
        return []
    data = pd.DataFrame(
        {
            "at": pd.to_datetime(shelved["first_on_shelf"]),
            "name": [cell(v, "text", lang) for v in shelved["name"]],
            "explain": [cell(v, "s", lang) for v in shelved["explain_seconds"]],
        }
    )
    return [
        alt.Chart(data)
        .mark_rule(color=SHELF_COLOUR, strokeDash=[3, 3], opacity=0.6)
        .encode(
            x=alt.X("at:T"),
            tooltip=[
                alt.Tooltip("at:T", title=column_name("first_on_shelf", lang), format="%H:%M"),
                alt.Tooltip("name:N", title=column_name("name", lang)),
                alt.Tooltip("explain:N", title=column_name("explain_seconds", lang)),
            ],
        )
    ]


def rate_bars(top: pd.DataFrame, lang: str) -> alt.Chart:
    """Click rate and click-to-order rate of the top products as grouped bars (in %)."""
    names = {
        "click_rate": column_name("click_rate", lang),
        "conversion_rate": column_name("conversion_rate", lang),
    }
    data = _long(top.assign(label=top["name"].astype(str)), "label", names, "pct", lang)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("x:N", title=None, sort=None),
            x=alt.X("value:Q", title=None, axis=alt.Axis(format=".0%")),
            yOffset=alt.YOffset("series:N"),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("x:N", title=column_name("name", lang)),
                alt.Tooltip("series:N", title=translate("review.page.series", lang)),
                alt.Tooltip("text:N", title=translate("review.page.value", lang)),
            ],
        )
    )


def source_bars(frame: pd.DataFrame, measure: str, lang: str) -> alt.Chart:
    """One bar per traffic source (viewers or GMV), most first, with its share in the tooltip."""
    unit = "cny" if measure == "gmv" else "count"
    data = pd.DataFrame(
        {
            "source": frame["source"].astype(str),
            "value": pd.to_numeric(frame[measure], errors="coerce").astype("float64"),
            "text": [cell(v, unit, lang) for v in frame[measure]],
            "share": [cell(v, "pct", lang) for v in frame[f"{measure}_share"]],
        }
    )
    return (
        alt.Chart(data, title=column_name(measure, lang))
        .mark_bar()
        .encode(
            y=alt.Y("source:N", title=None, sort="-x"),
            x=alt.X("value:Q", title=None, axis=_axis(unit, lang)),
            tooltip=[
                alt.Tooltip("source:N", title=column_name("source", lang)),
                alt.Tooltip("text:N", title=column_name(measure, lang)),
                alt.Tooltip("share:N", title=column_name(f"{measure}_share", lang)),
            ],
        )
    )


def pk_curves(frame: pd.DataFrame, curve: str, labels: tuple[str, str], lang: str) -> alt.Chart:
    """Both sessions' curve by minutes from each start (A and B named by `labels`)."""
    column = PK_CURVES[curve][0]
    unit = _unit(column)
    data = _long(frame, "minute", {f"{column}_a": labels[0], f"{column}_b": labels[1]}, unit, lang)
    minute = translate("review.pk.minute", lang)
    return (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=alt.X("x:Q", title=minute),
            y=alt.Y("value:Q", title=column_name(column, lang), axis=_axis(unit, lang)),
            color=alt.Color("series:N", title=None, sort=list(labels), legend=PK_LEGEND),
            tooltip=[
                alt.Tooltip("x:Q", title=minute),
                alt.Tooltip("series:N", title=translate("review.page.series", lang)),
                alt.Tooltip("text:N", title=column_name(column, lang)),
            ],
        )
        .properties(height=280)
    )


def pk_bars(frame: pd.DataFrame, key: str, measure: str, labels: tuple[str, str], lang: str) -> alt.Chart:
    """Grouped bars of `measure` per `key` (source or product name) for both sessions."""
    unit = "cny" if measure == "gmv" else "count"
    data = _long(
        frame.assign(label=frame[key].astype(str)),
        "label",
        {f"{measure}_a": labels[0], f"{measure}_b": labels[1]},
        unit,
        lang,
    )
    return (
        alt.Chart(data, title=column_name(measure, lang))
        .mark_bar()
        .encode(
            y=alt.Y("x:N", title=None, sort=None),
            x=alt.X("value:Q", title=None, axis=_axis(unit, lang)),
            yOffset=alt.YOffset("series:N", sort=list(labels)),
            color=alt.Color("series:N", title=None, sort=list(labels), legend=PK_LEGEND),
            tooltip=[
                alt.Tooltip("x:N", title=column_name(key, lang)),
                alt.Tooltip("series:N", title=translate("review.page.series", lang)),
                alt.Tooltip("text:N", title=column_name(measure, lang)),
            ],
        )
    )


def host_bars(hosts: pd.DataFrame, lang: str) -> alt.Chart:
    """A product's GMV per host (best seller first), conversion and sessions in the tooltip."""
    data = pd.DataFrame(
        {
            "host": hosts["host"].astype(str),
            "value": pd.to_numeric(hosts["gmv"], errors="coerce").astype("float64"),
            "gmv": [cell(v, "cny", lang) for v in hosts["gmv"]],
            "conversion": [cell(v, "pct", lang) for v in hosts["conversion_rate"]],
            "sessions": [cell(v, "count", lang) for v in hosts["sessions"]],
        }
    )
    return (
        alt.Chart(data, title=column_name("gmv", lang))
        .mark_bar()
        .encode(
            y=alt.Y("host:N", title=None, sort="-x"),
            x=alt.X("value:Q", title=None, axis=_axis("cny", lang)),
            tooltip=[
                alt.Tooltip("host:N", title=column_name("host", lang)),
                alt.Tooltip("gmv:N", title=column_name("gmv", lang)),
                alt.Tooltip("conversion:N", title=column_name("conversion_rate", lang)),
                alt.Tooltip("sessions:N", title=column_name("sessions", lang)),
            ],
        )
    )
