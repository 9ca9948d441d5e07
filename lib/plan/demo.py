"""The demo's schedule (`python -m lib.cli demo`): planned sessions for the team's rooms around the
demo's held sessions — the last three weeks (most held as planned, some late, short, missed, cancelled or
held unplanned) and the coming week — with scripts in every state and forecasts, so the schedule page,
the review pages and the scorecards' schedule accuracy and script timeliness have something to show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.core.models import LiveSession, PlannedSession
from lib.plan.model import PlanError, PlanInput, script_due
from lib.plan.rules import load_rules
from lib.plan.writes import add, set_status

L = LiveSession.__table__
T = PlannedSession.__table__
PAST_DAYS = 21
AHEAD_DAYS = 7
USER = "demo"
# Owners by platform, as the team's own schedule has them (tests/samples/schedule_*.csv): 运营, 内容, 场控.
OWNERS = {
    "douyin": ("吴昊", "彭诗涵", "何佳琪"),
    "kuaishou": ("郑思远", "蒋梦琪", None),
    "taobao": ("冯雅婷", "谢文博", None),
}
PRODUCTS = ("空气炸锅、电热水壶", "破壁机、电饭煲", "收纳套装、四件套", "蓝牙耳机、充电宝", "颈椎按摩仪")
THEMES = ("宠粉福利夜", "新品首发", "爆款返场", "周末囤货节", "品牌日专场")
EVENING = {"douyin": dt.time(19, 30), "kuaishou": dt.time(20, 0), "taobao": dt.time(10, 0)}


def _round(moment: dt.datetime, minutes: int) -> dt.datetime:
    base = moment.replace(minute=0, second=0, microsecond=0)
    steps = round((moment - base).total_seconds() / 60 / minutes)
    return base + dt.timedelta(minutes=steps * minutes)


def _plan(
    rng: np.random.Generator, room: tuple[str, str, str], start: dt.datetime, minutes: int, **kw: Any
) -> PlanInput:
    platform, account, host = room
    ops, content, floor = OWNERS[platform]
    return PlanInput(
        platform=platform,
        account=account,
        host_name=host,
        starts_at=start,
        minutes=minutes,
        theme=kw.get("theme") or THEMES[int(rng.integers(len(THEMES)))],
        products=PRODUCTS[int(rng.integers(len(PRODUCTS)))],
        ops_owner=ops,
        content_owner=content,
        floor_manager=floor,
        forecast_gmv=kw.get("gmv"),
        forecast_viewers=kw.get("viewers"),
    )


def _store(conn: Connection, plan: PlanInput, script: tuple[dt.datetime | None, dt.datetime | None]) -> int:
    """Add a planned session with its script times; its id, or 0 when it would clash with one planned."""
    try:
        pid = add(conn, plan, USER)
    except PlanError:
        return 0
    submitted, approved = script
    if submitted or approved:
        conn.execute(
            T.update().where(T.c.id == pid).values(script_submitted_at=submitted, script_approved_at=approved)
        )
    return pid


def _past_script(
    rng: np.random.Generator, start: dt.datetime, review_days: int
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Mostly reviewed by the due time; some reviewed late (before the session), some never."""
    due = script_due(start, review_days)
    draw = rng.random()
    if draw < 0.78:
        approved = due - dt.timedelta(hours=float(rng.uniform(2, 40)))
        return approved - dt.timedelta(hours=float(rng.uniform(4, 48))), approved
    if draw < 0.9:
        approved = min(due + dt.timedelta(hours=float(rng.uniform(2, 30))), start - dt.timedelta(hours=1))
        return approved - dt.timedelta(hours=6), approved
    return (due - dt.timedelta(hours=10), None) if draw < 0.95 else (None, None)


def _held(conn: Connection, rooms: set[tuple[str, str]], since: dt.datetime, now: dt.datetime) -> list[Any]:
    rows = conn.execute(
        sa.select(
            L.c.platform,
            L.c.room,
            L.c.host_name,
            L.c.started_at,
            L.c.duration_minutes,
            L.c.gmv,
            L.c.viewers,
        )
        .where(L.c.started_at >= since, L.c.started_at < now, L.c.room.in_(sorted({r for _p, r in rooms})))
        .order_by(L.c.started_at, L.c.id)
    )
    return [r for r in rows if (r.platform, r.room) in rooms]


def _past(
    conn: Connection, rng: np.random.Generator, rooms: list[tuple[str, str, str]], now: dt.datetime
) -> int:
    review_days = load_rules(conn).at(now).review_days_before
    since = dt.datetime.combine(now.date() - dt.timedelta(days=PAST_DAYS), dt.time())
    count = 0
    held_days = set()
    for s in _held(conn, {(r[0], r[1]) for r in rooms}, since, now):
        held_days.add((s.platform, s.room, s.started_at.date()))
        draw = rng.random()
        if draw < 0.06:  # held unplanned
            continue
        start, minutes = _round(s.started_at, 15), max(30, int(round((s.duration_minutes or 180) / 30)) * 30)
        if draw < 0.16:  # planned 20 minutes before it went live: late
            start = _round(s.started_at - dt.timedelta(minutes=20), 5)
        elif draw < 0.24:  # planned an hour longer: short
            minutes += 60
        gmv = viewers = None
        if rng.random() < 0.85 and s.gmv and s.viewers:  # forecasts within about a quarter of the result
            gmv = round(float(s.gmv * rng.lognormal(0, 0.25)), -2)
            viewers = int(round(float(s.viewers * rng.lognormal(0, 0.2)), -1))
        plan = _plan(rng, (s.platform, s.room, s.host_name), start, minutes, gmv=gmv, viewers=viewers)
        count += bool(_store(conn, plan, _past_script(rng, start, review_days)))
    for day in (now.date() - dt.timedelta(days=d) for d in range(1, PAST_DAYS)):
        for room in rooms:
            if (room[0], room[1], day) in held_days or rng.random() > 0.08:
                continue
            start = dt.datetime.combine(day, EVENING[room[0]])  # planned, never held (some cancelled)
            pid = _store(conn, _plan(rng, room, start, 180), _past_script(rng, start, review_days))
            if pid and rng.random() < 0.5:
                set_status(conn, pid, "cancelled", USER)
            count += bool(pid)
    return count


def _coming_script(
    rng: np.random.Generator, start: dt.datetime, now: dt.datetime, review_days: int
) -> tuple[Any, Any]:
    """A script whose review is due by now as a past one's; later ones approved early, submitted or not
    yet written."""
    due = script_due(start, review_days)
    draw = rng.random()
    if due <= now:  # review due already: most approved in time, some still waiting, a few not written
        approved = due - dt.timedelta(hours=float(rng.uniform(1, 20)))
        if draw < 0.6:
            return approved - dt.timedelta(hours=float(rng.uniform(2, 24))), approved
        return (approved, None) if draw < 0.85 else (None, None)
    submitted = now - dt.timedelta(hours=float(rng.uniform(1, 30)))
    if draw < 0.15:
        return submitted, submitted + dt.timedelta(hours=2)
    return (submitted, None) if draw < 0.55 else (None, None)


def _coming(
    conn: Connection, rng: np.random.Generator, rooms: list[tuple[str, str, str]], now: dt.datetime
) -> int:
    in_force = load_rules(conn).at(now)
    review_days, forecast_days = in_force.review_days_before, in_force.forecast_days_before
    count = 0
    for offset in range(AHEAD_DAYS + 1):
        day = now.date() + dt.timedelta(days=offset)
        for index, room in enumerate(rooms):
            start = dt.datetime.combine(day, EVENING[room[0]])
            if start <= now:
                continue
            gmv = viewers = None
            # Forecasts are due some days ahead (a setting, three by default): most of those are in, every third room-day's is owed.
            due = offset <= forecast_days
            if (due and (offset + index) % 3 != 1) or (not due and rng.random() < 0.3):
                gmv = round(float(rng.lognormal(np.log(6e4), 0.3)), -3)
                viewers = int(round(float(rng.lognormal(np.log(4500), 0.3)), -2))
            plan = _plan(rng, room, start, 180, gmv=gmv, viewers=viewers)
            count += bool(_store(conn, plan, _coming_script(rng, start, now, review_days)))
    return count


def add_demo_schedule(
    conn: Connection, rng: np.random.Generator, rooms: list[tuple[str, str, str]], now: dt.datetime
) -> int:
    """Planned sessions for `rooms` ((platform, room name, host); a room shared by two hosts is listed
    once per host, its coming week planned for the first) around the held sessions; how many were added."""
    first = list({(p, a): (p, a, h) for p, a, h in reversed(rooms)}.values())[::-1]
    return _past(conn, rng, first, now) + _coming(conn, rng, first, now)
