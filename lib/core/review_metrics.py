"""Metrics of a session review, computed from a session's detail rows (per-minute trend, product list),
alongside the catalogue in lib.core.metrics (whose entries are computed from a group's session sums and
so do not fit these). Each definition says exactly how it is computed; pages, the CLI and exports call
these functions and nothing else.

Retention segments (留存分段). The minute rows give how many people were online in each minute, not who:
  base       = the highest `online` among minutes 0-4 (the first five minutes from the start minute) -
               the first-5-minute audience at its fullest;
  at_<m>     = online at minute m / base, for m = 5, 15 and 30 (minute m = m whole minutes after the
               start minute, e.g. 20:05 for a session that starts at 20:00);
  at_end     = online in the last minute row / base.
A value above 100 % means the room held more people than in its opening. None ("no data") when the
session has no online figure in minutes 0-4 (or only zeros), or no row for minute m (shorter session,
gap in the export).

Product funnel (exposure → click → order), per product of a session or summed over sessions:
  click_rate = clicks / exposure;  conversion_rate = orders / clicks.

GMV at risk of an incident (no platform tool has it). The span runs from the minute of detection to the
minute of resolution, both included (an unresolved incident: its detection minute only). The baseline is
the GMV per minute over the minute rows of the 15 minutes before the span's first minute;
  gmv_at_risk = (baseline per minute − GMV per minute inside the span) × minutes in the span,
the GMV the span fell short of its run-up (negative: it sold more than before). None when the span has no
minute rows or no minute row precedes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

RETENTION_BASE_MINUTES = 5
RETENTION_POINTS = (5, 15, 30)
RETENTION_KEYS = ("at_5", "at_15", "at_30", "at_end")
BASELINE_MINUTES = 15


@dataclass(frozen=True)
class DetailMetric:
    key: str
    zh: str
    en: str
    unit: str  # pct / cny
    formula_zh: str
    formula_en: str

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def help(self, lang: str) -> str:
        return self.formula_zh if lang == "zh" else self.formula_en


_BASE_ZH = "开播前 5 分钟(第 0–4 分钟)最高在线人数"
_BASE_EN = "the highest online count in minutes 0–4 (the first five minutes)"


def _retention(point: str, zh: str, en: str) -> DetailMetric:
    return DetailMetric(
        f"retention_{point}",
        f"留存 · {zh}",
        f"Retention · {en}",
        "pct",
        f"{zh}在线人数 / {_BASE_ZH}",
        f"online {en} / {_BASE_EN}",
    )


DETAIL_METRICS: tuple[DetailMetric, ...] = (
    _retention("at_5", "第 5 分钟", "at minute 5"),
    _retention("at_15", "第 15 分钟", "at minute 15"),
    _retention("at_30", "第 30 分钟", "at minute 30"),
    _retention("at_end", "最后一分钟", "in the last minute"),
    DetailMetric(
        "product_click_rate",
        "商品点击率",
        "Click rate",
        "pct",
        "商品点击人数 / 商品曝光人数",
        "clicks / exposure",
    ),
    DetailMetric(
        "product_conversion_rate",
        "点击成交转化率",
        "Click-to-order rate",
        "pct",
        "成交订单数 / 商品点击人数",
        "orders / clicks",
    ),
    DetailMetric(
        "gmv_at_risk",
        "风险 GMV",
        "GMV at risk",
        "cny",
        "(问题前 15 分钟每分钟 GMV − 问题期间每分钟 GMV) × 问题持续分钟数",
        "(GMV per minute in the 15 minutes before − GMV per minute during the incident) × its minutes",
    ),
)
DETAIL_METRICS_BY_KEY = {m.key: m for m in DETAIL_METRICS}


def detail_metric(key: str) -> DetailMetric:
    try:
        return DETAIL_METRICS_BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown review metric {key!r}") from None


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den


def retention(online_by_minute: Iterable[tuple[int, int | None]]) -> dict[str, float | None]:
    """The retention segments (module docstring) from (minute, online) pairs; keys base and RETENTION_KEYS."""
    online = {m: v for m, v in online_by_minute if v is not None}
    opening = [online[m] for m in range(RETENTION_BASE_MINUTES) if m in online]
    base = max(opening) if opening else None
    out: dict[str, float | None] = {"base": base}
    for m in RETENTION_POINTS:
        out[f"at_{m}"] = ratio(online.get(m), base)
    out["at_end"] = ratio(online[max(online)], base) if online else None
    return out


def click_rate(clicks: float | None, exposure: float | None) -> float | None:
    return ratio(clicks, exposure)


def conversion_rate(orders: float | None, clicks: float | None) -> float | None:
    return ratio(orders, clicks)


@dataclass(frozen=True)
class AtRisk:
    minutes: int  # minute rows inside the span
    gmv: float | None  # GMV inside the span
    per_minute: float | None
    baseline_minutes: int
    baseline_per_minute: float | None
    gmv_at_risk: float | None


def gmv_at_risk(span: Sequence[float | None], before: Sequence[float | None]) -> AtRisk:
    """GMV at risk (module docstring) from the GMV of the span's minute rows and of the rows of the
    BASELINE_MINUTES minutes before it (a None GMV counts as no row)."""
    inside = [g for g in span if g is not None]
    run_up = [g for g in before if g is not None][-BASELINE_MINUTES:]
    per_minute = sum(inside) / len(inside) if inside else None
    baseline = sum(run_up) / len(run_up) if run_up else None
    risk = None
    if per_minute is not None and baseline is not None:
        risk = round((baseline - per_minute) * len(inside), 2)
    return AtRisk(
        len(inside),
        round(sum(inside), 2) if inside else None,
        per_minute,
        len(run_up),
        baseline,
        risk,
    )
