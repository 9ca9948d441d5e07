"""Scorecard tables and texts for a language: the position tables and their export, a card's KPI table
and the rows behind it, quarter, team and promotion tables, the definition editor's table. Every function
takes `lang`; numbers stay numbers where a table sorts or exports them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from lib.core.errors import CodedError
from lib.core.formatting import format_value, md_escape, table_format, typed_from_stored, unit_label
from lib.core.i18n import translate
from lib.core.metrics import METRICS
from lib.scorecards.definitions import EPS, POSITIONS, SC_KPIS, Definition
from lib.scorecards.scoring import Card, round_or_none

# How a KPI's actual and target show in a position table, by unit (printf formats; "percent" for %).
UNIT_FORMATS = {
    "pct": "percent",
    "cny": table_format("cny"),
    "s": "%.0f s",
    "h": "%.1f h",
    "min": "%.1f min",
    "score": "%.2f",
    "per10": "%.2f",
}
ROW_LABELS = {
    "sessions": "scorecards.rows.sessions",
    "incidents": "scorecards.rows.incidents",
    "manual": "scorecards.rows.manual",
}


def kpi_name(key: str, lang: str) -> str:
    if key in METRICS:
        return METRICS[key].name(lang)
    return translate(f"scorecards.kpi.{key}", lang)


def position_name(key: str, lang: str) -> str:
    return translate(f"scorecards.position.{key}", lang)


def error_text(exc: CodedError, lang: str) -> str:
    """A refusal's message with its parameters made inert for Markdown (they may be typed by a user)."""
    return translate(exc.key(), lang, **{k: md_escape(v) for k, v in exc.params.items()})


def kpi_unit(key: str) -> str:
    return SC_KPIS[key].unit if key in SC_KPIS else "score"


LEAD_COLUMNS = ("person", "total", "grade", "rank", "change", "team")  # who is where, before any KPI


def position_frame(
    cards: list[Card], lang: str, previous: Mapping[int, float | None] | None = None
) -> pd.DataFrame:
    """One position's table: person, total, grade, rank, change of the total against `previous` (person id
    -> last month's total, when given), team, then per KPI actual / target / achievement / points (numbers
    stay numbers: percentages as fractions, so an export can compute with them)."""
    col = {c: translate(f"scorecards.col.{c}", lang) for c in LEAD_COLUMNS}
    records = []
    for c in cards:
        rec: dict[str, Any] = {
            col["person"]: c.person,
            col["total"]: round_or_none(c.total, 2),
            col["grade"]: c.grade or translate("common.no_data", lang),
            col["rank"]: c.rank,
        }
        if previous is not None:
            before = previous.get(c.person_id)
            rec[col["change"]] = None if c.total is None or before is None else round(c.total - before, 2)
        rec[col["team"]] = c.team
        for k in c.kpis:
            name = kpi_name(k["metric"], lang)
            rec[f"{name} · {translate('scorecards.col.actual', lang)}"] = k["actual"]
            rec[f"{name} · {translate('scorecards.col.target', lang)}"] = k["target"]
            rec[f"{name} · {translate('scorecards.col.achievement', lang)}"] = k["achievement"]
            rec[f"{name} · {translate('scorecards.col.points', lang)}"] = k["points"]
        records.append(rec)
    frame = pd.DataFrame.from_records(records)
    text = {col["person"], col["team"], col["grade"]}
    for name in frame.columns:
        if name not in text:  # numbers or no data: a numeric column (no data stays empty, never 0)
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
    return frame


def lead_columns(frame: pd.DataFrame, lang: str) -> list[str]:
    """The columns of position_frame that say who is where (the KPI detail is shown on demand)."""
    names = [translate(f"scorecards.col.{c}", lang) for c in LEAD_COLUMNS]
    return [n for n in names if n in frame.columns]


def export_sheets(cards: list[Card], lang: str) -> dict[str, pd.DataFrame]:
    """One sheet per position (the position's name), for lib.core.exports.to_xlsx_bytes."""
    out = {}
    for pos in POSITIONS:
        group = [c for c in cards if c.position == pos]
        if group:
            out[translate(f"scorecards.position.{pos}", lang)] = position_frame(group, lang)
    return out


def export_units(cards: list[Card], lang: str) -> dict[str, str]:
    """The unit of each number column of export_sheets (lib.core.exports formats and rounds by it)."""
    col = {c: translate(f"scorecards.col.{c}", lang) for c in ("actual", "target", "achievement", "points")}
    units = {translate("scorecards.col.total", lang): "score", translate("scorecards.col.rank", lang): "int"}
    for key in {k["metric"] for c in cards for k in c.kpis}:
        name, unit = kpi_name(key, lang), kpi_unit(key)
        parts = {"actual": unit, "target": unit, "achievement": "pct", "points": "score"}
        units |= {f"{name} · {col[part]}": part_unit for part, part_unit in parts.items()}
    return units


def table_formats(cards: list[Card], lang: str) -> dict[str, str | None]:
    """The number format of each column of position_frame(cards): points and total to cents, each KPI's
    actual and target in its unit, achievement in %."""
    col = {c: translate(f"scorecards.col.{c}", lang) for c in ("actual", "target", "achievement", "points")}
    out: dict[str, str | None]  # None: the column's own format (lib.core.formatting.table_format)
    out = {translate("scorecards.col.total", lang): "%.2f", translate("scorecards.col.change", lang): "%+.2f"}
    for k in cards[0].kpis if cards else []:
        name = kpi_name(k["metric"], lang)
        fmt = UNIT_FORMATS.get(kpi_unit(k["metric"]), "%,.0f")  # counts with thousands separators
        out |= {f"{name} · {col['actual']}": fmt, f"{name} · {col['target']}": fmt}
        out |= {f"{name} · {col['achievement']}": "percent", f"{name} · {col['points']}": "%.2f"}
    return out


def format_kpi_value(key: str, value: float | None, lang: str) -> str:
    """A KPI's actual or target as its unit shows it ("no data" for None)."""
    unit = kpi_unit(key)
    if value is not None and unit == "per10":
        return f"{value:.2f}"
    return format_value(value, unit, lang)


def target_text(kpi: Mapping[str, Any], lang: str) -> str:
    """≥ 5,000 / ≤ 10.0 min / 2.0 h – 4.0 h, or "no data" when the KPI has no target."""
    if kpi.get("kind") is None:
        return format_kpi_value(kpi["metric"], None, lang)
    low = format_kpi_value(kpi["metric"], kpi["target"], lang)
    if kpi["kind"] == "between":
        return f"{low} – {format_kpi_value(kpi['metric'], kpi['target_high'], lang)}"
    return ("≥ " if kpi["kind"] == "at_least" else "≤ ") + low


# The counts behind a computed figure, said in the card's note (lib/scorecards/position_facts.py).
BASIS = {
    "field_start_on_time": ("planned", "started_on_time"),
    "field_incidents_per_10": ("sessions", "incidents"),
    "field_interaction_rate": ("sessions",),
    "data_on_time": ("deadlines", "deadlines_met"),
    "host_growth": ("base_month", "base_conversion", "conversion"),
}


def basis_text(kpi: Mapping[str, Any], lang: str) -> str:
    """ "3 planned, 1 on time" and the like for a computed figure with its counts; "" otherwise."""
    keys = BASIS.get(kpi["metric"], ())
    if kpi.get("source") != "computed" or not keys or any(k not in kpi for k in keys):
        return ""
    params = {k: kpi[k] for k in keys}
    for k in ("base_conversion", "conversion"):
        if k in params:
            params[k] = format_value(params[k], "pct", lang)
    return translate(f"scorecards.basis.{kpi['metric']}", lang, **params)


# Computed figures that come from something other than the schedule, and say so on the card.
COMPUTED_FROM = {"data_on_time": "uploads", "host_growth": "sessions"}


def source_text(kpi: Mapping[str, Any], lang: str) -> str:
    """Where a card's figure came from, in words: sessions, manual, incidents, survey, the schedule, ..."""
    source = kpi.get("source")
    if source == "computed" and kpi["metric"] in COMPUTED_FROM:
        return translate(f"scorecards.source.computed_{COMPUTED_FROM[kpi['metric']]}", lang)
    return translate(f"scorecards.source.{source}", lang)


def card_frame(card: Card, lang: str) -> pd.DataFrame:
    """A card's KPIs, one row each: name, weight, actual, target, achievement, points and a note."""
    rows = []
    for k in card.kpis:
        note = "" if k["status"] == "ok" else translate(f"scorecards.status.{k['status']}", lang)
        if k["achievement"] is not None and k["capped"] is not None and k["capped"] < k["achievement"] - EPS:
            note = translate("scorecards.status.capped", lang)
        note = " · ".join(n for n in (note, basis_text(k, lang)) if n)
        rows.append(
            {
                translate("scorecards.col.kpi", lang): kpi_name(k["metric"], lang),
                translate("scorecards.col.weight", lang): k["weight"],
                translate("scorecards.col.actual", lang): format_kpi_value(k["metric"], k["actual"], lang),
                translate("scorecards.col.target", lang): target_text(k, lang),
                translate("scorecards.col.achievement", lang): None
                if k["achievement"] is None
                else round(k["achievement"] * 100, 1),
                translate("scorecards.col.points", lang): None
                if k["points"] is None
                else round(k["points"], 2),
                translate("scorecards.col.source", lang): source_text(k, lang),
                translate("scorecards.col.note", lang): note,
            }
        )
    return pd.DataFrame.from_records(rows)


def card_rows_frame(kind: str, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The rows behind a card (sessions, incidents, manual entries) with names for keys and translated
    column headers; sessions' money and averages to cents as elsewhere."""
    if kind == "manual":
        frame = frame.assign(metric=frame["metric"].map(lambda m: kpi_name(m, lang)))
    if kind == "sessions":
        frame = frame.assign(platform=frame["platform"].map(lambda p: _platform_name(p, lang)))
        numbers = frame.select_dtypes("number").columns
        frame[numbers] = frame[numbers].round(2)
    if kind == "incidents":
        frame = frame.assign(
            severity=frame["severity"].map(lambda v: translate(f"incidents.severity.{v}", lang))
        )
    prefix = "incidents.field" if kind == "incidents" else "scorecards.field"
    return frame.rename(columns={c: translate(f"{prefix}.{c}", lang) for c in frame.columns})


def _platform_name(key: str, lang: str) -> str:
    return translate(f"kpis.platform_name.{key}", lang) if key else translate("kpis.all", lang)


def quarter_table(part: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One position's rows of rankings.quarter_scores, best first, with translated headers."""
    part = part.sort_values("rank", na_position="last")
    names = ("person", "team", "quarter", "grade", "rank")
    shown = part.drop(columns=["person_id", "position"])
    return shown.rename(columns={c: translate(f"scorecards.col.{c}", lang) for c in names}).round(2)


def team_table(teams: pd.DataFrame, lang: str) -> pd.DataFrame:
    """rankings.team_scores with translated headers."""
    names = {"team": "team", "members": "members", "score": "team_score"}
    return teams.round(2).rename(
        columns={c: translate(f"scorecards.col.{key}", lang) for c, key in names.items()}
    )


def promotion_table(flags: pd.DataFrame, lang: str) -> pd.DataFrame:
    """rankings.promotion_flags with positions by name and translated headers (the two quarters keep
    their own names, e.g. 2026-Q3)."""
    named = flags.assign(position=flags["position"].map(lambda p: position_name(p, lang)))
    names = {c: translate(f"scorecards.col.{c}", lang) for c in ("person", "position", "team")}
    return named.drop(columns=["person_id"]).round(2).rename(columns=names)


def definition_table(d: Definition, lang: str) -> pd.DataFrame:
    """A definition's KPIs as the admin editor's rows, targets as typed (percent: 3 = 3 %) with their unit
    (definitions.definition_from_rows reads them back)."""
    rows = []
    for k in d.kpis:
        unit = kpi_unit(k.metric)
        kind, value, high = k.target or (None, None, None)
        rows.append(
            {
                "metric": k.metric,
                "unit": unit_label(unit, lang),
                "weight": k.weight,
                "kind": kind,
                "value": typed_from_stored(value, unit),
                "value_high": typed_from_stored(high, unit),
            }
        )
    return pd.DataFrame(rows, columns=["metric", "unit", "weight", "kind", "value", "value_high"])
