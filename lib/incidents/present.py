"""What the incident pages show, for a language: refusal texts, SLA hints, labelled tables, the report's
headline figures and its lists with their export units. Every function takes `lang`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from lib.core.formatting import category_name, format_value, number_or_none
from lib.core.i18n import translate
from lib.incidents.model import IncidentError, Sla

BREACH_COLUMNS = (
    "id",
    "detected_at",
    "room",
    "host",
    "category",
    "severity",
    "department",
    "handler",
    "respond_minutes",
    "respond_sla",
    "resolve_minutes",
    "resolve_sla",
    "overtime_reason",
)
OPEN_COLUMNS = ("id", "age_minutes", "detected_at", "room", "category", "severity", "department", "handler")
# Export units (lib.core.exports formats numbers by them); the SLAs are in minutes too.
MINUTE_COLUMNS = ("respond_minutes", "resolve_minutes", "respond_sla", "resolve_sla", "age_minutes")
LIST_COLUMNS = {"breaches": BREACH_COLUMNS, "missing_reasons": BREACH_COLUMNS[:-1], "open": OPEN_COLUMNS}
LISTS = (
    ("incidents.report.breaches", "breaches"),
    ("incidents.report.missing_reasons", "missing_reasons"),
    ("incidents.report.open", "open"),
)


def severity_label(severity: str, lang: str) -> str:
    return translate(f"incidents.severity.{severity}", lang)


def open_label(item: dict[str, Any], lang: str) -> str:
    """An open or unexplained incident in the update form's list: number, category, room, detection time."""
    return f"#{item['id']} {category_name(item['category'], lang)} · {item['room'] or '-'} · " + (
        f"{item['detected_at']:%m-%d %H:%M}" + (" · ⚠ SLA" if item["resolved_at"] else "")
    )


def error_text(exc: IncidentError, lang: str) -> str:
    """The refusal in `lang`, its field and column parameters named as on the form."""
    names = {
        "field": lambda v: translate(f"incidents.form.{v.split('_')[0]}", lang),
        "column": lambda v: translate(f"incidents.admin.col.{v}", lang),
    }
    params = {k: names[k](v) if k in names else v for k, v in exc.params.items()}
    return translate(exc.key(), lang, **params)


def sla_hints(sla: Sla, lang: str) -> list[str]:
    """The form's captions for an SLA: respond/resolve limits, and the meeting limit when there is one."""
    out = [
        translate(
            "incidents.form.sla_hint",
            lang,
            respond=f"{sla.respond_minutes or 0:g}",
            resolve=f"{sla.resolve_minutes or 0:g}",
        )
    ]
    if sla.meeting_minutes:
        out.append(translate("incidents.form.meeting_hint", lang, meeting=f"{sla.meeting_minutes:g}"))
    return out


def known_times(incident: dict[str, Any], lang: str) -> str:
    """The times an incident already has, e.g. "发现: 2026-11-10 20:00:00 · 响应: ..."."""
    return " · ".join(
        f"{translate(f'incidents.form.{k}', lang)}: {incident[k + '_at']:%Y-%m-%d %H:%M:%S}"
        for k in ("detected", "responded", "resolved")
        if incident[k + "_at"]
    )


def labelled(frame: pd.DataFrame, lang: str, prefix: str = "incidents.field") -> pd.DataFrame:
    """`frame` with severities and column names in `lang` (column titles are keys under `prefix`)."""
    out = frame.copy()
    if "severity" in out:
        out["severity"] = out["severity"].map(lambda s: severity_label(s, lang))
    if "category" in out:
        out["category"] = out["category"].map(lambda c: category_name(c, lang))
    return out.rename(columns={c: translate(f"{prefix}.{c}", lang) for c in out.columns})


def figures_table(figures: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    """The report frame grouped `by`, with group names and column titles in `lang`."""
    out = figures.copy()
    if by == "severity":
        out["group"] = out["group"].map(lambda s: severity_label(s, lang))
    if by == "category":
        out["group"] = out["group"].map(lambda c: category_name(c, lang))
    out["group"] = out["group"].fillna(translate("incidents.none", lang))  # e.g. no owner department
    return labelled(out, lang, "incidents.col")


def headline(total: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(label, text) of the four headline metrics of the report's total row, through the one formatter
    (minutes in the reader's language; no value reads "no data")."""
    attainment = number_or_none(total["sla_attainment"])  # in percent (0-100)
    return [
        (translate("incidents.report.total_count", lang), format_value(total["count"], "count", lang)),
        (translate("incidents.report.total_open", lang), format_value(total["open"], "count", lang)),
        (
            translate("incidents.report.total_resolve_p50", lang),
            format_value(number_or_none(total["resolve_p50"]), "min", lang),
        ),
        (
            translate("incidents.report.total_attainment", lang),
            format_value(None if attainment is None else attainment / 100, "pct", lang),
        ),
    ]


def list_table(name: str, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One of the report's lists (`name` of LISTS: breaches with their reasons, breaches still lacking one,
    open incidents) as shown and exported: its columns, labelled for `lang`."""
    return labelled(frame[list(LIST_COLUMNS[name])], lang)


def list_tables(
    breaches: pd.DataFrame, missing: pd.DataFrame, opened: pd.DataFrame, lang: str
) -> list[tuple[str, pd.DataFrame, str]]:
    """(title key, labelled table, file name part) of the report's three lists (`list_table`)."""
    frames = (breaches, missing, opened)
    return [(key, list_table(name, f, lang), name) for (key, name), f in zip(LISTS, frames, strict=True)]


def export_units(lang: str) -> dict[str, str]:
    """Units of the labelled list columns for the CSV/Excel exports."""
    units = {translate(f"incidents.field.{c}", lang): "min" for c in MINUTE_COLUMNS}
    return units | {translate("incidents.field.id", lang): "int"}


def export_stem(name: str, date_from: dt.date, date_to: dt.date) -> str:
    return f"incidents_{name}_{date_from}_{date_to}"
