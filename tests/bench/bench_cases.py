"""Benchmark of case search with 10,000 cases.

    .venv/bin/python -m tests.bench.bench_cases [--cases 10000] [--backends sqlite,postgresql]

Bulk-inserts deterministic cases (random.Random(42)): Chinese review texts of ~400-900 characters drawn
from seed-004-style phrases, 1-3 tags each, a linked session for a third of them, 85 % published; into a
fresh database per backend (SQLite: a temp file; PostgreSQL: its own database liveops_bench_cases). Times
lib.cases.search (median of 5 runs, staff and manager visibility) for common and rare Chinese
words, English, several words, filters and no match, then the library page under AppTest (cold, warm).
Prints a markdown table. The goal (issue 7): every search under 0.300 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Callable

import sqlalchemy as sa

from lib import cases as cq
from lib.core import db
from lib.core.models import Case, CaseSession, CaseTag, LiveSession, Person
from lib.core.schema import upgrade
from tests.bench.common import ROOT, fresh_database, machine

START = dt.date(2024, 1, 1)
DAYS = 900
HOSTS = ["林晓雨", "陈子墨", "王欣然", "赵一鸣", "孙佳怡", "周俊杰"]
CATEGORIES = ["促单技巧", "问题处理", "主播成长", "选品排期", "协作", "内容策划", "流量投放", "售后客服"]
TAGS = [
    "福利节奏",
    "UV 提升",
    "新人培养",
    "价格异常",
    "库存",
    "跨部门协作",
    "话术",
    "福袋",
    "秒杀",
    "投流",
    "停留时长",
    "转化率",
    "评论回复",
    "脚本",
    "设备故障",
    "negative review",
    "script timing",
]
PHRASES = [
    "开场 10 分钟放出福利款秒杀，在线人数明显提升",
    "每 30 分钟发放一次福袋，停留时长提高",
    "主播讲解节奏紧凑，转化率高于上一场",
    "3 款产品讲解超时，后半场节奏拖沓",
    "评论区提问回复不及时",
    "推流卡顿两次，技术支持 5 分钟内切换备用网络",
    "价格配置错误，场控 3 分钟内下架",
    "与品牌方确认价格底线耗时较长",
    "爆款上架 5 分钟售罄，补货不及时",
    "优化脚本时长，设置倒计时提醒",
    "场控专人筛选弹幕问题并提示主播",
    "大促前与供应商约定补货响应时限",
    "新人主播首秀，产品参数讲解清晰",
    "投流预算集中在开场，流量承接不足",
    "UV 价值较上周提升",
    "GMV 达成率 112%",
    "the opening script was tight and the giveaway landed well",
    "negative comments were guided within 3 minutes",
]
PASSWORD = "bench-password-123"


def make_cases(n: int, session_ids: list[int]) -> tuple[list[dict], list[dict], list[dict]]:
    rnd = random.Random(42)
    cases, tags, links = [], [], []
    stamp = dt.datetime(2026, 6, 1)
    for k in range(1, n + 1):
        body = {f: "；".join(rnd.choices(PHRASES, k=rnd.randint(2, 6))) + "。" for f in cq.BODY_FIELDS}
        title = f"{rnd.choice(HOSTS)} {rnd.choice(CATEGORIES)}复盘 第{k}期"
        case_tags = rnd.sample(TAGS, rnd.randint(1, 3))
        status = rnd.choices(cq.STATUSES, (8, 5, 85, 2))[0]
        cases.append(
            {
                "id": k,
                "title": title,
                "case_date": START + dt.timedelta(days=rnd.randrange(DAYS)),
                "platform": rnd.choice(("douyin", "kuaishou", "taobao")),
                "category": rnd.choice(CATEGORIES),
                "author": rnd.choice(("bench_staff", "someone", "manager")),
                "status": status,
                "created_at": stamp,
                "updated_at": stamp,
                **body,
                "search_text": cq.search_text(title, body, case_tags),
            }
        )
        tags += [{"case_id": k, "tag": t} for t in case_tags]
        if session_ids and rnd.random() < 0.33:
            links.append({"case_id": k, "session_id": rnd.choice(session_ids)})
    return cases, tags, links


def prepare(backend: str, n: int, tmp) -> str:
    url = fresh_database(backend, "liveops_bench_cases", tmp)
    engine = db.get_engine(url)
    upgrade(engine)
    with db.write(engine) as conn:
        people = {
            h: conn.execute(sa.insert(Person).values(name=h, active=True)).inserted_primary_key[0]
            for h in HOSTS
        }
        sessions = []
        for i in range(600):
            host = HOSTS[i % len(HOSTS)]
            start = dt.datetime.combine(START + dt.timedelta(days=i), dt.time(19))
            sessions.append(
                {
                    "platform": "douyin",
                    "account": f"acc{i % 6}",
                    "host_name": host,
                    "host_person_id": people[host],
                    "started_at": start,
                    "started_on": start.date(),
                }
            )
        conn.execute(sa.insert(LiveSession), sessions)
        session_ids = list(conn.execute(sa.select(LiveSession.id)).scalars())
        from lib.core.auth import add_user

        add_user(conn, "bench_staff", PASSWORD, "staff", display_name="Bench staff")
        add_user(conn, "bench_manager", PASSWORD, "manager", display_name="Bench manager")
    cases, tags, links = make_cases(n, session_ids)
    started = time.perf_counter()
    with db.write(engine) as conn:
        for table, rows in ((Case, cases), (CaseTag, tags), (CaseSession, links)):
            for i in range(0, len(rows), 2000):
                conn.execute(sa.insert(table), rows[i : i + 2000])
    if backend == "postgresql":  # fresh statistics, and the serial moved past the explicit ids
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
            conn.execute(sa.text("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))"))
    print(f"{backend}: inserted {n:,} cases in {time.perf_counter() - started:.1f} s")
    return url


def timed(func: Callable[[], object], repeat: int = 5) -> float:
    func()  # warm the connection pool and the database's page cache
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


QUERIES = [
    ("common Chinese word 福利 (~60 % match)", cq.CaseQuery("福利")),
    ("two Chinese characters 补货", cq.CaseQuery("补货")),
    ("rare: 第9999期", cq.CaseQuery("第9999期")),
    ("English word, any case: SCRIPT", cq.CaseQuery("SCRIPT")),
    ("three words: 福袋 停留 提高", cq.CaseQuery("福袋 停留 提高")),
    (
        "word + category + platform + dates",
        cq.CaseQuery(
            "秒杀",
            category="促单技巧",
            platform="douyin",
            date_from=dt.date(2024, 6, 1),
            date_to=dt.date(2025, 6, 1),
        ),
    ),
    ("tag filter only", cq.CaseQuery(tag="新人培养")),
    ("host filter (linked sessions)", cq.CaseQuery(host="王欣然")),
    ("no match: 直播带货不存在", cq.CaseQuery("直播带货不存在")),
    ("no words, newest first", cq.CaseQuery()),
]


def bench_queries(url: str) -> list[tuple[str, float, int | None]]:
    engine = db.get_engine(url)
    out = []
    for who, viewer in (
        ("staff", cq.Viewer("bench_staff", "staff")),
        ("manager", cq.Viewer("bench_manager", "manager")),
    ):
        for label, query in QUERIES:
            total = cq.search(engine, viewer, query)["total"]
            out.append((f"{label} — {who}", timed(lambda v=viewer, q=query: cq.search(engine, v, q)), total))
    out.append(
        (
            "facets (categories, top tags) — staff",
            timed(lambda: cq.facets(engine, cq.Viewer("bench_staff", "staff"))),
            None,
        )
    )
    return out


def bench_page(url: str) -> list[tuple[str, float, int | None]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["DATABASE_URL"] = url
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "cases.py"), default_timeout=600)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "bench_staff"
    from lib.core import clock  # the login this session rests on (lib.web.ui.current_user)

    at.session_state["session_issued_at"] = clock.now().isoformat()
    at.run()
    at.text_input(key="q").input("福利")
    started = time.perf_counter()
    at.run()
    cold = time.perf_counter() - started
    assert not at.exception, at.exception
    started = time.perf_counter()
    at.run()
    warm = time.perf_counter() - started
    return [
        ("library page, search 福利, first render (AppTest)", cold, None),
        ("library page, search 福利, rerun with warm cache (AppTest)", warm, None),
    ]


def main() -> None:
    import tempfile
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    os.environ.setdefault("LIVEOPS_BCRYPT_ROUNDS", "4")
    tmp = Path(tempfile.mkdtemp(prefix="bench_cases_"))
    results: dict[str, list[tuple[str, float, int | None]]] = {}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        try:
            url = prepare(backend, args.cases, tmp)
        except sa.exc.OperationalError as exc:
            print(f"{backend}: skipped, server not reachable ({exc.__class__.__name__})")
            continue
        results[backend] = bench_queries(url) + bench_page(url)
        db.dispose_engines()
    backends = list(results)
    print(f"\n### Case search, {args.cases:,} cases ({machine()}; seconds, median of 5)\n")
    print("| measure | matches | " + " | ".join(backends) + " |")
    print("|---|---:|" + "---:|" * len(backends))
    for i, (label, _, total) in enumerate(next(iter(results.values()), [])):
        matches = "" if total is None else f"{total:,}"
        print(f"| {label} | {matches} | " + " | ".join(f"{results[b][i][1]:.3f}" for b in backends) + " |")


if __name__ == "__main__":
    main()
