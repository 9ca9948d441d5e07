"""The KPI page's state in the URL, the presets and the default period (also the home page's)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lib.core.bounds import parse_date
from lib.core.dates import quarter_start, week_start
from lib.core.platforms import PLATFORMS
from lib.kpis.queries import RANK_GROUPS, TIME_GROUPS, TREND_METRICS

PRESETS = (
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_quarter",
    "last_90_days",
    "custom",
)
# How each preset is compared (lib.core.dates.comparison_span); "" = "other": the same days a month earlier.
PRESET_KINDS = {
    "yesterday": "day",
    "this_week": "week",
    "last_week": "week",
    "this_month": "month",
    "last_month": "month",
    "this_quarter": "quarter",
    "last_90_days": "days",
    "custom": "",
}
# A month shows month to date from its MIN_MONTH_DAYS-th day on; before that the whole previous month (a
# period of one or a few days gives a one-dot trend and monthly targets pro-rated to a day).
MIN_MONTH_DAYS = 7
PARAM_KEYS = ("preset", "from", "to", "platform", "room", "team", "host", "gran", "by", "metric")


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Both ends inclusive; "this" periods end today."""
    if preset == "yesterday":
        return today - dt.timedelta(days=1), today - dt.timedelta(days=1)
    if preset == "this_quarter":
        return quarter_start(today), today
    if preset == "this_week":
        return week_start(today), today
    if preset == "last_week":
        start = week_start(today) - dt.timedelta(days=7)
        return start, start + dt.timedelta(days=6)
    if preset == "last_month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    if preset == "last_90_days":
        return today - dt.timedelta(days=89), today
    return today.replace(day=1), today


def default_preset(today: dt.date) -> str:
    """this_month once MIN_MONTH_DAYS days of it have passed, else last_month."""
    return "this_month" if today.day >= MIN_MONTH_DAYS else "last_month"


def default_period(today: dt.date) -> tuple[dt.date, dt.date, str]:
    """(start, end, label key) of the period the home and KPI pages open on: month to date from the
    MIN_MONTH_DAYS-th day of a month, else the whole previous month (never a period of a day or two)."""
    preset = default_preset(today)
    start, end = preset_range(preset, today)
    label = "kpis.period.month_to_date" if preset == "this_month" else "kpis.period.previous_month_early"
    return start, end, label


def default_note(preset: str, start: dt.date, end: dt.date, today: dt.date) -> str | None:
    """The default period's label key when (preset, start, end) is today's default period, else None."""
    d_start, d_end, label = default_period(today)
    return label if preset == default_preset(today) and (start, end) == (d_start, d_end) else None


def view_from_params(params: dict[str, str], today: dt.date) -> dict[str, Any]:
    """The page's state from a URL query string; anything unknown or malformed falls back to defaults."""
    default = default_preset(today)
    preset = params.get("preset") or default
    if preset not in PRESETS:
        preset = default
    start, end = preset_range(preset, today)
    if preset == "custom":
        first, last = parse_date(params.get("from")), parse_date(params.get("to"))
        if first is None or last is None:
            # malformed, or beyond the business dates (lib.core.bounds): 0001-01-01 would overflow
            preset, (first, last) = default, preset_range(default, today)
        start, end = first, last
    gran = params.get("gran") if params.get("gran") in ("session", *TIME_GROUPS) else "day"
    rank_by = params.get("by") if params.get("by") in RANK_GROUPS else "host"
    trend_metric = params.get("metric") if params.get("metric") in TREND_METRICS else "gmv"
    platform = params.get("platform") or ""
    return {
        "preset": preset,
        "from": start,
        "to": end,
        "platform": platform if platform in PLATFORMS else "",
        "room": params.get("room") or "",
        "team": params.get("team") or "",
        "host": params.get("host") or "",
        "gran": gran,
        "by": rank_by,
        "metric": trend_metric,
    }


def params_from_view(view: dict[str, Any]) -> dict[str, str]:
    """The query string of a view: only what differs from "nothing chosen" (dates only when custom)."""
    out = {}
    for key in PARAM_KEYS:
        value = view.get(key)
        if key in ("from", "to") and view.get("preset") != "custom":
            continue
        if value:
            out[key] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return out
