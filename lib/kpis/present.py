"""KPI tables and texts for a language: the ranking export, tile captions, red-flag reasons, one session."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from lib import targets as tg
from lib.core.dates import Span
from lib.core.formatting import format_metric, format_metric_compact, format_points, format_value
from lib.core.i18n import catalogue, translate
from lib.core.metrics import METRICS
from lib.kpis.view import FLAG_RATIO, RANK_COLUMNS


def ranking_for_export(ranking: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    """The ranked table with the catalogue's names as headers (what the CSV/XLSX download holds)."""

    out = ranking.copy()
    pace = {"target_kind": "period"}  # a period target's status is its pacing: on pace / behind
    # A few distinct (status, kind) pairs over thousands of rows: each text made once.
    texts = {
        pair: tg.status_text(pair[0], pace if pair[1] == "period" else None, lang)
        for pair in set(zip(out["status"], out["target_kind"], strict=True))
    }
    out["status"] = [texts[pair] for pair in zip(out["status"], out["target_kind"], strict=True)]
    if by == "platform":
        out["group"] = out["group"].map(lambda p: translate(f"kpis.platform_name.{p}", lang))
    none = translate("kpis.no_team" if by == "team" else "common.no_data", lang)
    out["group"] = [none if g is None or g != g else g for g in out["group"]]
    names = {
        "group": translate(f"kpis.by.{by}", lang),
        "status": translate("kpis.status_col", lang),
        "gmv_achievement": translate("kpis.achievement", lang),
    }
    names.update({k: METRICS[k].name(lang) for k in RANK_COLUMNS})
    names.update(_pacing_names(lang))
    kinds = {k: translate(f"targets.ranking.kind.{k}", lang) for k in set(out["target_kind"])}
    out["target_kind"] = [kinds[k] for k in out["target_kind"]]
    return out.rename(columns=names)


def _pacing_names(lang: str) -> dict[str, str]:
    """Headers of the ranking's GMV target columns: which target applies, time gone, needed a day."""
    return {
        c: translate(f"targets.ranking.{c}", lang) for c in ("target_kind", "time_share", "needed_per_day")
    }


def ranking_export_units(lang: str) -> dict[str, str]:
    """The unit of each number column of ranking_for_export (lib.core.exports formats and rounds by it)."""

    names = _pacing_names(lang)
    return {METRICS[k].name(lang): METRICS[k].unit for k in RANK_COLUMNS} | {
        translate("kpis.achievement", lang): "pct",
        names["time_share"]: "pct",
        names["needed_per_day"]: "cny",
    }


def span_text(span: Span) -> str:
    """A span as the screen says it: whole days as dates ("2026-10-01 – 2026-10-31", one day once), a
    to-date span to the minute ("11-01 00:00 – 11-07 08:30")."""
    if span.whole_days:
        if span.first_day == span.last_day:
            return span.first_day.isoformat()
        return f"{span.first_day.isoformat()} – {span.last_day.isoformat()}"
    return f"{span.start:%m-%d %H:%M} – {span.end:%m-%d %H:%M}"


def span_end_text(span: Span) -> str:
    """Where a span ends: its last day, or the day and minute a to-date span runs to ("2026-12-07 08:30")."""
    return span.last_day.isoformat() if span.until is None else f"{span.end:%Y-%m-%d %H:%M}"


def compare_text(key: str, span: Span, kind: str, lang: str, **params: Any) -> str:
    """A text (i18n `key` with {span} and {kind}) naming the exact span a figure is compared with."""
    kind_text = translate(f"kpis.compare_kind.{kind or 'other'}", lang)
    return translate(key, lang, span=span_text(span), kind=kind_text, **params)


def choice_label(key: str, value: str, lang: str) -> str:
    """A filter choice as shown in `lang`: "" is "all", platforms by their name."""
    if not value:
        return translate("kpis.all", lang)
    return translate(f"kpis.platform_name.{value}", lang) if key == "platform" else value


def tile_caption(tile: dict[str, Any], lang: str) -> str:
    """ "Target X · achieved Y %" (a band for between-targets) or "no target"."""

    target = tile["target"]
    if target is None:
        return translate("kpis.tile_no_target", lang)
    if (caption := tg.target_caption(tile["metric"], target, lang)) is not None:
        return caption  # says which target applies: a period total with pacing, or per session × sessions
    text = format_metric_compact(tile["metric"], target["value"], lang)  # a tile's line: ¥300万
    if target["value_high"] is not None:
        text += "–" + format_metric_compact(tile["metric"], target["value_high"], lang)
    if target.get("growth"):
        return translate(
            "kpis.tile_target_gap", lang, target=text, gap=met_text(tile["metric"], target, lang)
        )
    achievement = met_text(tile["metric"], target, lang)
    return translate("kpis.tile_target", lang, target=text, achievement=achievement)


def met_text(metric_key: str, target: dict[str, Any], lang: str) -> str:
    """How a target is met: the achievement (1.0 = met) as a percentage, or for a growth metric the points
    above or below the target rate ("高出 3.2 个百分点")."""
    if not target.get("growth"):
        return format_metric("gmv_achievement", target["achievement"], lang)
    diff = target.get("gap")
    if diff is None:
        return format_metric(metric_key, None, lang)
    if METRICS[metric_key].unit != "pct":
        raise ValueError(f"growth metric {metric_key!r} must be a rate")
    side = "on" if diff == 0 else "above" if diff > 0 else "below"
    return translate(f"kpis.gap_{side}", lang, points=format_points(diff))


FLAG_UNITS = {
    "gmv_per_session": "gmv",
    "viewers_per_session": "viewers",
    "conversion_rate": "conversion_rate",
}


def flag_reason(flag: dict[str, Any], lang: str) -> str:
    """Why a host is flagged, e.g. "单场 GMV ¥51,748，低于目标 ¥100,000 的 70%"."""
    unit = FLAG_UNITS[flag["metric"]]
    return translate(
        f"kpis.flag.{flag['reason']}",
        lang,
        metric=translate(f"kpis.flag_metric.{flag['metric']}", lang),
        value=format_metric(unit, flag["value"], lang),
        reference=format_metric(unit, flag["reference"], lang),
        pct=round(FLAG_RATIO * 100),
    )


def flags_frame(flags: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The red flags as a table: host, reason."""

    return pd.DataFrame(
        {
            translate("kpis.host", lang): [f["group"] for f in flags],
            translate("kpis.reason", lang): [flag_reason(f, lang) for f in flags],
        }
    )


def session_metrics_frame(detail: dict[str, Any], lang: str) -> pd.DataFrame:
    """A session's metrics as text rows: metric, actual, target, achievement, status."""

    rows = []
    for key, actual in detail["metrics"].items():
        target = detail["targets"].get(key)
        text = None
        if target is not None:
            text = (
                translate(f"kpis.kind.{target['kind']}", lang)
                + " "
                + format_metric(key, target["value"], lang)
            )
            if target["value_high"] is not None:
                text += "–" + format_metric(key, target["value_high"], lang)
        status = "no_data" if target is None else target["status"]
        rows.append(
            {
                translate("kpis.session.metric", lang): METRICS[key].name(lang),
                translate("kpis.session.actual", lang): format_metric(key, actual, lang),
                translate("kpis.target", lang): text or "",
                translate("kpis.achieved", lang): "" if target is None else met_text(key, target, lang),
                translate("kpis.status_col", lang): ""
                if target is None
                else translate(f"kpis.status.{status}", lang),
            }
        )
    return pd.DataFrame(rows)


def stored_fields_frame(detail: dict[str, Any], lang: str) -> pd.DataFrame:
    """The session's imported fields under their catalogue names, values formatted (missing = "—" by the
    table); bookkeeping columns (row ids, batch, update time) are left out."""

    rows = []
    for key, value in detail["stored"].items():
        label_key = f"importing.field.{key}"
        if label_key not in catalogue():
            continue
        rows.append(
            {
                translate("kpis.session.field", lang): translate(label_key, lang),
                translate("kpis.session.value", lang): _stored_text(key, value, lang),
            }
        )
    return pd.DataFrame(rows)


INCIDENT_HEADERS = {
    "category": "importing.field.category",
    "severity": "importing.field.severity",
    "detected_at": "importing.field.detected_at",
    "responded_at": "importing.field.responded_at",
    "resolved_at": "importing.field.resolved_at",
    "handler_name": "importing.field.handler",
    "overtime_reason": "importing.field.overtime_reason",
}
CASE_HEADERS = {c: f"cases.field.{c}" for c in ("title", "case_date", "status", "author")}


def session_incidents_frame(incidents: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The incidents during a session: severity in words, headers from the catalogue, no row ids."""
    out = incidents.loc[:, list(INCIDENT_HEADERS)].copy()
    out["severity"] = out["severity"].map(lambda s: translate(f"incidents.severity.{s}", lang))
    return out.rename(columns={c: translate(k, lang) for c, k in INCIDENT_HEADERS.items()})


def session_cases_frame(cases: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The cases linking to a session: status in words, headers from the catalogue, no row ids."""
    out = cases.loc[:, list(CASE_HEADERS)].copy()
    out["status"] = out["status"].map(lambda s: translate(f"cases.status.{s}", lang))
    return out.rename(columns={c: translate(k, lang) for c, k in CASE_HEADERS.items()})


def _stored_text(key: str, value: Any, lang: str) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if key == "platform":
        return choice_label("platform", value, lang)
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if key in METRICS and isinstance(value, int | float):
        return format_metric(key, value, lang)
    if key == "duration_minutes":
        return format_value(value, "min", lang)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def session_links(trend: pd.DataFrame, metric_key: str, lang: str) -> pd.DataFrame:
    """The per-session trend as a table whose first column links to each session's detail page."""

    return pd.DataFrame(
        {
            translate("kpis.session.open", lang): [f"session_detail?session={g}" for g in trend["group"]],
            translate("kpis.group", lang): trend["label"],
            METRICS[metric_key].name(lang): trend[metric_key],
        }
    )
