"""Deterministic, realistic demo data for every SPEC area (`python -m lib.cli demo`).

Vectorised with numpy and bulk-inserted in chunks, so 1,000,000 sessions load in well under two minutes
on SQLite. The same seed gives the same data. A database filled here is in demo mode.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import secrets

import numpy as np
from sqlalchemy import Engine, insert, select

from lib import cases
from lib.core import clock
from lib.core.auth import DEMO_PASSWORD, add_user
from lib.core.db import ROOT, audit, set_setting, write
from lib.core.models import (
    Department,
    HostAccount,
    Incident,
    IncidentCategory,
    LiveSession,
    ManualMetric,
    Person,
    Position,
    Team,
)
from lib.core.schema import DEFAULT_SLAS, is_empty

ROSTER_FILE = ROOT / "data" / "demo" / "roster.csv"
CHUNK = 20_000
# (platform, room, account, host): the team's own rooms, as in the sample exports.
ROOMS = (
    ("douyin", "小雨家电旗舰店", "xyjd2021", "林晓雨"),
    ("douyin", "居家好物严选", "jjhw888", "陈子墨"),
    ("douyin", "居家好物严选", "jjhw888", "周俊杰"),
    ("kuaishou", "欣然厨房电器", "ks_xinran", "王欣然"),
    ("kuaishou", "一鸣数码", "ks_yiming", "赵一鸣"),
    ("taobao", "佳怡生活馆", "tb_jiayi", "孙佳怡"),
)
PLATFORMS = ("douyin", "kuaishou", "taobao")
TITLES = (
    "厨房好物专场",
    "家电焕新日",
    "夏日清凉好物专场",
    "数码新品首发",
    "宠粉福利夜",
    "品牌日专场",
    "周末囤货节",
)
MANUAL_BY_POSITION = {
    "host": (("training_pass_rate", 0.88, 0.05),),
    "operations": (("schedule_accuracy", 0.95, 0.02), ("script_on_time", 0.95, 0.04)),
    "field_control": (("schedule_accuracy", 0.95, 0.02), ("script_on_time", 0.96, 0.03)),
    "content_planner": (("script_on_time", 0.85, 0.06), ("content_quality", 3.9, 0.3)),
    "customer_service": (
        ("cs_response_seconds", 28, 6),
        ("cs_resolution_rate", 0.93, 0.03),
        ("customer_satisfaction", 4.55, 0.2),
    ),
}


class DemoError(RuntimeError):
    pass


def _months_back(today: dt.date, months: int) -> dt.date:
    year, month = today.year, today.month - (months - 1)
    while month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def _load_roster(conn) -> dict[str, dict]:
    positions = dict(conn.execute(select(Position.name_zh, Position.id)).all())
    departments = dict(conn.execute(select(Department.name, Department.id)).all())
    teams: dict[str, int] = {}
    people: dict[str, dict] = {}
    with ROSTER_FILE.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            team = row["小组"]
            if team not in teams:
                teams[team] = conn.execute(insert(Team).values(name=team)).inserted_primary_key[0]
            pid = conn.execute(
                insert(Person).values(
                    name=row["姓名"],
                    position_id=positions[row["岗位"]],
                    department_id=departments[row["部门"]],
                    team_id=teams[team],
                    hired_on=dt.date.fromisoformat(row["入职日期"]),
                    phone=row["手机号"],
                    active=True,
                )
            ).inserted_primary_key[0]
            people[row["姓名"]] = {"id": pid, "position": row["岗位"], "department": row["部门"]}
    return people


def _session_rows(
    rng: np.random.Generator, start: dt.date, now: dt.datetime, total: int | None, people: dict
):
    """Yield chunks of session dicts: the team's rooms, plus synthetic rooms when `total` asks for more.
    Only sessions that ended by `now`: demo data never lies in the future."""
    end = now.date()
    days = (end - start).days + 1
    rooms = list(ROOMS)
    base_total = int(days * len(ROOMS) * 0.8)
    if total and total > base_total:
        extra = math.ceil((total - base_total) / (days * 2.5))
        for i in range(extra):
            platform = PLATFORMS[i % 3]
            rooms.append(
                (platform, f"合作直播间{i + 1:04d}", f"{platform[:2]}_partner{i + 1:04d}", f"达人{i + 1:04d}")
            )
    total = total or base_total
    n_rooms = len(rooms)
    room_idx = rng.integers(0, n_rooms, total)
    # Each real room favours ~0.8 sessions a day; synthetic rooms take the rest.
    if n_rooms > len(ROOMS):
        real_share = min(1.0, base_total / total)
        is_real = rng.random(total) < real_share
        room_idx = np.where(
            is_real, rng.integers(0, len(ROOMS), total), rng.integers(len(ROOMS), n_rooms, total)
        )
    day_offset = rng.integers(0, days, total)
    # Slots within one account's day: evening/daytime slots 2.5 h apart, then night slots; unique starts.
    account_names = [r[2] for r in rooms]
    account_code = {a: i for i, a in enumerate(dict.fromkeys(account_names))}
    acc_idx = np.array([account_code[a] for a in account_names])[room_idx]
    group = acc_idx.astype(np.int64) * days + day_offset
    order = np.argsort(group, kind="stable")
    room_idx, day_offset, group = room_idx[order], day_offset[order], group[order]
    _, first = np.unique(group, return_index=True)
    rank = np.arange(total) - np.repeat(first, np.diff(np.append(first, total)))
    keep = rank < 14
    room_idx, day_offset, rank = room_idx[keep], day_offset[keep], rank[keep]
    total = int(keep.sum())
    slot = np.where(rank < 6, 19 * 60 + 30 - rank * 150, (rank - 6) * 60)
    slot = np.where(slot < 0, slot + 1440 - 60, slot)
    jitter = rng.integers(0, 3, total) * 10 * (rank < 6)
    start_minutes = day_offset * 1440 + slot + jitter
    host_skill = rng.normal(1.0, 0.15, n_rooms).clip(0.6, 1.5)
    skill = host_skill[room_idx]
    growth = 1 + 0.25 * (start_minutes / max(1, days * 1440))  # the team improves over the period
    viewers = (rng.lognormal(math.log(4200), 0.45, total) * skill * growth).astype(np.int64).clip(200)
    views = (viewers * rng.uniform(1.3, 1.9, total)).astype(np.int64)
    exposure = (viewers * rng.uniform(2.5, 6.0, total)).astype(np.int64)
    duration = rng.normal(185, 40, total).clip(60, 330).round()
    watch = (rng.normal(120, 28, total) * skill).clip(30, 400).round()
    peak = (viewers * rng.uniform(0.06, 0.14, total)).astype(np.int64)
    avg_online = (peak * rng.uniform(0.35, 0.6, total)).astype(np.int64)
    clicks = (viewers * rng.uniform(0.18, 0.32, total)).astype(np.int64)
    conv = (rng.normal(0.034, 0.01, total) * skill).clip(0.005, 0.12)
    buyers = np.maximum(1, (viewers * conv).astype(np.int64))
    orders = buyers + (buyers * rng.uniform(0.05, 0.3, total)).astype(np.int64)
    aov = rng.lognormal(math.log(420), 0.35, total)
    gmv = np.round(buyers * aov, 2)
    refund = np.round(gmv * rng.uniform(0.01, 0.09, total), 2)
    comments = (viewers * rng.uniform(0.15, 0.6, total)).astype(np.int64)
    # Likes per viewer that put the interaction rate around its 70 % target.
    likes = (viewers * rng.uniform(0.15, 1.0, total)).astype(np.int64)
    shares = (viewers * rng.uniform(0.01, 0.08, total)).astype(np.int64)
    questions = (comments * rng.uniform(0.08, 0.2, total)).astype(np.int64)
    replied = (questions * rng.uniform(0.7, 0.98, total)).astype(np.int64)
    followers = (viewers * rng.uniform(0.01, 0.045, total)).astype(np.int64)
    retention = rng.normal(0.58, 0.08, total).clip(0.2, 0.9).round(4)
    titles = rng.integers(0, len(TITLES), total)
    base = dt.datetime.combine(start, dt.time())
    person_of = [people.get(r[3], {}).get("id") for r in rooms]
    # The Compass list exports no likes/shares: keep that "no data" realistic for Douyin rooms.
    douyin = np.array([r[0] == "douyin" for r in rooms])[room_idx]
    for lo in range(0, total, CHUNK):
        rows = []
        for i in range(lo, min(total, lo + CHUNK)):
            r = rooms[room_idx[i]]
            started = base + dt.timedelta(minutes=int(start_minutes[i]))
            ended = started + dt.timedelta(minutes=int(duration[i]))
            if ended > now:
                continue
            rows.append(
                {
                    "platform": r[0],
                    "external_id": None if r[0] == "douyin" else f"{r[2]}-{i:07d}",
                    "account": r[2],
                    "room": r[1],
                    "host_name": r[3],
                    "host_person_id": person_of[room_idx[i]],
                    "title": TITLES[titles[i]],
                    "started_at": started,
                    "started_on": started.date(),
                    "ended_at": ended,
                    "duration_minutes": float(duration[i]),
                    "exposure": int(exposure[i]),
                    "viewers": int(viewers[i]),
                    "views": int(views[i]),
                    "peak_online": int(peak[i]),
                    "avg_online": int(avg_online[i]),
                    "avg_watch_seconds": float(watch[i]),
                    "new_followers": int(followers[i]),
                    "comments": int(comments[i]),
                    "likes": None if douyin[i] else int(likes[i]),
                    "shares": None if douyin[i] else int(shares[i]),
                    "questions": int(questions[i]),
                    "questions_replied": int(replied[i]),
                    "product_exposure": int(clicks[i] * 2),
                    "product_clicks": int(clicks[i]),
                    "orders": int(orders[i]),
                    "buyers": int(buyers[i]),
                    "gmv": float(gmv[i]),
                    "refund_amount": float(refund[i]),
                    "retention_rate": float(retention[i]),
                    "import_batch_id": None,
                    "updated_at": None,
                }
            )
        if rows:
            yield rows


def load_demo(
    engine: Engine,
    months: int = 6,
    sessions: int | None = None,
    seed: int = 42,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Fill an empty database with demo data and switch it to demo mode; returns counts per area.
    Everything lies before `now` (default: the team's clock; `today` alone means the end of that day)."""
    if months < 1 or months > 36:
        raise DemoError("--months must be between 1 and 36")
    if sessions is not None and sessions < 1:
        raise DemoError("--sessions must be a positive number")
    if not is_empty(engine):
        raise DemoError("the database already has data; demo data goes only into an empty database")
    rng = np.random.default_rng(seed)
    if now is None:
        now = dt.datetime.combine(today, dt.time(23, 59, 59)) if today else clock.now()
    today = now.date()
    start = _months_back(today, months)
    stats = {"sessions": 0, "people": 0, "incidents": 0, "manual_metrics": 0, "cases": 0, "users": 0}
    with write(engine) as conn:
        people = _load_roster(conn)
        stats["people"] = len(people)
        shared = {a for a in (r[2] for r in ROOMS) if sum(r[2] == a for r in ROOMS) > 1}
        for platform, _room, account, host in ROOMS:
            if account not in shared:  # a room shared by two hosts says nothing about who hosted
                conn.execute(
                    insert(HostAccount).values(person_id=people[host]["id"], platform=platform, alias=account)
                )
        set_setting(conn, "demo_mode", "1")
        set_setting(conn, "demo_cookie_key", secrets.token_urlsafe(48))
        for role, person in (("admin", None), ("manager", None), ("staff", "林晓雨")):
            add_user(
                conn,
                role,
                DEMO_PASSWORD,
                role,
                display_name={"admin": "管理员", "manager": "运营经理"}.get(role, person),
                person_id=people[person]["id"] if person else None,
                actor="demo",
            )
            stats["users"] += 1
        audit(conn, "demo", "demo_load", months=months, sessions=sessions, seed=seed)
    table = LiveSession.__table__
    for chunk in _session_rows(rng, start, now, sessions, people):
        with engine.begin() as conn:
            conn.execute(insert(table), chunk)
        stats["sessions"] += len(chunk)
    with write(engine) as conn:
        stats["incidents"] = _incidents(conn, rng, people, now)
        stats["manual_metrics"] = _manual_metrics(conn, rng, people, start, today)
        stats["cases"] = cases.add_seed_reviews(conn, [r[2] for r in ROOMS], people, now)
        stats["cases"] += cases.add_demo_cases(conn, today)
    stats["survey_answers"] = _surveys(engine, start, today, seed)
    return stats


def _surveys(engine: Engine, start: dt.date, today: dt.date, seed: int) -> int:
    """Closed rounds with answers for past months, and this month's round open for the demo logins."""
    from lib import surveys

    months = _month_keys(start, today)
    written = surveys.load_demo_rounds(engine, months[:-1], seed=seed)
    current = surveys.create_round(engine, f"{months[-1]} 跨部门协作满意度", months[-1], "demo")
    surveys.open_round(engine, current, "demo")
    return written


def _incidents(conn, rng: np.random.Generator, people: dict, now: dt.datetime) -> int:
    """About one incident per three sessions of the team's own rooms (capped), with realistic times; one
    still unanswered or unresolved at `now` stays open."""
    categories = [
        c for (c,) in conn.execute(select(IncidentCategory.name).order_by(IncidentCategory.sort_order))
    ]
    departments = dict(conn.execute(select(Department.name, Department.id)).all())
    handlers = {
        "技术部": [n for n, p in people.items() if p["department"] == "技术部"],
        "运营部": [n for n, p in people.items() if p["position"] == "运营"],
        "客服部": [n for n, p in people.items() if p["department"] == "客服部"],
    }
    owner_of = {
        "网络中断": "技术部",
        "推流/画面卡顿": "技术部",
        "设备故障": "技术部",
        "负面评论/舆情": "客服部",
    }
    sessions = conn.execute(
        select(
            LiveSession.id,
            LiveSession.platform,
            LiveSession.room,
            LiveSession.host_name,
            LiveSession.started_at,
            LiveSession.duration_minutes,
        )
        .where(LiveSession.account.in_([r[2] for r in ROOMS]))
        .order_by(LiveSession.started_at)
        .limit(6000)
    ).all()
    rows = []
    for s in sessions:
        if rng.random() > 0.35:
            continue
        category = categories[int(rng.integers(0, len(categories)))]
        severity = ("simple", "complex", "major")[int(rng.choice(3, p=[0.65, 0.3, 0.05]))]
        detected = s.started_at + dt.timedelta(
            minutes=float(rng.uniform(5, max(6, s.duration_minutes or 60)))
        )
        detected = detected.replace(microsecond=0)
        respond = float(rng.gamma(2.0, 1.6))
        resolve = respond + float(rng.gamma(2.2, 2.5 if severity == "simple" else 4.0))
        responded = detected + dt.timedelta(minutes=respond)
        resolved = detected + dt.timedelta(minutes=resolve)
        sla = DEFAULT_SLAS[severity][1]
        dept = owner_of.get(category, "运营部")
        handler = handlers[dept][int(rng.integers(0, len(handlers[dept])))]
        open_now = resolved > now
        rows.append(
            {
                "natural_key": f"demo-{s.id}-{len(rows)}",
                "session_id": s.id,
                "platform": s.platform,
                "room": s.room,
                "host_name": s.host_name,
                "category": category,
                "severity": severity,
                "detected_at": detected,
                "responded_at": None if responded > now else responded.replace(microsecond=0),
                "resolved_at": None if open_now else resolved.replace(microsecond=0),
                "meeting_at": detected + dt.timedelta(minutes=20) if severity == "major" else None,
                "owner_department_id": departments[dept],
                "handler_person_id": people[handler]["id"],
                "handler_name": handler,
                "escalated": severity == "major",
                "overtime_reason": ("备用设备取用耗时" if resolve > sla and rng.random() < 0.7 else None),
                "description": None,
                "created_by": "demo",
                "import_batch_id": None,
                "updated_at": None,
            }
        )
    if rows:
        conn.execute(insert(Incident.__table__), rows)
    return len(rows)


def _month_keys(start: dt.date, end: dt.date) -> list[str]:
    keys, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return keys


def _manual_metrics(conn, rng: np.random.Generator, people: dict, start: dt.date, end: dt.date) -> int:
    keys = {zh: key for key, zh in conn.execute(select(Position.key, Position.name_zh)).all()}
    rows = []
    for month in _month_keys(start, end)[:-1]:  # the current month is not recorded yet
        for p in people.values():
            for metric, mean, sd in MANUAL_BY_POSITION.get(keys[p["position"]], ()):
                value = float(rng.normal(mean, sd))
                value = min(value, 1.0) if mean <= 1 else value
                rows.append(
                    {
                        "month": month,
                        "person_id": p["id"],
                        "metric": metric,
                        "value": round(value, 4),
                        "import_batch_id": None,
                        "entered_by": "demo",
                    }
                )
    if rows:
        conn.execute(insert(ManualMetric.__table__), rows)
    return len(rows)
