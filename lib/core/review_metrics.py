"""Metrics of a session review, computed from a session's detail rows (per-minute trend, product list),
alongside the catalogue in lib.core.metrics (whose entries are computed from a group's session sums and
so do not fit these). Each definition says exactly how it is computed; pages, the CLI and exports call
these functions and nothing else.

Retention segments (留存分段, seed 000: the average time from entering the room to leaving, as a share of
the time on air, watched in segments). The minute rows give how many people were online in each minute
and how many came in, not who, so for a segment (the first 5 minutes, the first 15, the whole session):
  watched    = the sum of `online` over the segment's minute rows (person-minutes: each person online in a
               minute watched that minute);
  visits     = `online` in the segment's first row + `entering` in its later rows (people already there
               plus those who came in), and never fewer than the segment's highest `online`;
  minutes    = the segment's minute rows with an online figure (its time on air; a gap counts neither way);
  retention  = watched / visits / minutes = the average watch time per visit over the time on air.
So retention is a share: 0 (nobody stayed) to 1 (everyone stayed from the opening to the end), never more.
None ("no data") when the session did not reach the segment's last minute (a 10-minute session has no
"first 15"), or has no online figure in it (or only zeros).

Online against the opening (在线人数相对开场, not a retention): online at minute m / the highest online in
minutes 0-4, for m = 5, 15, 30 and the last minute row. Above 100 % when the room grew after its opening.

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

RETENTION_SEGMENTS = {"first_5": 5, "first_15": 15, "whole": None}  # key -> minutes (None: the whole)
RETENTION_KEYS = tuple(RETENTION_SEGMENTS)
OPENING_MINUTES = 5
OPENING_POINTS = (5, 15, 30)
OPENING_KEYS = ("at_5", "at_15", "at_30", "at_end")
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


_OPENING_ZH = "开播前 5 分钟(第 0–4 分钟)最高在线人数"
_OPENING_EN = "the highest online count in minutes 0–4 (the first five minutes)"
_VISITS_ZH = "进入次数 = 时段第一分钟在线人数 + 之后各分钟进入人数(不少于时段内最高在线)"
_VISITS_EN = "visits = online in the first minute + people entering after it (at least the peak online)"


def _retention(key: str, zh: str, en: str) -> DetailMetric:
    return DetailMetric(
        f"retention_{key}",
        f"留存 · {zh}",
        f"Retention · {en}",
        "pct",
        f"{zh}平均每次进入的观看时长 / {zh}开播时长;{_VISITS_ZH};0–100%",
        f"average watch time per visit / time on air, {en}; {_VISITS_EN}; 0–100 %",
    )


def _opening(point: str, zh: str, en: str) -> DetailMetric:
    return DetailMetric(
        f"online_vs_opening_{point}",
        f"在线人数相对开场 · {zh}",
        f"Online against the opening · {en}",
        "pct",
        f"{zh}在线人数 / {_OPENING_ZH};不是留存,超过 100% 表示在线人数高于开场",
        f"online {en} / {_OPENING_EN}; not a retention: above 100 % means more people online than at the opening",
    )


DETAIL_METRICS: tuple[DetailMetric, ...] = (
    _retention("first_5", "前 5 分钟", "first 5 minutes"),
    _retention("first_15", "前 15 分钟", "first 15 minutes"),
    _retention("whole", "全场", "whole session"),
    _opening("at_5", "第 5 分钟", "at minute 5"),
    _opening("at_15", "第 15 分钟", "at minute 15"),
    _opening("at_30", "第 30 分钟", "at minute 30"),
    _opening("at_end", "最后一分钟", "in the last minute"),
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


@dataclass(frozen=True)
class Segment:
    """One retention segment (module docstring): its minute rows, person-minutes, visits and share."""

    minutes: int
    watched: int
    visits: int
    share: float

    @property
    def average_minutes(self) -> float:
        """The average watch time per visit, in minutes."""
        return self.watched / self.visits


MinuteRow = tuple[int, int | None, int | None]  # (minute, online, entering)


def _count(value: int | None) -> int | None:
    # A negative count is no count: treated as missing, like the importer's refusal of it.
    return None if value is None or value < 0 else int(value)


def segment(rows: Sequence[MinuteRow], length: int | None) -> Segment | None:
    """The retention of the first `length` minutes (None: the whole session) from (minute, online,
    entering) rows sorted by minute; None when the session ended before the segment did or has no one online."""
    if not rows or (length is not None and rows[-1][0] < length - 1):
        return None
    inside = [(m, _count(o), _count(e)) for m, o, e in rows if length is None or m < length]
    online = [(o, e) for _m, o, e in inside if o is not None]
    if not online:
        return None
    watched = sum(o for o, _e in online)
    visits = max(online[0][0] + sum(e or 0 for _o, e in online[1:]), max(o for o, _e in online))
    if visits == 0:
        return None
    return Segment(len(online), watched, visits, watched / (visits * len(online)))  # one exact division


def retention_segments(rows: Iterable[MinuteRow]) -> dict[str, Segment | None]:
    """Every retention segment (RETENTION_KEYS) of a session's minute rows (minute, online, entering)."""
    ordered = sorted(rows, key=lambda r: r[0])
    return {key: segment(ordered, length) for key, length in RETENTION_SEGMENTS.items()}


def retention(rows: Iterable[MinuteRow]) -> dict[str, float | None]:
    """The retention shares (0-1, module docstring) of a session's minute rows, by RETENTION_KEYS."""
    return {k: None if s is None else s.share for k, s in retention_segments(rows).items()}


def online_vs_opening(online_by_minute: Iterable[tuple[int, int | None]]) -> dict[str, float | None]:
    """Online at minutes 5, 15, 30 and the last against the opening's peak (module docstring); keys base
    and OPENING_KEYS. Not a retention: it exceeds 1 when the room grew."""
    online = {m: v for m, v in online_by_minute if v is not None}
    opening = [online[m] for m in range(OPENING_MINUTES) if m in online]
    base = max(opening) if opening else None
    out: dict[str, float | None] = {"base": base}
    for m in OPENING_POINTS:
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
