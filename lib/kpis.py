"""Live-stream KPIs: SQL aggregation of live_sessions per group, metrics from the catalogue, targets.

Every number here comes from `GROUP BY` in SQL: per metric the sums over the sessions that have all its
inputs (so "no data" stays None and ratios are re-divided from sums), per day or per group key. Days roll
up to weeks and months in pandas from those sums (small frames: one row per day). A host is the roster
person when `host_person_id` is set (name from people), else the exported `host_name`; a host's team is
people.team_id.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import Engine, and_, case, func, literal, or_, select

from lib import targets as tg
from lib.core.bounds import parse_date
from lib.core.metrics import MAX_COLUMNS, METRICS, SESSION_METRICS, WEIGHTED_COLUMNS, Metric
from lib.core.models import Incident, LiveSession, Person, Team
from lib.core.platforms import PLATFORM_NAMES, PLATFORMS  # noqa: F401 (re-exported for pages and the CLI)

GROUPS = ("session", "day", "week", "month", "host", "room", "platform", "team")
TIME_GROUPS = ("day", "week", "month")
RANK_GROUPS = ("host", "room", "platform", "team")
FUNNEL_STEPS = ("exposure", "viewers", "product_clicks", "buyers")
# Session durations counted in 30-minute buckets up to 6 h, then one open bucket (6 h +).
DURATION_BUCKET_MINUTES = 30
DURATION_BUCKETS = 12
PARALLEL_QUERIES = 4  # the page's independent scans at once (one pooled connection each)
SESSION_ROWS_LIMIT = 500  # the page's per-session view shows the latest sessions only
TREND_METRICS = (
    "gmv",
    "viewers",
    "conversion_rate",
    "avg_watch_seconds",
    "uv_value",
    "interaction_rate",
    "duration_hours",
    "new_followers",
)
FLAG_SUMS = ("gmv", "viewers", "conversion_rate")  # the sums red flags need
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
# Red flags: a host's metric under FLAG_RATIO of their own normal (the same days one month earlier, with
# at least MIN_NORMAL_SESSIONS sessions), or under FLAG_RATIO of its target.
FLAG_METRICS = ("gmv_per_session", "conversion_rate", "viewers_per_session")
FLAG_RATIO = 0.7
MIN_NORMAL_SESSIONS = 3

LS = LiveSession.__table__


class Filters(NamedTuple):
    """What the KPI page and `kpi` command filter on; hashable so it can key the cache."""

    date_from: dt.date
    date_to: dt.date
    platform: str | None = None
    room: str | None = None
    team: str | None = None  # team name
    host: str | None = None  # roster name, or the name as exported for a host not on the roster


# --- SQL ------------------------------------------------------------------------------------------


@functools.cache
def sum_columns(metric_keys: tuple[str, ...] | None = None, extras: bool = True) -> tuple[Any, ...]:
    """The aggregate columns: per metric its covered sums and count (only `metric_keys` when given: the
    fewer expressions, the faster the scan), and with `extras` the funnel steps."""
    cols: dict[str, Any] = {"sessions": func.count()}
    for m in SESSION_METRICS:
        if not m.inputs or (metric_keys is not None and m.key not in metric_keys):
            continue
        covered = and_(*(LS.c[c].isnot(None) for c in m.inputs))
        single = len(m.inputs) == 1
        cols[f"{m.key}__sessions"] = func.count(LS.c[m.inputs[0]] if single else case((covered, 1)))
        for c in m.inputs + m.optional:
            value = LS.c[c] if single and c in m.inputs else case((covered, LS.c[c]))
            cols[f"{m.key}__{c}"] = (func.max if c in MAX_COLUMNS else func.sum)(value)
            if c in WEIGHTED_COLUMNS and c in m.inputs:
                weight = LS.c[WEIGHTED_COLUMNS[c]]
                cols[f"{m.key}__{c}_w"] = func.sum(case((covered, LS.c[c] * weight)))
                cols[f"{m.key}__{c}_v"] = func.sum(case((covered, weight)))
    if extras:
        steps = and_(*(LS.c[c].isnot(None) for c in FUNNEL_STEPS[1:]))
        cols["funnel__sessions"] = func.count(case((steps, 1)))
        cols["funnel__exposure_n"] = func.count(case((and_(steps, LS.c.exposure.isnot(None)), 1)))
        for c in FUNNEL_STEPS:
            cols[f"funnel__{c}"] = func.sum(case((steps, LS.c[c])))
        # Sessions per duration bucket (the first takes anything shorter, the last is open-ended): counted
        # in the same scan rather than a GROUP BY of their own.
        minutes = LS.c.duration_minutes
        for i in range(DURATION_BUCKETS + 1):
            low, high = i * DURATION_BUCKET_MINUTES, (i + 1) * DURATION_BUCKET_MINUTES
            cond = (
                minutes < high
                if i == 0
                else minutes >= low
                if i == DURATION_BUCKETS
                else and_(minutes >= low, minutes < high)
            )
            cols[f"durations__b{i}"] = func.count(case((cond, 1)))
    return tuple(expr.label(name) for name, expr in cols.items())


def _sum_names(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c == "sessions" or "__" in c]


@dataclass(frozen=True)
class Roster:
    """Who is who: person id -> name and team id, team id -> name (small tables)."""

    person_name: dict[int, str] = field(default_factory=dict)
    person_team: dict[int, int | None] = field(default_factory=dict)
    team_name: dict[int, str] = field(default_factory=dict)

    def person_ids(self, name: str) -> list[int]:
        return [pid for pid, n in self.person_name.items() if n == name]

    def team_id(self, name: str | None) -> int | None:
        return next((tid for tid, n in self.team_name.items() if n == name), None)


def load_roster(engine: Engine) -> Roster:
    with engine.connect() as conn:
        people = conn.execute(select(Person.id, Person.name, Person.team_id)).all()
        teams = conn.execute(select(Team.id, Team.name)).all()
    return Roster(
        person_name={p.id: p.name for p in people},
        person_team={p.id: p.team_id for p in people},
        team_name={t.id: t.name for t in teams},
    )


def _where(filters: Filters, roster: Roster, date_from: dt.date, date_to: dt.date) -> list[Any]:
    conds: list[Any] = [LS.c.started_on >= date_from, LS.c.started_on <= date_to]
    if filters.platform:
        conds.append(LS.c.platform == filters.platform)
    if filters.room:
        conds.append(LS.c.room == filters.room)
    if filters.host:
        ids = roster.person_ids(filters.host)
        by_name = and_(LS.c.host_person_id.is_(None), LS.c.host_name == filters.host)
        conds.append(or_(LS.c.host_person_id.in_(ids), by_name) if ids else by_name)
    if filters.team:
        team_id = roster.team_id(filters.team)
        ids = [pid for pid, tid in roster.person_team.items() if tid == team_id and team_id is not None]
        conds.append(LS.c.host_person_id.in_(ids) if ids else literal(False))
    return conds


def _group_columns(by: str) -> list[Any]:
    if by in TIME_GROUPS:
        return [LS.c.started_on.label("k_day")]
    if by in ("host", "team"):  # teams roll up from hosts in pandas
        # (person, exported name): a person's aliases merge when the groups are labelled
        return [LS.c.host_person_id.label("k_person"), LS.c.host_name.label("k_host_name")]
    if by == "room":
        return [LS.c.room.label("k_room")]
    if by == "platform":
        return [LS.c.platform.label("k_platform")]
    raise ValueError(f"unknown group {by!r}; one of {', '.join(GROUPS)}")


def sums_query(
    filters: Filters,
    by: str,
    roster: Roster,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    metric_keys: tuple[str, ...] | None = None,
    extras: bool = False,
) -> Any:
    """The GROUP BY statement behind `sums_by` (also what the benchmark times bare)."""
    keys = [] if by == "all" else _group_columns(by)
    extra = [func.max(LS.c.platform).label("k_room_platform")] if by == "room" else []
    where = _where(filters, roster, date_from or filters.date_from, date_to or filters.date_to)
    query = select(*keys, *extra, *sum_columns(metric_keys, extras)).where(*where)
    return query.group_by(*keys) if keys else query


def sums_by(
    engine: Engine,
    filters: Filters,
    by: str,
    roster: Roster,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    metric_keys: tuple[str, ...] | None = None,
    extras: bool = False,
) -> pd.DataFrame:
    """One GROUP BY query: the sums of every group in the range (default: the filters' range); `by`
    "all" gives one row. Only the sums of `metric_keys` when given (default: every session metric)."""
    query = sums_query(filters, by, roster, date_from, date_to, metric_keys, extras)
    with engine.connect() as conn:
        result = conn.execute(query)
        frame = pd.DataFrame([tuple(r) for r in result.all()], columns=list(result.keys()))
    for name in _sum_names(frame):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return frame


# --- from sums to metrics -------------------------------------------------------------------------


def _fields(m: Metric) -> tuple[tuple[str, str], ...]:
    """(column of the sums frame, key in the metric's sums) for metric `m`."""
    if not m.inputs:
        return (("sessions", "sessions"),)
    keys = ["sessions", *m.inputs, *m.optional]
    keys += [f"{c}_{s}" for c in m.inputs if c in WEIGHTED_COLUMNS for s in ("w", "v")]
    return tuple((f"{m.key}__{k}", k) for k in keys)


METRIC_FIELDS = {m.key: _fields(m) for m in SESSION_METRICS}


def _scoped(row: dict[str, Any], m: Metric) -> dict[str, float | None]:
    return {short: _none(row.get(full)) for full, short in METRIC_FIELDS[m.key]}


def _none(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    value = float(value)
    return None if value != value else value  # NaN


def metrics_of(row: dict[str, Any]) -> dict[str, float | None]:
    """Every session metric of one group from its row of sums."""
    return {m.key: m.from_sums(_scoped(row, m)) for m in SESSION_METRICS}


def rollup(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Add up groups of sums (MAX columns take the max); all-missing stays missing."""
    names = _sum_names(frame)
    if frame.empty:
        return frame.groupby(keys, dropna=False)[names].sum().reset_index()
    agg = {n: ("max" if n.split("__")[-1] in MAX_COLUMNS else "sum") for n in names}
    grouped = frame.groupby(keys, dropna=False, sort=True)
    out = grouped.agg(agg)
    counts = grouped[names].count()
    out = out.where(counts > 0)
    return out.reset_index()


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _shift_month(day: dt.date, months: int) -> dt.date:
    month0 = day.year * 12 + day.month - 1 + months
    year, month = divmod(month0, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def previous_range(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    """The same range one month earlier (环比): Nov 1–24 -> Oct 1–24; a whole month -> the whole month."""
    start = _shift_month(date_from, -1)
    end = _shift_month(date_to, -1)
    if date_to == _shift_month(date_to.replace(day=1), 1) - dt.timedelta(days=1):  # ends on a month end
        end = date_to.replace(day=1) - dt.timedelta(days=1)
    return start, end


def _label_groups(frame: pd.DataFrame, by: str, roster: Roster) -> pd.DataFrame:
    """Add `group` (display key) and scope columns (person, team, room, platform, month) per row."""
    out = frame.copy()
    if by in TIME_GROUPS:
        days = pd.to_datetime(out["k_day"]).dt.date
        if by == "day":
            out["group"] = days
        elif by == "week":
            out["group"] = days.map(_week_start)
        else:
            out["group"] = days.map(lambda d: d.replace(day=1))
        out = rollup(out.drop(columns=["k_day"]), ["group"])
        out["month"] = out["group"].map(tg.month_of)
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


def _scope(by: str, row: dict[str, Any], filters: Filters, roster: Roster) -> dict[str, str | None]:
    """What a group's target depends on: its own key plus the filters that narrow it."""
    team_id = roster.team_id(filters.team) if filters.team else None
    host_ids = roster.person_ids(filters.host) if filters.host else []
    scope: dict[str, str | None] = {
        "person": str(host_ids[0]) if len(host_ids) == 1 else None,
        "team": None if team_id is None else str(team_id),
        "room": filters.room,
        "platform": filters.platform,
    }
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
        end = {"day": start, "week": start + dt.timedelta(days=6)}.get(by) or (
            _shift_month(start, 1) - dt.timedelta(days=1)
        )
        start, end = max(start, filters.date_from), min(end, filters.date_to)
        return tg.month_of(start), tg.months_span(start, end)
    if by == "session":
        day = row["started_on"]
        return tg.month_of(day), tg.months_span(day, day)
    return tg.month_of(filters.date_to), tg.months_span(filters.date_from, filters.date_to)


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
    for target in targets:
        if metric_keys is not None and target.metric not in metric_keys and target.metric != "gmv_mom":
            continue
        by_metric.setdefault(target.metric, []).append(target)
    memo: dict[tuple, tg.TargetRow | None] = {}
    for row in rows:
        month, months = _period(by, row, filters)
        scope = _scope(by, row, filters, roster)
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


def _frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Records of a sums frame with the metrics its sums give (the others None: not queried)."""
    present = [m for m in SESSION_METRICS if METRIC_FIELDS[m.key][0][0] in frame.columns]
    missing = dict.fromkeys(m.key for m in SESSION_METRICS if m not in present)
    rows = []
    for rec in frame.to_dict("records"):
        rec.update(missing)
        rec.update({m.key: m.from_sums(_scoped(rec, m)) for m in present})
        rows.append(rec)
    return rows


# --- the `kpi` command and the ranked table -------------------------------------------------------


def group_rows(
    engine: Engine,
    filters: Filters,
    by: str,
    roster: Roster | None = None,
    targets: tuple[tg.TargetRow, ...] | None = None,
    metric_keys: tuple[str, ...] | None = None,
    previous: pd.DataFrame | None = None,
    sums: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """One dict per group: `group`, `sessions`, every session metric, `gmv_mom` and scope columns, with
    `targets`. Sorted by group key (sessions: by start time). `previous`: the groups' labelled sums one
    month earlier when the caller has them already; `sums`: this range's sums_by frame, likewise."""
    roster = roster or load_roster(engine)
    targets = tg.load_targets(engine) if targets is None else targets
    if by == "session":
        rows = session_rows(engine, filters, roster)
    else:
        frame = sums_by(engine, filters, by, roster, metric_keys=metric_keys) if sums is None else sums
        rows = _frame_rows(_label_groups(frame, by, roster))
        _add_mom(engine, filters, by, roster, rows, previous)
    return with_targets(by, rows, filters, roster, targets, metric_keys)


def _add_mom(
    engine: Engine,
    filters: Filters,
    by: str,
    roster: Roster,
    rows: list[dict[str, Any]],
    prev: pd.DataFrame | None = None,
) -> None:
    """gmv_mom per group: against the same group one month earlier (months: the month before)."""
    if by in ("day", "week") or not rows:
        for row in rows:
            row["gmv_mom"] = None
        return
    start, end = previous_range(filters.date_from, filters.date_to)
    if by == "month":
        start = _shift_month(filters.date_from.replace(day=1), -1)
    if prev is None:
        prev = _label_groups(sums_by(engine, filters, by, roster, start, end, ("gmv",)), by, roster)
    prev_gmv = {}
    for rec in prev.to_dict("records"):
        key = _shift_month(rec["group"], 1) if by == "month" else rec["group"]
        prev_gmv[key] = METRICS["gmv"].from_sums(_scoped(rec, METRICS["gmv"]))
    for row in rows:
        row["gmv_mom"] = _mom(row.get("gmv"), prev_gmv.get(row["group"]))


def session_rows(
    engine: Engine, filters: Filters, roster: Roster, limit: int | None = None, session_id: int | None = None
) -> list[dict[str, Any]]:
    """Sessions in the range (latest first when limited), each with its metrics; `group` is its id."""
    where = (
        [LS.c.id == session_id]
        if session_id is not None
        else _where(filters, roster, filters.date_from, filters.date_to)
    )
    order = [LS.c.started_at.desc(), LS.c.id.desc()] if limit else [LS.c.started_at, LS.c.id]
    query = select(LS).where(*where).order_by(*order)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        records = [dict(r) for r in conn.execute(query).mappings()]
    from lib.core.metrics import metrics_from_rows

    out = []
    for rec in records:
        pid = rec.get("host_person_id")
        rec["host"] = roster.person_name.get(pid, rec.get("host_name")) if pid else rec.get("host_name")
        rec["team_id"] = roster.person_team.get(pid) if pid else None
        rec["team"] = roster.team_name.get(rec["team_id"]) if rec["team_id"] else None
        rec.update({k: v for k, v in metrics_from_rows([rec]).items() if k != "sessions"})
        rec.update(group=rec["id"], sessions=1, gmv_mom=None)
        out.append(rec)
    return out


def public(row: dict[str, Any]) -> dict[str, Any]:
    """The `kpi --json` object of a group: group, sessions, every catalogue metric by key, targets."""
    out: dict[str, Any] = {"group": _jsonable(row.get("group")), "sessions": int(row.get("sessions") or 0)}
    for m in SESSION_METRICS:
        if m.key != "sessions":
            out[m.key] = _number(row.get(m.key), m)
    out["gmv_mom"] = row.get("gmv_mom")
    gmv_target = row.get("targets", {}).get("gmv")
    out["gmv_achievement"] = None if gmv_target is None else gmv_target["achievement"]
    out["targets"] = row.get("targets", {})
    return out


def _number(value: Any, m: Metric) -> Any:
    value = _none(value)
    if value is not None and m.unit in ("people", "count") and float(value).is_integer():
        return int(value)
    if value is not None and m.unit == "cny" and m.additive:
        return round(value, 2)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


# --- the page -------------------------------------------------------------------------------------


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


def kpi_view(engine: Engine, filters: Filters, granularity: str = "day", rank_by: str = "host") -> KpiView:
    """The KPI page's data: tiles (with 环比), trend, ranked table, funnel, durations and red flags.

    Its independent scans run side by side on their own connections (the drivers release the GIL while
    the database works), so a cold page costs about its slowest query rather than the sum of them."""
    roster = load_roster(engine)
    targets = tg.load_targets(engine)
    with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
        in_range_f = pool.submit(sums_by, engine, filters, "day", roster, metric_keys=TILE_SUMS, extras=True)
        # Last month per host, for the 环比 of tiles and ranking and for each host's normal (only the sums
        # those need: GMV, viewers, conversion; other tiles show no 环比).
        before_f = pool.submit(
            sums_by,
            engine,
            filters,
            "host",
            roster,
            *previous_range(filters.date_from, filters.date_to),
            metric_keys=FLAG_SUMS,
        )
        rank_f = (
            None
            if rank_by == "session"
            else pool.submit(sums_by, engine, filters, rank_by, roster, metric_keys=RANK_SUMS)
        )
        hosts_f = (
            None
            if rank_by == "host"
            else pool.submit(sums_by, engine, filters, "host", roster, metric_keys=FLAG_SUMS)
        )
        sessions_f = (
            None
            if granularity != "session"
            else pool.submit(session_rows, engine, filters, roster, limit=SESSION_ROWS_LIMIT)
        )
    in_range, before = in_range_f.result(), before_f.result()
    before_hosts = _label_groups(before, "host", roster)
    total = _total(in_range)
    tiles = _tiles(total, _total(before), filters, roster, targets)

    truncated = False
    if sessions_f is not None:
        trend_rows = sessions_f.result()
        truncated = len(trend_rows) >= SESSION_ROWS_LIMIT
    else:
        trend_rows = _frame_rows(_label_groups(in_range, granularity, roster))
    trend_rows = with_targets(granularity, trend_rows, filters, roster, targets, TILE_SUMS)
    trend = _trend_frame(trend_rows, granularity)

    prev = before_hosts if rank_by == "host" else None
    rank_sums = None if rank_f is None else rank_f.result()
    rank_rows = group_rows(engine, filters, rank_by, roster, targets, RANK_SUMS, prev, rank_sums)
    ranking = ranking_frame(rank_rows)
    if rank_by == "host":
        hosts = rank_rows
    else:
        hosts = group_rows(
            engine, filters, "host", roster, targets, FLAG_SUMS, before_hosts, hosts_f.result()
        )
    flags = red_flags(hosts, before_hosts)
    return KpiView(
        tiles=tiles,
        trend=trend,
        ranking=ranking,
        funnel=_funnel(total),
        durations=durations_from(total),
        flags=flags,
        sessions=int(total.get("sessions") or 0),
        truncated=truncated,
    )


TILE_SUMS = TREND_METRICS  # the sums the tiles and the trend need


def _total(frame: pd.DataFrame) -> dict[str, Any]:
    """All groups of a sums frame added up into one row."""
    if frame.empty:
        return {"sessions": 0}
    keys = [c for c in frame.columns if c.startswith("k_")]
    rolled = rollup(frame.assign(_all=1).drop(columns=keys), ["_all"])
    return rolled.to_dict("records")[0]


def period_row(
    total: dict[str, Any],
    before: dict[str, Any],
    filters: Filters,
    roster: Roster,
    targets: Iterable[tg.TargetRow],
) -> dict[str, Any]:
    """The figures of the filters' whole scope and range (what every tile shows, on the KPI page and the
    home page): each session metric from `total` (a row of sums), `sessions`, `gmv_mom` against `before`
    (the sums of the same range one month earlier), `previous` (the metrics of `before`), `change` (each
    metric's relative change against `previous`) and `targets` from the one resolver."""
    now_m, before_m = metrics_of(total), metrics_of(before)
    row = {**now_m, "sessions": int(total.get("sessions") or 0), "group": None, "previous": before_m}
    row["change"] = {key: _mom(now_m.get(key), before_m.get(key)) for key in now_m}
    row["gmv_mom"] = _mom(now_m.get("gmv"), before_m.get("gmv"))
    return with_targets("all", [row], filters, roster, targets)[0]


def period_figures(
    engine: Engine, filters: Filters, metric_keys: tuple[str, ...], roster: Roster | None = None
) -> dict[str, Any]:
    """`period_row` of the filters' range against the same range one month earlier (previous_range), from
    two one-row GROUP BY scans over the sums of `metric_keys`."""
    roster = roster or load_roster(engine)
    keys = tuple(dict.fromkeys((*metric_keys, "gmv")))  # gmv_mom needs GMV
    now_sums = sums_by(engine, filters, "all", roster, metric_keys=keys)
    before_sums = sums_by(
        engine, filters, "all", roster, *previous_range(filters.date_from, filters.date_to), keys
    )
    return period_row(_total(now_sums), _total(before_sums), filters, roster, tg.load_targets(engine))


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
    "duration_hours",
    "new_followers",
)
RANK_COLUMNS = (
    "sessions",
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
    "duration_hours",
    "new_followers",
    "gmv_mom",
)


def ranking_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The ranked table: one row per group, highest GMV first, with GMV achievement and status."""
    records = []
    for row in rows:
        rec = {"group": row.get("group")}
        rec.update({k: _none(row.get(k)) for k in RANK_COLUMNS})
        gmv_target = row.get("targets", {}).get("gmv")
        rec["gmv_achievement"] = None if gmv_target is None else gmv_target["achievement"]
        rec["status"] = "no_data" if gmv_target is None else gmv_target["status"]
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=["group", *RANK_COLUMNS, "gmv_achievement", "status"])
    return frame.sort_values("gmv", ascending=False, na_position="last").reset_index(drop=True)


def _funnel(total: dict[str, Any]) -> list[tuple[str, float]]:
    """Exposure -> viewers -> product clicks -> buyers over the sessions that have the steps."""
    if not _none(total.get("funnel__sessions")):
        return []
    steps = list(FUNNEL_STEPS)
    if _none(total.get("funnel__exposure_n")) != _none(total.get("funnel__sessions")):
        steps.remove("exposure")  # some of these sessions were exported without exposure
    return [(s, float(total[f"funnel__{s}"])) for s in steps]


def durations_from(total: dict[str, Any]) -> pd.DataFrame:
    """Sessions per DURATION_BUCKET_MINUTES of duration (the last bucket open-ended), from the range's sums."""
    counts = [int(_none(total.get(f"durations__b{i}")) or 0) for i in range(DURATION_BUCKETS + 1)]
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


def red_flags(hosts: list[dict[str, Any]], before: pd.DataFrame) -> list[dict[str, Any]]:
    """Hosts whose GMV or viewers per session or conversion rate is under FLAG_RATIO of their own normal
    (the same days one month earlier, `before`: labelled host sums), or whose GMV or conversion is under
    FLAG_RATIO of the target."""
    normal = {r["group"]: _flag_values(r) for r in _frame_rows(before)}
    flags = []
    for row in hosts:
        now_values = _flag_values(row)
        ref = normal.get(row["group"])
        normal_ok = ref is not None and ref["_sessions"] >= MIN_NORMAL_SESSIONS
        for key in FLAG_METRICS:
            value = now_values[key]
            if value is not None and normal_ok and ref[key] and value < FLAG_RATIO * ref[key]:
                flags.append(
                    {
                        "group": row["group"],
                        "metric": key,
                        "value": value,
                        "reference": ref[key],
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


# --- filter choices and one session -------------------------------------------------------------


def filter_options(engine: Engine, date_from: dt.date, date_to: dt.date) -> dict[str, list[str]]:
    """Platforms, rooms and hosts with sessions in the range (one GROUP BY over the day index), and every
    team, for the filter boxes."""
    roster = load_roster(engine)
    keys = (LS.c.platform, LS.c.room, LS.c.host_person_id, LS.c.host_name)
    with engine.connect() as conn:
        rows = conn.execute(
            select(*keys).where(LS.c.started_on >= date_from, LS.c.started_on <= date_to).group_by(*keys)
        ).all()
    hosts = {roster.person_name.get(pid, name) if pid is not None else name for _p, _r, pid, name in rows}
    return {
        "platform": sorted({p for p, *_ in rows if p}),
        "room": sorted({r for _p, r, *_ in rows if r}),
        "host": sorted(h for h in hosts if h),
        "team": sorted(roster.team_name.values()),
    }


def session_detail(engine: Engine, session_id: int) -> dict[str, Any] | None:
    """One session: every stored field, its metrics against target, incidents during it, linked cases."""
    from lib.core.models import Case, CaseSession

    roster = load_roster(engine)
    rows = session_rows(engine, Filters(dt.date.min, dt.date.max), roster, session_id=session_id)
    if not rows:
        return None
    row = with_targets(
        "session",
        rows,
        Filters(rows[0]["started_on"], rows[0]["started_on"]),
        roster,
        tg.load_targets(engine),
    )[0]
    inc, case_t, link = Incident.__table__, Case.__table__, CaseSession.__table__
    with engine.connect() as conn:
        incidents = (
            conn.execute(
                select(
                    inc.c.id,
                    inc.c.category,
                    inc.c.severity,
                    inc.c.detected_at,
                    inc.c.responded_at,
                    inc.c.resolved_at,
                    inc.c.handler_name,
                    inc.c.overtime_reason,
                )
                .where(inc.c.session_id == session_id)
                .order_by(inc.c.detected_at)
            )
            .mappings()
            .all()
        )
        cases = (
            conn.execute(
                select(case_t.c.id, case_t.c.title, case_t.c.case_date, case_t.c.status, case_t.c.author)
                .join(link, link.c.case_id == case_t.c.id)
                .where(link.c.session_id == session_id)
                .order_by(case_t.c.case_date)
            )
            .mappings()
            .all()
        )
    stored = {c.name: row.get(c.name) for c in LS.columns}
    return {
        "stored": stored,
        "host": row.get("host"),
        "team": row.get("team"),
        "metrics": {m.key: row.get(m.key) for m in SESSION_METRICS if m.key != "sessions"},
        "targets": row["targets"],
        "incidents": pd.DataFrame(
            incidents,
            columns=[
                "id",
                "category",
                "severity",
                "detected_at",
                "responded_at",
                "resolved_at",
                "handler_name",
                "overtime_reason",
            ],
        ),
        "cases": pd.DataFrame(cases, columns=["id", "title", "case_date", "status", "author"]),
    }


def recent_sessions(engine: Engine, limit: int = 200, lang: str = "zh") -> list[tuple[int, str]]:
    """(id, label) of the latest sessions for the session picker, platforms by their name in `lang`."""
    from lib.core.i18n import translate

    with engine.connect() as conn:
        rows = conn.execute(
            select(LS.c.id, LS.c.started_at, LS.c.platform, LS.c.room, LS.c.host_name)
            .order_by(LS.c.started_at.desc(), LS.c.id.desc())
            .limit(limit)
        ).all()
    names = {p: translate(f"kpis.platform_name.{p}", lang) for p in {r.platform for r in rows}}
    return [
        (r.id, f"{r.started_at:%Y-%m-%d %H:%M} · {names[r.platform]} · {r.room or ''} · {r.host_name or ''}")
        for r in rows
    ]


# --- the page's filters in the URL ----------------------------------------------------------------

PRESETS = ("this_week", "last_week", "this_month", "last_month", "last_90_days", "custom")
# A month shows month to date from its MIN_MONTH_DAYS-th day on; before that the whole previous month (a
# period of one or a few days gives a one-dot trend and monthly targets pro-rated to a day).
MIN_MONTH_DAYS = 7
PARAM_KEYS = ("preset", "from", "to", "platform", "room", "team", "host", "gran", "by", "metric")


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Both ends inclusive; "this" periods end today."""
    if preset == "this_week":
        return _week_start(today), today
    if preset == "last_week":
        start = _week_start(today) - dt.timedelta(days=7)
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
        linked = parse_date(params.get("from")), parse_date(params.get("to"))
        if (
            None in linked
        ):  # malformed, or beyond the business dates (lib.core.bounds): 0001-01-01 would overflow
            preset, linked = default, preset_range(default, today)
        start, end = linked
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


def ranking_for_export(ranking: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    """The ranked table with the catalogue's names as headers (what the CSV/XLSX download holds)."""
    from lib.core.i18n import translate

    out = ranking.copy()
    out["status"] = out["status"].map(lambda s: translate(f"kpis.status.{s}", lang))
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
    return out.rename(columns=names)


def ranking_export_units(lang: str) -> dict[str, str]:
    """The unit of each number column of ranking_for_export (lib.core.exports formats and rounds by it)."""
    from lib.core.i18n import translate

    return {METRICS[k].name(lang): METRICS[k].unit for k in RANK_COLUMNS} | {
        translate("kpis.achievement", lang): "pct"
    }


# --- texts the page shows (language of the current session) -------------------------------------


def choice_label(key: str, value: str) -> str:
    """A filter choice as shown: "" is "all", platforms by their name."""
    from lib.web.i18n import t

    if not value:
        return t("kpis.all")
    return t(f"kpis.platform_name.{value}") if key == "platform" else value


def tile_caption(tile: dict[str, Any]) -> str:
    """ "Target X · achieved Y %" (a band for between-targets) or "no target"."""
    from lib.core.formatting import format_metric
    from lib.web.i18n import current_language, t

    target = tile["target"]
    if target is None:
        return t("kpis.tile_no_target")
    lang = current_language()
    text = format_metric(tile["metric"], target["value"], lang)
    if target["value_high"] is not None:
        text += "–" + format_metric(tile["metric"], target["value_high"], lang)
    if target.get("growth"):
        return t("kpis.tile_target_gap", target=text, gap=met_text(tile["metric"], target))
    return t("kpis.tile_target", target=text, achievement=met_text(tile["metric"], target))


def met_text(metric_key: str, target: dict[str, Any], lang: str | None = None) -> str:
    """How a target is met: the achievement (1.0 = met) as a percentage, or for a growth metric the points
    above or below the target rate ("高出 3.2 个百分点")."""
    from lib.core.formatting import format_metric, format_points
    from lib.core.i18n import translate
    from lib.web.i18n import current_language

    lang = lang or current_language()
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


def flag_reason(flag: dict[str, Any]) -> str:
    """Why a host is flagged, e.g. "单场 GMV ¥51,748，低于目标 ¥100,000 的 70%"."""
    from lib.core.formatting import format_metric
    from lib.web.i18n import current_language, t

    lang = current_language()
    unit = FLAG_UNITS[flag["metric"]]
    return t(
        f"kpis.flag.{flag['reason']}",
        metric=t(f"kpis.flag_metric.{flag['metric']}"),
        value=format_metric(unit, flag["value"], lang),
        reference=format_metric(unit, flag["reference"], lang),
        pct=round(FLAG_RATIO * 100),
    )


def flags_frame(flags: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The red flags as a table: host, reason."""
    from lib.core.i18n import translate

    return pd.DataFrame(
        {
            translate("kpis.host", lang): [f["group"] for f in flags],
            translate("kpis.reason", lang): [flag_reason(f) for f in flags],
        }
    )


def session_metrics_frame(detail: dict[str, Any], lang: str) -> pd.DataFrame:
    """A session's metrics as text rows: metric, actual, target, achievement, status."""
    from lib.core.formatting import format_metric
    from lib.core.i18n import translate

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
    """Every stored column of the session as text (empty = not exported)."""
    from lib.core.i18n import translate

    rows = [
        {
            translate("kpis.session.field", lang): k,
            translate("kpis.session.value", lang): "" if v is None else str(v),
        }
        for k, v in detail["stored"].items()
    ]
    return pd.DataFrame(rows)


def session_links(trend: pd.DataFrame, metric_key: str, lang: str) -> pd.DataFrame:
    """The per-session trend as a table whose first column links to each session's detail page."""
    from lib.core.i18n import translate

    return pd.DataFrame(
        {
            translate("kpis.session.open", lang): [f"session_detail?session={g}" for g in trend["group"]],
            translate("kpis.group", lang): trend["label"],
            METRICS[metric_key].name(lang): trend[metric_key],
        }
    )
