"""Altair charts of the incident-duration report (data from lib.incidents.report); titles in `lang`."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from lib.core.formatting import category_name
from lib.core.i18n import translate

SEVERITY_COLOURS = {"simple": "#4e79a7", "complex": "#f28e2b", "major": "#c62828"}
SLA_COLOUR = "#c62828"


def _severity_scale(lang: str) -> alt.Scale:
    return alt.Scale(
        domain=[translate(f"incidents.severity.{s}", lang) for s in SEVERITY_COLOURS],
        range=list(SEVERITY_COLOURS.values()),
    )


def _with_severity_label(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = frame.copy()
    out["severity_label"] = [translate(f"incidents.severity.{s}", lang) for s in out["severity"]]
    if "category" in out:  # the facets' and tooltips' names in the reader's language
        out["category"] = [category_name(c, lang) for c in out["category"]]
    return out


def resolve_distribution(frame: pd.DataFrame, lang: str) -> alt.FacetChart:
    """Bars of resolve time (1-minute bins) per category, stacked by severity, with dashed SLA lines."""
    data = _with_severity_label(frame, lang)
    data["kind"] = "bar"
    rules = data.drop_duplicates(["category", "severity"]).assign(kind="sla", count=0)
    data = pd.concat([data, rules], ignore_index=True)
    minute_title = translate("incidents.col.minute", lang)
    color = alt.Color(
        "severity_label:N", title=translate("incidents.field.severity", lang), scale=_severity_scale(lang)
    )
    bars = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "bar")
        .mark_bar()
        .encode(
            x=alt.X("minute:Q", title=minute_title, bin=False),
            y=alt.Y("sum(count):Q", title=translate("incidents.col.count", lang)),
            color=color,
            tooltip=[
                alt.Tooltip("severity_label:N", title=translate("incidents.field.severity", lang)),
                alt.Tooltip("minute:Q", title=minute_title),
                alt.Tooltip("sum(count):Q", title=translate("incidents.col.count", lang)),
            ],
        )
    )
    sla = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "sla")
        .mark_rule(strokeDash=[6, 3], size=2)
        .encode(
            x=alt.X("sla_minutes:Q"),
            color=color,
            tooltip=[
                alt.Tooltip("severity_label:N", title=translate("incidents.field.severity", lang)),
                alt.Tooltip("sla_minutes:Q", title=translate("incidents.col.sla_minutes", lang)),
            ],
        )
    )
    return (
        alt.layer(bars, sla, data=data)
        .properties(height=160, width=280)
        .facet(facet=alt.Facet("category:N", title=None), columns=2)
        .resolve_scale(y="independent")
    )


def weekly_trend(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Median and p90 of respond and resolve minutes per week (frame: report grouped by week)."""
    measures = {"respond": "incidents.field.respond_minutes", "resolve": "incidents.field.resolve_minutes"}
    cols = {
        f"{m}_{p}": f"{translate(key, lang)} {translate(f'incidents.report.{p}', lang)}"
        for m, key in measures.items()
        for p in ("p50", "p90")
    }
    data = frame[["group", *cols]].melt(id_vars="group", var_name="measure", value_name="minutes")
    data["measure"] = data["measure"].map(cols)
    data["week"] = pd.to_datetime(data["group"])
    return (
        alt.Chart(data.dropna(subset=["minutes"]))
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title=translate("incidents.group.week", lang), axis=alt.Axis(format="%m-%d")),
            y=alt.Y("minutes:Q", title=translate("incidents.col.value", lang)),
            color=alt.Color("measure:N", title=translate("incidents.col.measure", lang)),
            tooltip=[
                alt.Tooltip("week:T", title=translate("incidents.group.week", lang)),
                alt.Tooltip("measure:N", title=translate("incidents.col.measure", lang)),
                alt.Tooltip("minutes:Q", title=translate("incidents.col.value", lang), format=".2f"),
            ],
        )
        .properties(height=280)
    )


def attainment_by_department(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """SLA attainment % per owner department (frame: report grouped by department)."""
    data = frame.assign(group=frame["group"].fillna(translate("incidents.none", lang)))
    return (
        alt.Chart(data.dropna(subset=["sla_attainment"]))
        .mark_bar()
        .encode(
            x=alt.X(
                "sla_attainment:Q",
                title=translate("incidents.col.sla_attainment", lang),
                scale=alt.Scale(domain=[0, 100]),
            ),
            y=alt.Y("group:N", title=translate("incidents.group.department", lang), sort="-x"),
            tooltip=[
                alt.Tooltip("group:N", title=translate("incidents.group.department", lang)),
                alt.Tooltip(
                    "sla_attainment:Q", title=translate("incidents.col.sla_attainment", lang), format=".2f"
                ),
                alt.Tooltip("count:Q", title=translate("incidents.col.count", lang)),
                alt.Tooltip("breaches:Q", title=translate("incidents.col.breaches", lang)),
            ],
        )
        .properties(height=alt.Step(28))
    )


def session_timeline(frame: pd.DataFrame, as_of: dt.datetime, lang: str) -> alt.LayerChart | alt.FacetChart:
    """One session's incidents: a bar from detection to resolution (to now when open), a tick at response."""
    data = _with_severity_label(frame, lang)
    data["label"] = [f"#{i} {c}" for i, c in zip(data["id"], data["category"], strict=True)]
    # An open incident's bar runs to a few minutes past the session's last known time (not to now, which
    # could be days later and squash the rest); it is drawn lighter.
    known = pd.concat([data["detected_at"], data["responded_at"], data["resolved_at"]]).dropna()
    open_end = min(pd.Timestamp(as_of), known.max() + pd.Timedelta(minutes=5))
    data["open"] = data["resolved_at"].isna()
    data["end"] = data["resolved_at"].fillna(open_end)
    tooltip = [
        alt.Tooltip("label:N", title=translate("incidents.field.category", lang)),
        alt.Tooltip("detected_at:T", title=translate("incidents.field.detected_at", lang), format="%H:%M:%S"),
        alt.Tooltip(
            "responded_at:T", title=translate("incidents.field.responded_at", lang), format="%H:%M:%S"
        ),
        alt.Tooltip("resolved_at:T", title=translate("incidents.field.resolved_at", lang), format="%H:%M:%S"),
        alt.Tooltip("handler:N", title=translate("incidents.field.handler", lang)),
    ]
    base = alt.Chart(data).encode(y=alt.Y("label:N", title=None, sort=None), tooltip=tooltip)
    bars = base.mark_bar(height=14).encode(
        x=alt.X("detected_at:T", title=translate("incidents.col.time", lang), axis=alt.Axis(format="%H:%M")),
        x2=alt.X2("end:T"),
        color=alt.Color(
            "severity_label:N", title=translate("incidents.field.severity", lang), scale=_severity_scale(lang)
        ),
        opacity=alt.condition(alt.datum.open, alt.value(0.35), alt.value(1.0)),
    )
    ticks = base.mark_tick(color="black", thickness=2, size=18).encode(x=alt.X("responded_at:T"))
    return alt.layer(bars, ticks).properties(height=alt.Step(26))
