"""Demo live sessions: the team's rooms (plus synthetic partner rooms when many sessions are asked for),
a realistic daily schedule per account and vectorised figures; yielded in chunks for bulk inserts."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

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
Room = tuple[str, str, str, str]


def _rooms(days: int, total: int | None) -> tuple[list[Room], int]:
    """The team's rooms, plus synthetic partner rooms when `total` asks for more than they hold."""
    rooms = list(ROOMS)
    base_total = int(days * len(ROOMS) * 0.8)
    if total and total > base_total:
        extra = math.ceil((total - base_total) / (days * 2.5))
        for i in range(extra):
            platform = PLATFORMS[i % 3]
            rooms.append(
                (platform, f"合作直播间{i + 1:04d}", f"{platform[:2]}_partner{i + 1:04d}", f"达人{i + 1:04d}")
            )
    return rooms, base_total


def _schedule(
    rng: np.random.Generator, rooms: list[Room], days: int, total: int, base_total: int
) -> tuple[np.ndarray, np.ndarray]:
    """(room index, start minute from the first day) of each session."""
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
    slot = np.where(rank < 6, 19 * 60 + 30 - rank * 150, (rank - 6) * 60)
    slot = np.where(slot < 0, slot + 1440 - 60, slot)
    jitter = rng.integers(0, 3, int(keep.sum())) * 10 * (rank < 6)
    return room_idx, day_offset * 1440 + slot + jitter


def _figures(
    rng: np.random.Generator, n_rooms: int, room_idx: np.ndarray, start_minutes: np.ndarray, days: int
) -> dict[str, np.ndarray]:
    """Every session's figures, drawn around a per-room skill and a growth over the period."""
    total = len(room_idx)
    host_skill = rng.normal(1.0, 0.15, n_rooms).clip(0.6, 1.5)
    skill = host_skill[room_idx]
    growth = 1 + 0.25 * (start_minutes / max(1, days * 1440))  # the team improves over the period
    f: dict[str, np.ndarray] = {}
    f["viewers"] = viewers = (
        (rng.lognormal(math.log(4200), 0.45, total) * skill * growth).astype(np.int64).clip(200)
    )
    f["views"] = (viewers * rng.uniform(1.3, 1.9, total)).astype(np.int64)
    f["exposure"] = (viewers * rng.uniform(2.5, 6.0, total)).astype(np.int64)
    f["duration"] = rng.normal(185, 40, total).clip(60, 330).round()
    f["watch"] = (rng.normal(120, 28, total) * skill).clip(30, 400).round()
    f["peak"] = peak = (viewers * rng.uniform(0.06, 0.14, total)).astype(np.int64)
    f["avg_online"] = (peak * rng.uniform(0.35, 0.6, total)).astype(np.int64)
    f["clicks"] = (viewers * rng.uniform(0.18, 0.32, total)).astype(np.int64)
    conv = (rng.normal(0.034, 0.01, total) * skill).clip(0.005, 0.12)
    f["buyers"] = buyers = np.maximum(1, (viewers * conv).astype(np.int64))
    f["orders"] = buyers + (buyers * rng.uniform(0.05, 0.3, total)).astype(np.int64)
    aov = rng.lognormal(math.log(420), 0.35, total)
    f["gmv"] = gmv = np.round(buyers * aov, 2)
    f["refund"] = np.round(gmv * rng.uniform(0.01, 0.09, total), 2)
    f["comments"] = comments = (viewers * rng.uniform(0.15, 0.6, total)).astype(np.int64)
    # Likes per viewer that put the interaction rate around its 70 % target.
    f["likes"] = (viewers * rng.uniform(0.15, 1.0, total)).astype(np.int64)
    f["shares"] = (viewers * rng.uniform(0.01, 0.08, total)).astype(np.int64)
    f["questions"] = questions = (comments * rng.uniform(0.08, 0.2, total)).astype(np.int64)
    f["replied"] = (questions * rng.uniform(0.7, 0.98, total)).astype(np.int64)
    f["followers"] = (viewers * rng.uniform(0.01, 0.045, total)).astype(np.int64)
    f["retention"] = rng.normal(0.58, 0.08, total).clip(0.2, 0.9).round(4)
    f["titles"] = rng.integers(0, len(TITLES), total)
    return f


def _row(
    r: Room, i: int, started: dt.datetime, f: dict[str, np.ndarray], person: int | None
) -> dict[str, Any]:
    # The Compass list exports no likes/shares: keep that "no data" realistic for Douyin rooms.
    douyin = r[0] == "douyin"
    return {
        "platform": r[0],
        "external_id": None if douyin else f"{r[2]}-{i:07d}",
        "account": r[2],
        "room": r[1],
        "host_name": r[3],
        "host_person_id": person,
        "title": TITLES[f["titles"][i]],
        "started_at": started,
        "started_on": started.date(),
        "ended_at": started + dt.timedelta(minutes=int(f["duration"][i])),
        "duration_minutes": float(f["duration"][i]),
        "exposure": int(f["exposure"][i]),
        "viewers": int(f["viewers"][i]),
        "views": int(f["views"][i]),
        "peak_online": int(f["peak"][i]),
        "avg_online": int(f["avg_online"][i]),
        "avg_watch_seconds": float(f["watch"][i]),
        "new_followers": int(f["followers"][i]),
        "comments": int(f["comments"][i]),
        "likes": None if douyin else int(f["likes"][i]),
        "shares": None if douyin else int(f["shares"][i]),
        "questions": int(f["questions"][i]),
        "questions_replied": int(f["replied"][i]),
        "product_exposure": int(f["clicks"][i] * 2),
        "product_clicks": int(f["clicks"][i]),
        "orders": int(f["orders"][i]),
        "buyers": int(f["buyers"][i]),
        "gmv": float(f["gmv"][i]),
        "refund_amount": float(f["refund"][i]),
        "retention_rate": float(f["retention"][i]),
        "import_batch_id": None,
        "updated_at": None,
    }


def session_rows(
    rng: np.random.Generator, start: dt.date, now: dt.datetime, total: int | None, people: dict
) -> Iterator[list[dict[str, Any]]]:
    """Yield chunks of session dicts: the team's rooms, plus synthetic rooms when `total` asks for more.
    Only sessions that ended by `now`: demo data never lies in the future."""
    days = (now.date() - start).days + 1
    rooms, base_total = _rooms(days, total)
    room_idx, start_minutes = _schedule(rng, rooms, days, total or base_total, base_total)
    figures = _figures(rng, len(rooms), room_idx, start_minutes, days)
    base = dt.datetime.combine(start, dt.time())
    person_of = [people.get(r[3], {}).get("id") for r in rooms]
    count = len(room_idx)
    for lo in range(0, count, CHUNK):
        rows = []
        for i in range(lo, min(count, lo + CHUNK)):
            started = base + dt.timedelta(minutes=int(start_minutes[i]))
            if started + dt.timedelta(minutes=int(figures["duration"][i])) > now:
                continue
            rows.append(_row(rooms[room_idx[i]], i, started, figures, person_of[room_idx[i]]))
        if rows:
            yield rows
