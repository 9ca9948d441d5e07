"""Texts of targets for a language: which target a figure is read against (a period total with its
pacing, or a per-session target times the sessions held), the status in words, and the period targets
table of the targets page. One place, so the KPI page and the home page say the same."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from lib.core.formatting import format_metric, format_metric_compact
from lib.core.i18n import translate
from lib.core.metrics import METRICS
from lib.targets.period import PeriodTargetRow, is_quarter


def _pct(share: float | None, lang: str) -> str:
    return format_metric("gmv_achievement", share, lang)


def period_name(period: str, lang: str) -> str:
    """ "2026-12 月" / "2026-Q4 季度" style: the period and whether it is a month or a quarter."""
    kind = "quarter" if is_quarter(period) else "month"
    return translate(f"targets.period_kind.{kind}", lang, period=period)


def target_caption(metric_key: str, target: Mapping[str, Any] | None, lang: str) -> str | None:
    """Which target a figure is read against and how far it is met, or None when no caption of this
    module applies (no target, or a growth target: lib.kpis words those)."""
    if target is None or target.get("growth"):
        return None
    kind = target.get("target_kind")
    value = format_metric_compact(metric_key, target["value"], lang)
    if kind == "period":
        return _period_caption(metric_key, target, value, lang)
    achieved = _pct(target.get("achievement"), lang)
    if target.get("value_high") is not None:
        value += "–" + format_metric_compact(metric_key, target["value_high"], lang)
    m = METRICS.get(metric_key)
    if m is None or not m.additive or kind not in ("per_session", "per_month"):
        return translate("targets.caption.plain", lang, target=value, achievement=achieved)
    unit = format_metric_compact(metric_key, target.get("unit_value"), lang)
    return translate(
        f"targets.caption.{kind}",
        lang,
        unit=unit,
        n=target.get("sessions", 0),
        target=value,
        achievement=achieved,
    )


def _period_caption(metric_key: str, target: Mapping[str, Any], value: str, lang: str) -> str:
    pace = target["pacing"]
    head = translate(
        "targets.caption.period",
        lang,
        period=period_name(target["period"], lang),
        target=value,
        done=_pct(pace["target_share"], lang),
        gone=_pct(pace["time_share"], lang),
    )
    if pace["target_share"] >= 1.0:
        tail = translate("targets.caption.met", lang)
    elif pace["needed_per_day"] is None:
        short = format_metric_compact(metric_key, target["value"] * (1.0 - pace["target_share"]), lang)
        tail = translate("targets.caption.over", lang, short=short)
    else:
        needed = format_metric_compact(metric_key, pace["needed_per_day"], lang)
        tail = translate("targets.caption.needed", lang, needed=needed, days=target["days_left"])
    return f"{head} · {tail}"


def status_text(status: str, target: Mapping[str, Any] | None, lang: str) -> str:
    """The status badge's words: a period target's pacing (ahead / behind), else the target's status."""
    if target is not None and target.get("target_kind") == "period":
        return translate(f"targets.pace.{status}", lang)
    return translate(f"kpis.status.{status}", lang)


def period_targets_table(
    rows: Iterable[PeriodTargetRow], labels: Mapping[str, Mapping[str, str]], lang: str
) -> pd.DataFrame:
    """The period targets as the targets page lists them: metric, period, scope, value, who and when.
    `labels`: per scope kind, stored value -> name (teams and hosts by id)."""
    records = [
        {
            translate("kpis.targets.metric", lang): METRICS[r.metric].name(lang),
            translate("targets.period", lang): period_name(r.period, lang),
            translate("kpis.targets.scope_kind", lang): translate(f"kpis.scope.{r.scope_kind}", lang),
            translate("kpis.targets.scope_value", lang): _scope_text(r, labels, lang),
            translate("kpis.targets.value", lang): format_metric(r.metric, r.value, lang),
            translate("kpis.targets.set_by", lang): r.set_by or "",
            translate("kpis.targets.set_at", lang): f"{r.set_at:%Y-%m-%d %H:%M}",
        }
        for r in rows
    ]
    return pd.DataFrame.from_records(records)


def _scope_text(row: PeriodTargetRow, labels: Mapping[str, Mapping[str, str]], lang: str) -> str:
    if row.scope_kind == "all":
        return translate("kpis.scope.all", lang)
    if row.scope_kind == "platform":
        return translate(f"kpis.platform_name.{row.scope_value}", lang)
    return labels.get(row.scope_kind, {}).get(row.scope_value, row.scope_value)


def target_option(row: PeriodTargetRow, labels: Mapping[str, Mapping[str, str]], lang: str) -> str:
    """One period target in a select box: "成交金额 · 2026-12 月 · 直播间 小雨家电旗舰店 · ¥3,000,000"."""
    return " · ".join(
        (
            METRICS[row.metric].name(lang),
            period_name(row.period, lang),
            _scope_text(row, labels, lang)
            if row.scope_kind == "all"
            else f"{translate(f'kpis.scope.{row.scope_kind}', lang)} {_scope_text(row, labels, lang)}",
            format_metric(row.metric, row.value, lang),
        )
    )
