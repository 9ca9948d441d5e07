"""From SQL sums to metrics per group, with targets from the one resolver (lib.targets): the `kpi`
command's rows and the whole-period figures every tile shows. Days roll up to weeks and months in pandas
from the per-day sums (small frames: one row per day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from lib import targets as tg
from lib.core.dates import (
    Span,
    day_end,
    month_end,
    month_of,
    months_span,
    shift_day_by_months,
    week_start,
)
from lib.core.formatting import number_or_none
from lib.core.metrics import METRICS, SESSION_METRICS, WEIGHTED_COLUMNS, Metric, metric_column
from lib.kpis.periods import compared, comparison_of, filters_of, span_of
from lib.kpis.queries import (
    TIME_GROUPS,
    Filters,
    Roster,
    add_up,
    load_roster,
    session_rows,
    sum_names,
    sums_by,
)


def _fields(m: Metric) -> tuple[tuple[str, str], ...]:
    """(column of the sums frame, key in the metric's sums) for metric `m`."""
    if not m.inputs:
        return (("sessions", "sessions"),)
    keys = ["sessions", *m.inputs, *m.optional]
    keys += [f"{c}_{s}" for c in m.inputs if c in WEIGHTED_COLUMNS for s in ("w", "v")]
    return tuple((f"{m.key}__{k}", k) for k in keys)


METRIC_FIELDS = {m.key: _fields(m) for m in SESSION_METRICS}


def _scoped(row: dict[str, Any], m: Metric) -> dict[str, float | None]:
    return {short: number_or_none(row.get(full)) for full, short in METRIC_FIELDS[m.key]}


def _value(row: dict[str, Any], m: Metric) -> float | None:
    assert m.from_sums is not None  # every session metric has one
    return m.from_sums(_scoped(row, m))


def metrics_of(row: dict[str, Any]) -> dict[str, float | None]:
    """Every session metric of one group from its row of sums."""
    return {m.key: _value(row, m) for m in SESSION_METRICS}


def rollup(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Add up groups of sums (MAX columns take the max); all-missing stays missing."""
    names = sum_names(frame)
    if frame.empty:
        return frame.groupby(keys, dropna=False)[names].sum().reset_index()
    return add_up(frame.groupby(keys, dropna=False, sort=True), names).reset_index()


def label_groups(frame: pd.DataFrame, by: str, roster: Roster) -> pd.DataFrame:
    """Add `group` (display key) and scope columns (person, team, room, platform, month) per row."""
    out = frame.copy()
    if by in TIME_GROUPS:
        days = pd.to_datetime(out["k_day"]).dt.date
        if by == "day":
            out["group"] = days
        elif by == "week":
            out["group"] = days.map(week_start)
        else:
            out["group"] = days.map(lambda d: d.replace(day=1))
        out = rollup(out.drop(columns=["k_day"]), ["group"])
        out["month"] = out["group"].map(month_of)
        return out
    if by in ("host", "team"):
        persons = [None if pd.isna(v) else int(v) for v in out["k_person"]]
        names = [
            roster.person_name.get(p, "?") if p is not None else n
            for p, n in zip(persons, out["k_host_name"], strict=True)
        ]
        teams = [roster.person_team.get(p) if p is not None else None for p in persons]
        if by == "host":
            out["group"] = names
            person_of = {n: p for n, p in zip(names, persons, strict=True) if p is not None}
        else:
            out["group"] = [roster.team_name.get(t, "") if t is not None else "" for t in teams]
        out = rollup(out.drop(columns=["k_person", "k_host_name"]), ["group"])
        labels = list(out["group"])
        if by == "host":
            person_ids = [person_of.get(n) for n in labels]
            team_ids = [roster.person_team.get(p) if p is not None else None for p in person_ids]
            out["person_id"] = pd.Series(person_ids, index=out.index, dtype=object)
        else:
            team_ids = [roster.team_id(n) if n else None for n in labels]
            out["group"] = pd.Series([n or None for n in labels], index=out.index, dtype=object)
        out["team_id"] = pd.Series(team_ids, index=out.index, dtype=object)
        return out
    if by == "room":
        return out.rename(columns={"k_room": "group", "k_room_platform": "platform"})
    return out.rename(columns={"k_platform": "group"})


def _filters_scope(filters: Filters, roster: Roster) -> dict[str, str | None]:
    """The target scope the filters alone give (every group's starting point)."""
    team_id = roster.team_id(filters.team) if filters.team else None
    host_ids = roster.person_ids(filters.host) if filters.host else []
    return {
        "person": str(host_ids[0]) if len(host_ids) == 1 else None,
        "team": None if team_id is None else str(team_id),
        "room": filters.room,
        "platform": filters.platform,
    }


def _scope(
    by: str, row: dict[str, Any], filters: Filters, base: dict[str, str | None]
) -> dict[str, str | None]:
    """What a group's target depends on: its own key plus the filters that narrow it (`base`)."""
    scope = dict(base)
    if by == "host":
        scope["person"] = None if row.get("person_id") is None else str(row["person_id"])
        scope["team"] = None if row.get("team_id") is None else str(row["team_id"])
    elif by == "team":
        scope["team"] = None if row.get("team_id") is None else str(row["team_id"])
    elif by == "room":
        scope["room"], scope["platform"] = row.get("group"), row.get("platform") or filters.platform
    elif by == "platform":
        scope["platform"] = row.get("group")
    elif by == "session":
        scope.update(
            person=_str(row.get("host_person_id")),
            team=_str(row.get("team_id")),
            room=row.get("room"),
            platform=row.get("platform"),
        )
    return scope


def _str(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(int(value))


def _period(by: str, row: dict[str, Any], filters: Filters) -> tuple[str, float]:
    """The month a group's target is read for, and how many months its range covers."""
    if by in TIME_GROUPS:
        start = row["group"]
        end = {"day": start, "week": start + dt.timedelta(days=6)}.get(by) or month_end(start)
        start, end = max(start, filters.date_from), min(end, filters.date_to)
        return month_of(start), months_span(start, end)
    if by == "session":
        day = row["started_on"]
        return month_of(day), months_span(day, day)
    return month_of(filters.date_to), months_span(filters.date_from, filters.date_to)


def with_targets(
    by: str,
    rows: list[dict[str, Any]],
    filters: Filters,
    roster: Roster,
    targets: Iterable[tg.TargetRow],
    metric_keys: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """Attach `targets: {metric: {kind, value, value_high, achievement, status}}` where one applies
    (only for `metric_keys` and gmv_mom when given)."""
    by_metric: dict[str, list[tg.TargetRow]] = {}
    for one in targets:
        if metric_keys is not None and one.metric not in metric_keys and one.metric != "gmv_mom":
            continue
        by_metric.setdefault(one.metric, []).append(one)
    memo: dict[tuple, tg.TargetRow | None] = {}
    base = _filters_scope(filters, roster)
    # A non-time group's target month and months are the range's: once, not once per group.
    same_period = None if by in TIME_GROUPS or by == "session" or not rows else _period(by, rows[0], filters)
    for row in rows:
        month, months = same_period or _period(by, row, filters)
        scope = _scope(by, row, filters, base)
        found: dict[str, Any] = {}
        for key in by_metric:
            if key != "gmv_mom" and key not in METRIC_FIELDS:
                continue  # monthly and incident metrics are not measured per session group
            memo_key = (key, month, tuple(scope.items()))
            if memo_key not in memo:
                memo[memo_key] = tg.resolve(by_metric[key], key, month, scope)
            target = memo[memo_key]
            if target is None or (by == "session" and target.period == "month" and METRICS[key].additive):
                continue  # a monthly total (new followers) says nothing about one session
            found[key] = tg.evaluate(target, row.get(key), int(row.get("sessions") or 0), months)
        row["targets"] = found
    return rows


def _mom(now_value: float | None, before: float | None) -> float | None:
    if now_value is None or before is None or before == 0:
        return None
    return (now_value - before) / before


def float_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Column `name` as floats, NaN where `number_or_none` gives None (all NaN when not queried)."""
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    column = frame[name]
    if column.dtype == "float64":
        return column.to_numpy()
    return np.array([number_or_none(v) for v in column.tolist()], dtype="float64")


def metric_columns(frame: pd.DataFrame, keys: Iterable[str]) -> dict[str, list[float | None]]:
    """Metrics `keys` of every group of a sums frame, each as a column (None: no data or not queried).
    Each metric over every group at once (the catalogue's own from_sums on columns): a loop per group
    and metric grows with the hosts (25,000 at 10,000,000 sessions)."""
    out: dict[str, list[float | None]] = {}
    for key in keys:
        fields = METRIC_FIELDS[key]
        if fields[0][0] not in frame.columns:
            out[key] = [None] * len(frame)
            continue
        sums = {short: float_column(frame, full) for full, short in fields}
        out[key] = metric_column(METRICS[key], sums, len(frame))
    return out


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """`frame.to_dict("records")` (the same values and types) built from whole columns: pandas boxes each
    value on its own, ~0.1 s for a ranking of a few thousand hosts."""
    names = list(frame.columns)
    columns = [frame[n].tolist() for n in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Records of a sums frame with the metrics its sums give (the others None: not queried)."""
    present = [key for key, fields in METRIC_FIELDS.items() if fields[0][0] in frame.columns]
    missing = dict.fromkeys(key for key in METRIC_FIELDS if key not in present)
    columns = metric_columns(frame, present)
    rows = []
    for i, rec in enumerate(records(frame)):
        rec.update(missing)
        for key, values in columns.items():
            rec[key] = values[i]
        rows.append(rec)
    return rows


def group_rows(
    engine: Engine,
    filters: Filters,
    by: str,
    roster: Roster | None = None,
    targets: tuple[tg.TargetRow, ...] | None = None,
    metric_keys: tuple[str, ...] | None = None,
    previous: pd.DataFrame | None = None,
    sums: pd.DataFrame | None = None,
    target_keys: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """One dict per group: `group`, `sessions`, every session metric, `gmv_mom` and scope columns, with
    `targets`. Sorted by group key (sessions: by start time). `previous`: the groups' labelled sums one
    month earlier when the caller has them already; `sums`: this range's sums_by frame, likewise;
    `target_keys`: the only targets the caller reads (default: those of `metric_keys`)."""
    roster = roster or load_roster(engine)
    targets = tg.load_targets(engine) if targets is None else targets
    if by == "session":
        rows = session_rows(engine, filters, roster)
    else:
        frame = sums_by(engine, filters, by, roster, metric_keys=metric_keys) if sums is None else sums
        rows = frame_rows(label_groups(frame, by, roster))
        _add_mom(engine, filters, by, roster, rows, previous)
    return with_targets(by, rows, filters, roster, targets, target_keys or metric_keys)


def _add_mom(
    engine: Engine,
    filters: Filters,
    by: str,
    roster: Roster,
    rows: list[dict[str, Any]],
    prev: pd.DataFrame | None = None,
) -> None:
    """gmv_mom per group: against the same group over the comparison span (lib.kpis.periods.compared);
    months each against the same part of the month before. Each row says the span it is compared with."""
    if by in ("day", "week") or not rows:
        for row in rows:
            row["gmv_mom"] = None
        return
    before = compared(filters._replace(compare="month") if by == "month" else filters)
    if prev is None:
        prev = label_groups(sums_by(engine, before, by, roster, metric_keys=("gmv",)), by, roster)
    groups = prev["group"].tolist()
    keys = [shift_day_by_months(g, 1) for g in groups] if by == "month" else groups
    prev_gmv = dict(zip(keys, metric_columns(prev, ("gmv",))["gmv"], strict=True))
    whole, span = span_of(filters), comparison_of(filters)  # one span for every group (months: below)
    for row in rows:
        row["gmv_mom"] = _mom(row.get("gmv"), prev_gmv.get(row["group"]))
        row["compared"] = span
        if by == "month":  # this month's part of the range against the same part of the month before
            first = max(whole.start, dt.datetime.combine(row["group"], dt.time()))
            last = min(whole.end, day_end(month_end(row["group"])))
            row["compared"] = comparison_of(filters_of(Span(first, last), filters, "month"))


def public(row: dict[str, Any]) -> dict[str, Any]:
    """The `kpi --json` object of a group: group, sessions, every catalogue metric by key, targets."""
    out: dict[str, Any] = {"group": _jsonable(row.get("group")), "sessions": int(row.get("sessions") or 0)}
    for m in SESSION_METRICS:
        if m.key != "sessions":
            out[m.key] = _number(row.get(m.key), m)
    out["gmv_mom"] = row.get("gmv_mom")
    span = row.get("compared")  # what gmv_mom (and `previous`) compare with, when the row compares
    out["previous_start"] = None if span is None else span.start.isoformat()
    out["previous_end"] = None if span is None else span.end.isoformat()
    gmv_target = row.get("targets", {}).get("gmv")
    out["gmv_achievement"] = None if gmv_target is None else gmv_target["achievement"]
    out["targets"] = row.get("targets", {})
    return out


def _number(value: Any, m: Metric) -> Any:
    value = number_or_none(value)
    if value is not None and m.unit in ("people", "count") and float(value).is_integer():
        return int(value)
    if value is not None and m.unit == "cny" and m.additive:
        return round(value, 2)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def total_of(frame: pd.DataFrame) -> dict[str, Any]:
    """All groups of a sums frame added up into one row."""
    if frame.empty:
        return {"sessions": 0}
    if len(frame) == 1:  # one group already (a tile's "all" sums): what the roll-up below would give
        return {"_all": 1, **{n: float(frame[n].iloc[0]) for n in sum_names(frame)}}
    keys = [c for c in frame.columns if c.startswith("k_")]
    rolled = rollup(frame.assign(_all=1).drop(columns=keys), ["_all"])
    return rolled.to_dict("records", into=dict)[0]


def period_row(
    total: dict[str, Any],
    before: dict[str, Any],
    filters: Filters,
    roster: Roster,
    targets: Iterable[tg.TargetRow],
) -> dict[str, Any]:
    """The figures of the filters' whole scope and range (what every tile shows, on the KPI page and the
    home page): each session metric from `total` (a row of sums), `sessions`, `gmv_mom` against `before`
    (the sums of the comparison span, lib.kpis.periods.compared), `previous` (the metrics of `before`),
    `compared` (that span), `change` (each metric's relative change against `previous`) and `targets` from
    the one resolver."""
    now_m, before_m = metrics_of(total), metrics_of(before)
    row: dict[str, Any]  # holds figures, a span and dicts of them
    row = {**now_m, "sessions": int(total.get("sessions") or 0), "group": None, "previous": before_m}
    row["compared"] = comparison_of(filters)
    row["change"] = {key: _mom(now_m.get(key), before_m.get(key)) for key in now_m}
    row["gmv_mom"] = _mom(now_m.get("gmv"), before_m.get("gmv"))
    return with_targets("all", [row], filters, roster, targets)[0]


def period_figures(
    engine: Engine, filters: Filters, metric_keys: tuple[str, ...], roster: Roster | None = None
) -> dict[str, Any]:
    """`period_row` of the filters' span against its comparison span (lib.kpis.periods.compared), from
    two one-row GROUP BY scans over the sums of `metric_keys`."""
    roster = roster or load_roster(engine)
    keys = tuple(dict.fromkeys((*metric_keys, "gmv")))  # gmv_mom needs GMV
    now_sums = sums_by(engine, filters, "all", roster, metric_keys=keys)
    before_sums = sums_by(engine, compared(filters), "all", roster, metric_keys=keys)
    return period_row(total_of(now_sums), total_of(before_sums), filters, roster, tg.load_targets(engine))
