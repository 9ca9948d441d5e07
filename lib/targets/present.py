"""The targets table for a language."""

from __future__ import annotations

import pandas as pd

from lib.core.formatting import format_value
from lib.core.i18n import translate
from lib.core.metrics import METRICS


def display_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Targets with names in `lang`; percentages shown as percent text, the other values as numbers."""
    out = pd.DataFrame(
        {
            translate("kpis.targets.metric", lang): frame["metric"].map(lambda k: METRICS[k].name(lang)),
            translate("kpis.targets.scope_kind", lang): frame["scope_kind"].map(
                lambda k: translate(f"kpis.scope.{k}", lang)
            ),
            translate("kpis.targets.scope_value", lang): frame["scope"],
            translate("kpis.targets.month_from", lang): frame["month_from"],
            translate("kpis.targets.kind", lang): frame["kind"].map(
                lambda k: translate(f"kpis.kind.{k}", lang)
            ),
            translate("kpis.targets.value", lang): [
                format_value(v, METRICS[m].unit, lang)
                + ("" if h is None or pd.isna(h) else " – " + format_value(h, METRICS[m].unit, lang))
                for m, v, h in zip(frame["metric"], frame["value"], frame["value_high"], strict=True)
            ],
            translate("kpis.targets.period", lang): frame["period"].map(
                lambda p: translate(f"kpis.targets.period_{p}", lang)
            ),
            translate("kpis.targets.set_by", lang): frame["set_by"],
            translate("kpis.targets.set_at", lang): frame["set_at"],
        }
    )
    return out
