"""The KPI page's view-model: tiles with 环比, trend, ranked table, funnel, durations and red flags."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import targets as tg
from lib.core import clock
from lib.core.dates import Span
from lib.core.formatting import number_or_none
from lib.kpis.period_targets import with_period_targets, with_period_tiles
from lib.kpis.periods import compared, comparison_of, kind_of, span_of
from lib.kpis.queries import (
    DURATION_BUCKET_MINUTES,
    DURATION_BUCKETS,
    FLAG_SUMS,
    FUNNEL_STEPS,
    PARALLEL_QUERIES,
    SESSION_ROWS_LIMIT,
    TREND_METRICS,
    Filters,
    Roster,
    load_roster,
    session_rows,
    sums_by,
)
from lib.kpis.rows import (
    float_column,
    frame_rows,
    group_rows,
    label_groups,
    metric_columns,
    period_row,
    total_of,
    with_targets,
)

TILE_KEYS = (
    "gmv",
    "gmv_mom",
    "viewers",
    "conversion_rate",
    "avg_watch_seconds",
    "interaction_rate",
    "duration_hours",
    "new_followers",
)
# Red flags: a host's metric under FLAG_RATIO of their own normal (the comparison span, with
# at least MIN_NORMAL_SESSIONS sessions), or under FLAG_RATIO of its target.
FLAG_METRICS = ("gmv_per_session", "conversion_rate", "viewers_per_session")
FLAG_RATIO = 0.7
MIN_NORMAL_SESSIONS = 3
# The targets a ranking row shows (GMV) and a red flag reads (GMV, conversion): per host, only these are
# evaluated (each other metric's target would be one more evaluation per host, never shown).
FLAG_TARGETS = ("gmv", "conversion_rate")

RANK_SUMS = (
    "gmv",
    "viewers",
    "orders",
    "buyers",
    "conversion_rate",
    "uv_value",
    "gpm",
    "avg_order_value",
    "avg_watch_seconds",
    "interaction_rate",
    "like_rate",
    "duration_hours",
    "new_followers",
)
RANK_COLUMNS = ("sessions", *RANK_SUMS, "gmv_mom")


TILE_SUMS = TREND_METRICS  # the sums the tiles and the trend need


@dataclass
class KpiView:
    """Everything the KPI page shows for one set of filters (one cached call)."""

    tiles: list[dict[str, Any]]
    trend: pd.DataFrame  # group, metric columns, <metric>__target / __target_high
    ranking: pd.DataFrame  # group, sessions, metrics, gmv achievement and status
    funnel: list[tuple[str, float]]
    durations: pd.DataFrame  # bucket (hours from), sessions
    flags: list[dict[str, Any]]
    sessions: int
    truncated: bool = False
    span: Span | None = None  # what the figures count (a to-date period: up to a minute)
    compared: Span | None = None  # what the 环比 and each host's normal compare with
    compare_kind: str = ""  # how (lib.core.dates.comparison_span)


def kpi_view(engine: Engine, filters: Filters, granularity: str = "day", rank_by: str = "host") -> KpiView:
    """The KPI page's data: tiles (with 环比), trend, ranked table, funnel, durations and red flags.

    Its independent scans run side by side on their own connections (the drivers release the GIL while
    the database works), so a cold page costs about its slowest query rather than the sum of them."""
    roster = load_roster(engine)
    targets = tg.load_targets(engine)
    with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
        scans = _submit_scans(pool, engine, filters, roster, granularity, rank_by)
    results: dict[str, Any] = {name: None if f is None else f.result() for name, f in scans.items()}
    in_range, before = results["in_range"], results["before"]
    before_hosts = label_groups(before, "host", roster)
    total = total_of(in_range)
    tiles = _tiles(total, total_of(before), filters, roster, targets)
    periods, now = tg.load_period_targets(engine), clock.now()  # a cached view's pacing: within its TTL
    tiles = with_period_tiles(tiles, filters, roster, periods, now, int(total.get("sessions") or 0))

    truncated = False
    if results["sessions"] is not None:
        trend_rows = results["sessions"]
        truncated = len(trend_rows) >= SESSION_ROWS_LIMIT
    else:
        trend_rows = frame_rows(label_groups(in_range, granularity, roster))
    trend_rows = with_targets(granularity, trend_rows, filters, roster, targets, TILE_SUMS)

    prev = before_hosts if rank_by == "host" else None
    rank_rows = group_rows(
        engine, filters, rank_by, roster, targets, RANK_SUMS, prev, results["rank"], FLAG_TARGETS
    )
    if rank_by == "host":
        hosts = rank_rows
    else:
        hosts = group_rows(
            engine, filters, "host", roster, targets, FLAG_SUMS, before_hosts, results["hosts"], FLAG_TARGETS
        )
    return KpiView(
        tiles=tiles,
        trend=_trend_frame(trend_rows, granularity),
        ranking=ranking_frame(with_period_targets(rank_by, rank_rows, filters, roster, periods, now)),
        funnel=_funnel(total),
        durations=durations_from(total),
        flags=red_flags(hosts, before_hosts),
        sessions=int(total.get("sessions") or 0),
        truncated=truncated,
        span=span_of(filters),
        compared=comparison_of(filters),
        compare_kind=kind_of(filters),
    )


def _submit_scans(
    pool: ThreadPoolExecutor, engine: Engine, filters: Filters, roster: Roster, granularity: str, rank_by: str
) -> dict[str, Future | None]:
    """The page's independent scans, started side by side (None: this view does not need it)."""
    return {
        "in_range": pool.submit(sums_by, engine, filters, "day", roster, metric_keys=TILE_SUMS, extras=True),
        # The comparison span per host (lib.kpis.periods.compared), for the 环比 of tiles and ranking and for
        # each host's normal (only the sums those need: GMV, viewers, conversion; other tiles show no 环比).
        "before": pool.submit(sums_by, engine, compared(filters), "host", roster, metric_keys=FLAG_SUMS),
        "rank": None
        if rank_by == "session"
        else pool.submit(sums_by, engine, filters, rank_by, roster, metric_keys=RANK_SUMS),
        "hosts": None
        if rank_by == "host"
        else pool.submit(sums_by, engine, filters, "host", roster, metric_keys=FLAG_SUMS),
        "sessions": None
        if granularity != "session"
        else pool.submit(session_rows, engine, filters, roster, limit=SESSION_ROWS_LIMIT),
    }


def _tiles(
    total: dict[str, Any],
    before: dict[str, Any],
    filters: Filters,
    roster: Roster,
    targets: tuple[tg.TargetRow, ...],
) -> list[dict[str, Any]]:
    row = period_row(total, before, filters, roster, targets)
    tiles = []
    for key in TILE_KEYS:
        target = row["targets"].get(key)
        tiles.append(
            {
                "metric": key,
                "actual": row.get(key),
                "target": target,
                "achievement": None if target is None else target["achievement"],
                "status": "no_data" if target is None else target["status"],
                "mom": row["change"].get(key) if key in FLAG_SUMS else None,
            }
        )
    return tiles


def _trend_frame(rows: list[dict[str, Any]], granularity: str) -> pd.DataFrame:
    records = []
    for row in rows:
        rec = {"group": row["group"], "sessions": row.get("sessions")}
        if granularity == "session":
            rec.update(label=f"{row['started_at']:%m-%d %H:%M} {row.get('host') or ''}")
        for key in TREND_METRICS:
            rec[key] = row.get(key)
            target = row.get("targets", {}).get(key)
            rec[f"{key}__target"] = None if target is None else target["value"]
            rec[f"{key}__target_high"] = None if target is None else target["value_high"]
        records.append(rec)
    return pd.DataFrame.from_records(records)


def ranking_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The ranked table: one row per group, highest GMV first, with GMV achievement and status."""
    records = []
    for row in rows:
        rec = {"group": row.get("group")}
        for k in RANK_COLUMNS:  # number_or_none, without a call for the usual float (one per host and column)
            v = row.get(k)
            rec[k] = (v if v == v else None) if type(v) is float else number_or_none(v)
        gmv_target = row.get("targets", {}).get("gmv")
        rec["gmv_achievement"] = None if gmv_target is None else gmv_target["achievement"]
        rec["status"] = "no_data" if gmv_target is None else gmv_target["status"]
        rec.update(_gmv_pacing(gmv_target))
        records.append(rec)
    # GMV, then which target it is read against and how far (a phone sees them without scrolling sideways)
    gmv_at = RANK_COLUMNS.index("gmv") + 1
    columns = [
        "group",
        *RANK_COLUMNS[:gmv_at],
        "gmv_achievement",
        "status",
        *PACING_COLUMNS,
        *RANK_COLUMNS[gmv_at:],
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.sort_values("gmv", ascending=False, na_position="last").reset_index(drop=True)


PACING_COLUMNS = ("target_kind", "time_share", "needed_per_day")


def _gmv_pacing(target: dict[str, Any] | None) -> dict[str, Any]:
    """Which GMV target a ranking row is read against, and with a period target its pacing."""
    pace = (target or {}).get("pacing") or {}
    kind = "none" if target is None else target.get("target_kind", "per_session")
    return {
        "target_kind": kind,
        "time_share": pace.get("time_share"),
        "needed_per_day": pace.get("needed_per_day"),
    }


def _funnel(total: dict[str, Any]) -> list[tuple[str, float]]:
    """Exposure -> viewers -> product clicks -> buyers over the sessions that have the steps."""
    if not number_or_none(total.get("funnel__sessions")):
        return []
    steps = list(FUNNEL_STEPS)
    if number_or_none(total.get("funnel__exposure_n")) != number_or_none(total.get("funnel__sessions")):
        steps.remove("exposure")  # some of these sessions were exported without exposure
    return [(s, float(total[f"funnel__{s}"])) for s in steps]


def durations_from(total: dict[str, Any]) -> pd.DataFrame:
    """Sessions per DURATION_BUCKET_MINUTES of duration (the last bucket open-ended), from the range's sums."""
    counts = [int(number_or_none(total.get(f"durations__b{i}")) or 0) for i in range(DURATION_BUCKETS + 1)]
    hours = [i * DURATION_BUCKET_MINUTES / 60 for i in range(DURATION_BUCKETS + 1)]
    return pd.DataFrame({"hours_from": hours, "sessions": counts})


def _flag_values(row: dict[str, Any]) -> dict[str, float | None]:
    sessions = row.get("sessions") or 0
    gmv_n = row.get("gmv__sessions")
    viewers_n = row.get("viewers__sessions")
    return {
        "gmv_per_session": None if not gmv_n or row.get("gmv") is None else row["gmv"] / gmv_n,
        "viewers_per_session": None
        if not viewers_n or row.get("viewers") is None
        else row["viewers"] / viewers_n,
        "conversion_rate": row.get("conversion_rate"),
        "_sessions": sessions,
    }


def _normals(before: pd.DataFrame) -> dict[Any, dict[str, float | None]]:
    """`_flag_values` of every host of `before` (labelled host sums), read column by column: a record per
    host costs more than the flags themselves at thousands of hosts."""
    columns = metric_columns(before, ("gmv", "viewers", "conversion_rate"))
    counts = {
        name: float_column(before, name).tolist()
        for name in ("sessions", "gmv__sessions", "viewers__sessions")
    }
    out = {}
    for i, group in enumerate(before["group"].tolist()):
        row = {key: values[i] for key, values in columns.items()}
        row.update({name: None if values[i] != values[i] else values[i] for name, values in counts.items()})
        out[group] = _flag_values(row)
    return out


def red_flags(hosts: list[dict[str, Any]], before: pd.DataFrame) -> list[dict[str, Any]]:
    """Hosts whose GMV or viewers per session or conversion rate is under FLAG_RATIO of their own normal
    (the comparison span, `before`: labelled host sums), or whose GMV or conversion is under
    FLAG_RATIO of the target."""
    normal = _normals(before)
    flags = []
    for row in hosts:
        now_values = _flag_values(row)
        ref = normal.get(row["group"], {})
        normal_ok = (ref.get("_sessions") or 0) >= MIN_NORMAL_SESSIONS
        for key in FLAG_METRICS:
            value, usual = now_values[key], ref.get(key)
            if value is not None and normal_ok and usual and value < FLAG_RATIO * usual:
                flags.append(
                    {
                        "group": row["group"],
                        "metric": key,
                        "value": value,
                        "reference": usual,
                        "reason": "normal",
                    }
                )
        for key, flag_key in (("gmv", "gmv_per_session"), ("conversion_rate", "conversion_rate")):
            target = row.get("targets", {}).get(key)
            if target is None or target["achievement"] is None or target["achievement"] >= FLAG_RATIO:
                continue
            reference = target["value"]
            if key == "gmv":  # the group's GMV target is per session times its sessions
                reference = target["value"] / max(1, int(row.get("sessions") or 1))
            flags.append(
                {
                    "group": row["group"],
                    "metric": flag_key,
                    "value": now_values[flag_key],
                    "reference": reference,
                    "reason": "target",
                }
            )
    return flags
