"""Live-stream KPI reads: the SQL sums of live_sessions per group, the roster, sessions, filter choices.

Every number comes from `GROUP BY` in SQL: per metric the sums over the sessions that have all its inputs
(so "no data" stays None and ratios are re-divided from sums), per day or per group key. A host is the
roster person when `host_person_id` is set (name from people), else the exported `host_name`; a host's team
is people.team_id.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import Engine, and_, case, func, literal, or_, select

from lib import rollups
from lib.core.metrics import MAX_COLUMNS, SESSION_METRICS, WEIGHTED_COLUMNS, is_sum_column, metrics_from_rows
from lib.core.models import LiveSession, Person, Team

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
LS = LiveSession.__table__


def host_label() -> Any:
    """A session's host as SQL: the roster person's name when the session is linked to one (join people on
    live_sessions.host_person_id), else the name the platform exported."""
    return func.coalesce(Person.name, LS.c.host_name)


class Filters(NamedTuple):
    """What the KPI page and `kpi` command filter on; hashable so it can key the cache."""

    date_from: dt.date
    date_to: dt.date
    platform: str | None = None
    room: str | None = None
    team: str | None = None  # team name
    host: str | None = None  # roster name, or the name as exported for a host not on the roster
    # A to-date period: sessions of date_to count only when started at or before this moment (team time).
    until: dt.datetime | None = None
    # How the period is compared (lib.core.dates.comparison_span kinds); "" = "other" (one month earlier).
    compare: str = ""


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


def sum_names(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if is_sum_column(c)]


def _is_max(name: str) -> bool:
    return name == "k_room_platform" or name.split("__")[-1] in MAX_COLUMNS


def add_up(grouped: Any, names: list[str]) -> pd.DataFrame:
    """Groups of sums added up, column `names` of a DataFrameGroupBy: a MAX column takes the highest, and
    a group whose values are all missing stays missing. Two whole-frame reductions (sum, max), not one
    aggregation per column: per-column `agg` costs ~25 ms even on a few rows, a page adds up many frames."""
    sums = [n for n in names if not _is_max(n)]
    highs = [n for n in names if _is_max(n)]
    parts = [grouped[sums].sum(min_count=1)] if sums else []
    parts += [grouped[highs].max()] if highs else []
    return pd.concat(parts, axis=1)[names] if len(parts) > 1 else parts[0][names]


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


def where_conditions(filters: Filters, roster: Roster, date_from: dt.date, date_to: dt.date) -> list[Any]:
    conds: list[Any] = [LS.c.started_on >= date_from, LS.c.started_on <= date_to]
    if filters.until is not None and filters.until.date() == date_to:  # the last day cut at a moment
        conds.append(LS.c.started_at <= filters.until)
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
    where = where_conditions(filters, roster, date_from or filters.date_from, date_to or filters.date_to)
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
    """One GROUP BY query per source: the sums of every group in the range (default: the filters' range);
    `by` "all" gives one row. Only the sums of `metric_keys` when given (default: every session metric).

    Whole days come from the roll-ups (lib.rollups: per day x platform x room x host, and every filter of
    the page is one of those keys, so they answer any scope). The raw sessions answer only what the
    roll-up's grain cannot: the last day of a to-date period (`until`), cut at a minute of that day, is
    summed from the raw rows of that day alone (its day index) and added to the whole days before it."""
    date_from, date_to = date_from or filters.date_from, date_to or filters.date_to
    # The last day counts up to a minute (a to-date period): not a roll-up's question.
    cut = filters.until is not None and filters.until.date() == date_to and date_from <= date_to
    last_whole = date_to - dt.timedelta(days=1) if cut else date_to
    whole = filters._replace(until=None)
    frames = []
    if not cut or date_from <= last_whole:
        frames.append(
            rollups.sums_frame(engine, whole, by, roster, date_from, last_whole, metric_keys, extras)
        )
    if cut:
        query = sums_query(filters, by, roster, date_to, date_to, metric_keys, extras)
        frames.append(_frame(engine, query))
    return frames[0] if len(frames) == 1 else combine_sums(frames, by)


def _frame(engine: Engine, query: Any) -> pd.DataFrame:
    return rollups.frame_of(engine, query)  # one reader of sums rows, raw or rolled up


def combine_sums(frames: list[pd.DataFrame], by: str) -> pd.DataFrame:
    """Sums frames of the same statement over disjoint days as one: rows of the same group key added up
    (a MAX column takes the highest; all-missing stays missing, a count of nothing is 0)."""
    keys = [c for c in frames[0].columns if c.startswith("k_") and c != "k_room_platform"]
    both = pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)
    if by in TIME_GROUPS or both.empty:  # one row per day, and the days are disjoint
        return both.reset_index(drop=True)
    names = [c for c in both.columns if c not in keys]
    # By "all": one group of every row.
    grouped = (both if keys else both.assign(_all=1)).groupby(keys or ["_all"], dropna=False, sort=False)
    out = add_up(grouped, names)
    counts = [n for n in names if n == "sessions" or n.endswith("__sessions") or n.startswith("durations__")]
    counts += ["funnel__exposure_n"] if "funnel__exposure_n" in names else []
    out[counts] = out[counts].fillna(0.0)
    return out.reset_index(drop=not keys)[[*keys, *names]]


def session_rows(
    engine: Engine, filters: Filters, roster: Roster, limit: int | None = None, session_id: int | None = None
) -> list[dict[str, Any]]:
    """Sessions in the range, oldest first (when limited: the latest `limit` of them, still oldest first, so
    a per-session trend runs left to right in time), each with its metrics; `group` is its id. A session
    list is finer than any roll-up: always the raw rows (the day index narrows them)."""
    where = (
        [LS.c.id == session_id]
        if session_id is not None
        else where_conditions(filters, roster, filters.date_from, filters.date_to)
    )
    order = [LS.c.started_at.desc(), LS.c.id.desc()] if limit else [LS.c.started_at, LS.c.id]
    query = select(LS).where(*where).order_by(*order)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        records = [dict(r) for r in conn.execute(query).mappings()]
    if limit:
        records.reverse()
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


def filter_options(engine: Engine, date_from: dt.date, date_to: dt.date) -> dict[str, list[str]]:
    """Platforms, rooms and hosts with sessions in the range (the roll-up keys of those days: every
    choice is a roll-up key), and every team, for the filter boxes."""
    roster = load_roster(engine)
    rows = rollups.keys_in_range(engine, date_from, date_to)
    hosts = {roster.person_name.get(pid, name) if pid is not None else name for _p, _r, pid, name in rows}
    return {
        "platform": sorted({p for p, *_ in rows if p}),
        "room": sorted({r for _p, r, *_ in rows if r}),
        "host": sorted(h for h in hosts if h),
        "team": sorted(roster.team_name.values()),
    }
