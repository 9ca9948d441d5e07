"""Altair charts of survey results; axis titles and markers in the given language."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lib.core.i18n import translate
from lib.surveys.model import SCORES, RoundResults
from lib.surveys.present import pair_frame


def pair_heatmap(res: RoundResults, lang: str, question: str | None = None) -> alt.Chart:
    """Heat map of the pair matrix: colour = mean (1–5), hidden cells grey with a marker."""
    frame = pair_frame(res, question)
    hidden = translate("survey.results.hidden", lang)
    data = frame.assign(label=frame["mean"].map(lambda v: f"{v:.2f}" if pd.notna(v) else hidden))
    base = alt.Chart(data).encode(
        x=alt.X(
            "rated:N",
            title=translate("survey.results.rated", lang),
            axis=alt.Axis(labelAngle=0, orient="top"),
        ),
        y=alt.Y("rater:N", title=translate("survey.results.rater", lang)),
    )
    rect = base.mark_rect().encode(
        color=alt.condition(
            "datum.shown",
            alt.Color(
                "mean:Q",
                scale=alt.Scale(domain=[1, 5], domainMid=res.target, scheme="redyellowgreen"),
                title=None,
            ),
            alt.value("#d9d9d9"),
        ),
        tooltip=[
            alt.Tooltip("rater:N"),
            alt.Tooltip("rated:N"),
            alt.Tooltip("mean:Q", format=".2f"),
            alt.Tooltip("responses:Q"),
        ],
    )
    return (rect + base.mark_text(fontSize=13).encode(text=alt.Text("label:N"))).properties(
        height=alt.Step(44)
    )


def _target_rule(target: float) -> alt.Chart:
    return (
        alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[6, 4]).encode(y=alt.Y("target:Q"))
    )


def target_bars(frame: pd.DataFrame, target: float, lang: str) -> alt.Chart:
    """Shown department means as bars (green when on target) with the target as a dashed rule."""
    bars = (
        alt.Chart(frame[frame["shown"] & frame["mean"].notna()])
        .mark_bar()
        .encode(
            x=alt.X("department:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("mean:Q", scale=alt.Scale(domain=[0, 5]), title=translate("survey.results.mean", lang)),
            color=alt.condition(alt.datum.meets_target, alt.value("#2e7d32"), alt.value("#c62828")),
            tooltip=[alt.Tooltip("department:N"), alt.Tooltip("mean:Q", format=".2f")],
        )
    )
    return bars + _target_rule(target)


def distribution_chart(shares: tuple[float, ...], lang: str) -> alt.Chart:
    """Share of each score 1–5 (whole percent)."""
    data = pd.DataFrame({"score": list(SCORES), "share": list(shares)})
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("score:O", title=translate("survey.results.score", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title=translate("survey.results.share", lang), axis=alt.Axis(format="%")),
            tooltip=[alt.Tooltip("score"), alt.Tooltip("share:Q", format=".0%")],
        )
    )


def trend_chart(frame: pd.DataFrame, target: float, lang: str) -> alt.Chart:
    """Shown department means per closed round, one line per department, with the target rule."""
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("mean:Q", scale=alt.Scale(domain=[1, 5]), title=translate("survey.results.mean", lang)),
            color=alt.Color("department:N", title=None),
            tooltip=[
                alt.Tooltip("round:N"),
                alt.Tooltip("department:N"),
                alt.Tooltip("mean:Q", format=".2f"),
            ],
        )
    )
    return lines + _target_rule(target)
