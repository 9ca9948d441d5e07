"""Tables of the PK page (two sessions side by side) and of the products page (one product across
sessions) for a language; every value through lib.core.formatting, headers from the catalogue."""

from __future__ import annotations

import pandas as pd

from lib.core.formatting import format_change, format_metric, format_points, number_or_none
from lib.core.i18n import translate
from lib.core.metrics import metric
from lib.review.present import cell, column_name, table_cell

# Compared per product / per source in a PK: (field, unit) shown for A and B.
PK_PRODUCT_FIELDS = (("gmv", "cny"), ("orders", "count"), ("click_rate", "pct"), ("conversion_rate", "pct"))
PK_SOURCE_FIELDS = (("viewers", "count"), ("viewers_share", "pct"), ("gmv", "cny"))


def _diff_text(key: str, diff: float | None, lang: str) -> str:
    """A − B in the metric's unit; rates in percentage points."""
    if diff is None:
        return translate("common.no_data", lang)
    if metric(key).unit == "pct":
        sign = "+" if diff >= 0 else "−"
        return translate("review.pk.points", lang, sign=sign, points=format_points(diff))
    text = format_metric(key, abs(diff), lang)
    return ("+" if diff >= 0 else "−") + text


def pk_totals_table(totals: pd.DataFrame, labels: tuple[str, str], lang: str) -> pd.DataFrame:
    """One row per PK metric: its name, A, B, A − B and (A − B) / B."""
    rows = []
    for _, r in totals.iterrows():
        key = r["metric"]
        a, b = number_or_none(r["a"]), number_or_none(r["b"])
        diff, pct = number_or_none(r["diff"]), number_or_none(r["diff_pct"])
        rows.append(
            {
                translate("review.pk.metric", lang): metric(key).name(lang),
                labels[0]: format_metric(key, a, lang),
                labels[1]: format_metric(key, b, lang),
                translate("review.pk.diff", lang): _diff_text(key, diff, lang),
                translate("review.pk.diff_pct", lang): format_change(pct)
                or translate("common.no_data", lang),
            }
        )
    return pd.DataFrame(rows)


def _pk_compare(
    frame: pd.DataFrame, key: str, fields: tuple[tuple[str, str], ...], labels: tuple[str, str], lang: str
) -> pd.DataFrame:
    out = {column_name(key, lang): [cell(v, "text", lang) for v in frame[key]]}
    for field, unit in fields:
        for suffix, label in zip(("a", "b"), labels, strict=True):
            out[f"{column_name(field, lang)} · {label}"] = [
                table_cell(v, unit, lang) for v in frame[f"{field}_{suffix}"]
            ]
    out[translate("review.pk.gmv_diff", lang)] = [
        translate("common.no_data", lang) if number_or_none(v) is None else _diff_text("gmv", float(v), lang)
        for v in frame["gmv_diff"]
    ]
    return pd.DataFrame(out)


def pk_products_table(frame: pd.DataFrame, labels: tuple[str, str], lang: str) -> pd.DataFrame:
    """Products of both sessions: name, GMV, orders and rates for A and B, GMV difference."""
    return _pk_compare(frame, "name", PK_PRODUCT_FIELDS, labels, lang)


def pk_sources_table(frame: pd.DataFrame, labels: tuple[str, str], lang: str) -> pd.DataFrame:
    """Traffic sources of both sessions: viewers, their share and GMV for A and B, GMV difference."""
    return _pk_compare(frame, "source", PK_SOURCE_FIELDS, labels, lang)
