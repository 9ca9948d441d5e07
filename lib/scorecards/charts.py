"""Scorecard charts (Altair), titles in the given language."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lib.core.i18n import translate


def trend_chart(lines: pd.DataFrame, lang: str) -> alt.Chart:
    """Each person's monthly total (rankings.trend rows of one position), a line per person."""
    return (
        alt.Chart(lines, title=translate("scorecards.trend", lang))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title=translate("scorecards.month", lang)),
            y=alt.Y("total:Q", title=translate("scorecards.col.total", lang)),
            color=alt.Color("person:N", title=translate("scorecards.col.person", lang)),
            tooltip=[alt.Tooltip("month"), alt.Tooltip("person"), alt.Tooltip("total:Q", format=".2f")],
        )
        .properties(height=220)
    )
