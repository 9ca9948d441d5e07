"""Home-page figures: this month so far against the same days of last month and against target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from lib.metrics import metric, session_metrics
from lib.models import LiveSession, Target

TILE_METRICS = ("gmv", "sessions", "viewers", "conversion_rate")


@dataclass(frozen=True)
class Tile:
    metric: str
    actual: float | None
    previous: float | None  # same days of last month
    change: float | None  # relative change against previous
    target: float | None  # per-session target scaled to the period where that applies
    achievement: float | None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first `today.day` days of last month (shorter months are clipped to their end)."""
    last_month_end = month_start(today) - dt.timedelta(days=1)
    start = month_start(last_month_end)
    return start, min(last_month_end, start + dt.timedelta(days=today.day - 1))


def _sums(engine: Engine, start: dt.date, end: dt.date) -> dict[str, float | None]:
    s = LiveSession
    stmt = select(
        func.count().label("sessions"),
        func.sum(s.gmv).label("gmv"),
        func.sum(s.viewers).label("viewers"),
        func.sum(s.buyers).label("buyers"),
    ).where(s.started_on.between(start, end))
    with engine.connect() as conn:
        row = conn.execute(stmt).one()._asdict()
    return {k: (float(v) if v is not None else None) for k, v in row.items()}


def _all_scope_target(engine: Engine, metric_key: str, month: str) -> float | None:
    stmt = (
        select(Target.value)
        .where(and_(Target.metric == metric_key, Target.scope_kind == "all", Target.month_from <= month))
        .order_by(Target.month_from.desc(), Target.set_at.desc(), Target.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        return conn.execute(stmt).scalar()


def overview_tiles(engine: Engine, today: dt.date) -> list[Tile]:
    """GMV, sessions, viewers and conversion for this month so far, against last month and target."""
    now_sums = _sums(engine, month_start(today), today)
    prev_sums = _sums(engine, *previous_period(today))
    now_m, prev_m = session_metrics(now_sums), session_metrics(prev_sums)
    month = today.strftime("%Y-%m")
    tiles = []
    for key in TILE_METRICS:
        actual, previous = now_m.get(key), prev_m.get(key)
        if key == "sessions":
            actual, previous = now_sums["sessions"], prev_sums["sessions"]
        change = (actual - previous) / previous if actual is not None and previous else None
        target = _all_scope_target(engine, key, month) if key != "sessions" else None
        if target is not None and metric(key).target_period == "session" and key in ("gmv", "viewers"):
            # Per-session targets: the period's target is per-session target × sessions held.
            target = target * (now_sums["sessions"] or 0) or None
        achievement = actual / target if actual is not None and target else None
        tiles.append(Tile(key, actual, previous, change, target, achievement))
    return tiles


def daily_gmv(engine: Engine, today: dt.date) -> pd.DataFrame:
    """GMV per day of month for this month and last month (columns: day, month, gmv)."""
    start = month_start(month_start(today) - dt.timedelta(days=1))
    s = LiveSession
    stmt = (
        select(s.started_on, func.sum(s.gmv).label("gmv"), func.count().label("sessions"))
        .where(s.started_on.between(start, today))
        .group_by(s.started_on)
        .order_by(s.started_on)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(stmt).all(), columns=["date", "gmv", "sessions"])
    if frame.empty:
        return frame
    frame["date"] = pd.to_datetime(frame["date"])
    frame["day"] = frame["date"].dt.day
    frame["month"] = frame["date"].dt.strftime("%Y-%m")
    frame["gmv"] = frame["gmv"].astype(float)
    return frame
