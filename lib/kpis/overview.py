"""Home-page figures, seen at a moment: yesterday against the same weekday last week, then the default
period (params.default_period: month to date, early in a month the whole previous month) against the same
elapsed part of the period before (lib.core.dates.comparison_span); both against target.

Every figure comes from the KPI aggregation (rows.period_figures: the SQL sums, the metric catalogue,
targets from the one resolver), so the home page, the KPI page and the `kpi` command agree.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import targets as tg
from lib.core.dates import Span
from lib.kpis.params import PRESET_KINDS, default_period, default_preset, params_from_view
from lib.kpis.period_targets import with_period_targets
from lib.kpis.periods import compared, comparison_of, period_filters, span_of
from lib.kpis.queries import FLAG_SUMS, TREND_METRICS, Filters, load_roster, sums_by
from lib.kpis.rows import frame_rows, label_groups, period_figures, with_targets
from lib.kpis.view import FLAG_TARGETS, red_flags

TILE_METRICS = ("gmv", "sessions", "viewers", "conversion_rate")
RECENT_DAYS = 7  # "the last sessions" of the home page's red flags: the last week, today included


@dataclass(frozen=True)
class Period:
    """A home-page period: its days, what it counts (span) and what it is compared with (previous)."""

    start: dt.date
    end: dt.date
    label_key: str  # i18n key: which period it is (yesterday, month to date, last month early in a month)
    preset: str  # the KPI page's preset showing the same period
    filters: Filters  # the whole team over the period, as the KPI page filters it

    @property
    def span(self) -> Span:
        return span_of(self.filters)

    @property
    def previous(self) -> Span:
        return comparison_of(self.filters)

    @property
    def previous_start(self) -> dt.datetime:
        return self.previous.start

    @property
    def previous_end(self) -> dt.datetime:
        return self.previous.end


@dataclass(frozen=True)
class Tile:
    metric: str
    actual: float | None
    previous: float | None  # over the comparison span (Period.previous)
    change: float | None  # relative change against previous
    target: float | None  # as the KPI page's tile shows it (per-session targets scaled to the period)
    achievement: float | None  # 1.0 = met; None for a growth metric (see gap)
    status: str = "no_data"
    gap: float | None = None  # points above (+) or below (-) a growth target
    detail: dict[str, Any] | None = None  # the target as evaluated (which kind, pacing): for its caption


def _period(start: dt.date, end: dt.date, label: str, preset: str, moment: dt.datetime) -> Period:
    return Period(start, end, label, preset, period_filters(start, end, moment, PRESET_KINDS[preset]))


def period_of(moment: dt.datetime) -> Period:
    """The month block's period at `moment`: the default period; month to date runs to the moment's minute
    and is compared with the same elapsed part of the month before."""
    start, end, label = default_period(moment.date())
    return _period(start, end, label, default_preset(moment.date()), moment)


def yesterday_of(moment: dt.datetime) -> Period:
    """Yesterday (whole day) against the same weekday one week earlier."""
    day = moment.date() - dt.timedelta(days=1)
    return _period(day, day, "overview.yesterday_label", "yesterday", moment)


def period_tiles(engine: Engine, period: Period, moment: dt.datetime | None = None) -> list[Tile]:
    """GMV, sessions, viewers and conversion over a period, against its comparison span and target. With
    `moment`, a period target (a month's or quarter's) replaces the per-session one where it applies, read
    with its pacing at that moment; without, the per-session targets only (a single day's block)."""
    roster = load_roster(engine)  # once for the figures and the period targets (a round trip each)
    row = period_figures(engine, period.filters, TILE_METRICS, roster)
    if moment is not None:
        periods = tg.load_period_targets(engine)
        [row] = with_period_targets("all", [row], period.filters, roster, periods, moment)
    tiles = []
    for key in TILE_METRICS:
        target = row["targets"].get(key)
        tiles.append(
            Tile(
                metric=key,
                actual=row.get(key),
                previous=row["previous"].get(key),
                change=row["change"].get(key),
                target=None if target is None else target["value"],
                achievement=None if target is None else target["achievement"],
                status="no_data" if target is None else target["status"],
                gap=None if target is None else target["gap"],
                detail=target,
            )
        )
    return tiles


def overview_tiles(engine: Engine, moment: dt.datetime) -> list[Tile]:
    """The month block's tiles at `moment` (period_of)."""
    return period_tiles(engine, period_of(moment), moment)


def yesterday_tiles(engine: Engine, moment: dt.datetime) -> list[Tile]:
    """The yesterday block's tiles at `moment` (yesterday_of)."""
    return period_tiles(engine, yesterday_of(moment))


def _period_json(period: Period, tiles: list[Tile]) -> dict[str, Any]:
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "label": period.label_key,
        "start_at": period.span.start.isoformat(),
        "end_at": period.span.end.isoformat(),
        "previous_start": period.previous_start.isoformat(),
        "previous_end": period.previous_end.isoformat(),
        "tiles": [
            {
                "metric": tile.metric,
                "actual": tile.actual,
                "previous": tile.previous,
                "change": tile.change,
                "target": tile.target,
                "achievement": tile.achievement,
                "status": tile.status,
                "gap": tile.gap,
                **target_json(tile),
            }
            for tile in tiles
        ],
    }


def target_json(tile: Tile) -> dict[str, Any]:
    """`target_kind` ("period", "per_session" or "per_month"; None without a target) and, for a period
    target, `pacing` {time_share, target_share, needed_per_day} (else None)."""
    detail = tile.detail or {}
    return {"target_kind": detail.get("target_kind"), "pacing": detail.get("pacing")}


def overview_json(engine: Engine, moment: dt.datetime) -> dict[str, Any]:
    """The home page's figures at `moment` as the `overview --json` command prints them: `period` (the
    month block) and `yesterday`, each with the span counted and the span compared (team time, ISO)."""
    month = _period_json(period_of(moment), overview_tiles(engine, moment))
    return {
        "date": moment.date().isoformat(),
        "moment": moment.replace(second=0, microsecond=0).isoformat(),
        "period": {k: v for k, v in month.items() if k != "tiles"},
        "tiles": month["tiles"],
        "yesterday": _period_json(yesterday_of(moment), yesterday_tiles(engine, moment)),
    }


def daily_gmv(engine: Engine, moment: dt.datetime) -> pd.DataFrame:
    """GMV per day of month over the month block's period and its comparison span (columns: date, gmv,
    sessions, day, month), from the KPI page's per-day sums."""
    period = period_of(moment)
    roster = load_roster(engine)
    frames = [
        sums_by(engine, filters, "day", roster, metric_keys=("gmv",))
        for filters in (compared(period.filters), period.filters)
    ]
    frame = pd.concat([f for f in frames if not f.empty]) if any(not f.empty for f in frames) else frames[0]
    out = pd.DataFrame(
        {"date": pd.to_datetime(frame["k_day"]), "gmv": frame["gmv__gmv"], "sessions": frame["sessions"]}
    )
    if out.empty:
        return out
    out = out.sort_values("date").reset_index(drop=True)
    out["day"] = out["date"].dt.day
    out["month"] = out["date"].dt.strftime("%Y-%m")
    return out


def tile_link(period: Period, metric_key: str) -> dict[str, str]:
    """The KPI page's query string for a home tile: the same period (its preset), the whole team, the
    tile's metric on the trend where the trend has it."""
    view = {"preset": period.preset, "metric": metric_key if metric_key in TREND_METRICS else ""}
    return params_from_view(view)


def recent_window(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=RECENT_DAYS - 1), today


def recent_flags_link(today: dt.date) -> dict[str, str]:
    """The KPI page's query string for the recent window (its red flags are recent_flags')."""
    start, end = recent_window(today)
    return params_from_view({"preset": "custom", "from": start, "to": end})


def recent_flags(engine: Engine, moment: dt.datetime) -> list[dict[str, Any]]:
    """The KPI page's red flags (lib.kpis.view.red_flags: hosts under their normal or their target) over
    the recent window to `moment` for the whole team, computed from only the sums the flags need."""
    start, end = recent_window(moment.date())
    filters = period_filters(start, end, moment)
    roster = load_roster(engine)
    with ThreadPoolExecutor(max_workers=2) as pool:  # the two scans side by side, as the KPI page's
        scans = [
            pool.submit(sums_by, engine, span, "host", roster, metric_keys=FLAG_SUMS)
            for span in (compared(filters), filters)
        ]
    before, now = (scan.result() for scan in scans)
    before_hosts = label_groups(before, "host", roster)
    targets = tg.load_targets(engine)
    # The ranking's rows without its month-on-month column (group_rows adds it; the flags never read it).
    hosts = frame_rows(label_groups(now, "host", roster))
    return red_flags(with_targets("host", hosts, filters, roster, targets, FLAG_TARGETS), before_hosts)
