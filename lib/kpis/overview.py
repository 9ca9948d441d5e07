"""Home-page figures: the default period (params.default_period) against the same days one month earlier
and against target.

Every figure comes from the KPI aggregation (rows.period_figures: the SQL sums, the metric catalogue,
targets from the one resolver), so the home page, the KPI page and the `kpi` command agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import targets as tg
from lib.core import clock
from lib.kpis.params import default_period, default_preset, params_from_view
from lib.kpis.period_targets import with_period_targets
from lib.kpis.queries import FLAG_SUMS, TREND_METRICS, Filters, load_roster, sums_by
from lib.kpis.rows import group_rows, label_groups, period_figures, previous_range
from lib.kpis.view import red_flags

TILE_METRICS = ("gmv", "sessions", "viewers", "conversion_rate")
RECENT_DAYS = 7  # "the last sessions" of the home page's red flags: the last week, today included


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label_key: str  # i18n key: which default it is (month to date, or last month early in a month)
    previous_start: dt.date
    previous_end: dt.date


@dataclass(frozen=True)
class Tile:
    metric: str
    actual: float | None
    previous: float | None  # the same days one month earlier
    change: float | None  # relative change against previous
    target: float | None  # as the KPI page's tile shows it (per-session targets scaled to the period)
    achievement: float | None  # 1.0 = met; None for a growth metric (see gap)
    status: str = "no_data"
    gap: float | None = None  # points above (+) or below (-) a growth target
    detail: dict[str, Any] | None = None  # the target as evaluated (which kind, pacing): for its caption


def period_of(today: dt.date) -> Period:
    start, end, label = default_period(today)
    return Period(start, end, label, *previous_range(start, end))


def overview_tiles(engine: Engine, today: dt.date) -> list[Tile]:
    """GMV, sessions, viewers and conversion over the default period, against the same days one month
    earlier and against target."""
    period = period_of(today)
    filters = Filters(period.start, period.end)
    row = period_figures(engine, filters, TILE_METRICS)
    periods = tg.load_period_targets(engine)
    [row] = with_period_targets("all", [row], filters, load_roster(engine), periods, clock.now())
    tiles = []
    for key in TILE_METRICS:
        actual, previous = row.get(key), row["previous"].get(key)
        target = row["targets"].get(key)
        tiles.append(
            Tile(
                metric=key,
                actual=actual,
                previous=previous,
                change=row["change"].get(key),
                target=None if target is None else target["value"],
                achievement=None if target is None else target["achievement"],
                status="no_data" if target is None else target["status"],
                gap=None if target is None else target["gap"],
                detail=target,
            )
        )
    return tiles


def overview_json(engine: Engine, today: dt.date) -> dict[str, Any]:
    """The home page's figures for `today` as the `overview --json` command prints them."""
    period = period_of(today)
    return {
        "date": today.isoformat(),
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label_key,
            "previous_start": period.previous_start.isoformat(),
            "previous_end": period.previous_end.isoformat(),
        },
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
            for tile in overview_tiles(engine, today)
        ],
    }


def target_json(tile: Tile) -> dict[str, Any]:
    """`target_kind` ("period", "per_session" or "per_month"; None without a target) and, for a period
    target, `pacing` {time_share, target_share, needed_per_day} (else None)."""
    detail = tile.detail or {}
    return {"target_kind": detail.get("target_kind"), "pacing": detail.get("pacing")}


def daily_gmv(engine: Engine, today: dt.date) -> pd.DataFrame:
    """GMV per day of month over the default period and the same days one month earlier (columns: date,
    gmv, sessions, day, month), from the KPI page's per-day sums."""
    period = period_of(today)
    roster = load_roster(engine)
    frames = [
        sums_by(engine, Filters(start, end), "day", roster, metric_keys=("gmv",))
        for start, end in ((period.previous_start, period.previous_end), (period.start, period.end))
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


def tile_link(today: dt.date, metric_key: str) -> dict[str, str]:
    """The KPI page's query string for a home tile: the same period (the default preset), the whole team,
    the tile's metric on the trend where the trend has it."""
    view = {"preset": default_preset(today), "metric": metric_key if metric_key in TREND_METRICS else ""}
    return params_from_view(view)


def recent_window(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=RECENT_DAYS - 1), today


def recent_flags_link(today: dt.date) -> dict[str, str]:
    """The KPI page's query string for the recent window (its red flags are recent_flags')."""
    start, end = recent_window(today)
    return params_from_view({"preset": "custom", "from": start, "to": end})


def recent_flags(engine: Engine, today: dt.date) -> list[dict[str, Any]]:
    """The KPI page's red flags (lib.kpis.view.red_flags: hosts under their normal or their target) over
    the recent window for the whole team, computed from only the sums the flags need."""
    start, end = recent_window(today)
    filters = Filters(start, end)
    roster = load_roster(engine)
    before = sums_by(engine, filters, "host", roster, *previous_range(start, end), metric_keys=FLAG_SUMS)
    before_hosts = label_groups(before, "host", roster)
    hosts = group_rows(
        engine, filters, "host", roster, tg.load_targets(engine), FLAG_SUMS, before_hosts, None
    )
    return red_flags(hosts, before_hosts)
