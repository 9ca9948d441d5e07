"""Benchmark of scoring a month at demo scale (and a larger session count).

    .venv/bin/python -m tests.bench.bench_scorecards [--sessions demo,100000] [--backends sqlite,postgresql]

Each size is loaded with lib.demo.load_demo (6 months; "demo" = its default of ~4 sessions per room-day)
into a fresh database (SQLite: a temp file; PostgreSQL: its own database liveops_bench_scorecards). Times
(median of 3) the bare `score_month` of the last full month, the 6-month trend, the promotion flags, one
card with its source rows, and the scorecards page under AppTest as a manager (cold cache, then warm).
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lib import scorecards as sc
from lib.core import clock, db
from lib.core.auth import add_user
from lib.core.schema import upgrade
from lib.demo import load_demo
from tests.bench.common import env, fresh_database, machine, peak_rss_mb, time_page

PASSWORD = "bench-password-123"


def _median(func, runs: int = 3) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def _bare_month(engine, month: str) -> None:
    """The bare raw-table query of a month's scores: the month's host sums over live_sessions (what the
    scorecards read from the roll-ups)."""
    from lib import kpis
    from lib.core.dates import month_end

    start = dt.date.fromisoformat(f"{month}-01")
    query = kpis.sums_query(kpis.Filters(start, month_end(start)), "host", kpis.load_roster(engine))
    with engine.connect() as conn:
        conn.execute(query).all()


def bench(backend: str, sessions: int | None, tmp: Path) -> dict:
    url = fresh_database(backend, "liveops_bench_scorecards", tmp)
    engine = db.get_engine(url)
    upgrade(engine)
    start = time.perf_counter()
    stats = load_demo(engine, months=6, sessions=sessions)
    load = time.perf_counter() - start
    with db.write(engine) as conn:
        add_user(conn, "bench_manager", PASSWORD, "manager", display_name="bench")
    month = sc.shift_month(clock.today().strftime("%Y-%m"), -1)
    cards = sc.score_month(engine, month)
    person = next(c.person_id for c in cards if c.position == "operations")
    out = {
        "sessions": stats["sessions"],
        "load": load,
        "people": len(cards),
        "score_month": _median(lambda: sc.score_month(engine, month)),
        "trend": _median(lambda: sc.trend(engine, month), runs=1),
        "promotion": _median(lambda: sc.promotion_flags(engine, sc.quarter_of(month)), runs=1),
        "card": _median(lambda: sc.card_for(engine, month, person)),
        "bare": _median(lambda: _bare_month(engine, month)),
    }
    with env(DATABASE_URL=url):
        out["cold"], out["warm"] = time_page("pages/scorecards.py", "bench_manager", {"month": month})
    out["peak_mb"] = peak_rss_mb()
    db.dispose_engines()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", default="demo,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            for size in args.sessions.split(","):
                n = None if size == "demo" else int(size)
                r = bench(backend, n, Path(tmp))
                print(f"  {backend} {size}: {r}", file=sys.stderr)
                rows.append((backend, r))
    print(f"Machine: {machine()}\n")
    print(
        "| backend | sessions | people | load s | score_month s | 6-month trend s | promotion s | card s "
        "| bare raw month sums s | page cold s | cold / bare raw | page warm s | peak MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend, r in rows:
        print(
            f"| {backend} | {r['sessions']:,} | {r['people']} | {r['load']:.1f} | {r['score_month']:.3f} "
            f"| {r['trend']:.3f} | {r['promotion']:.3f} | {r['card']:.3f} | {r['bare']:.3f} | {r['cold']:.2f} "
            f"| {r['cold'] / r['bare']:.2f}× | {r['warm']:.2f} "
            f"| {r['peak_mb']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
