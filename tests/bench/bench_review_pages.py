"""Review and PK page benchmark: cold and warm AppTest renders of pages/session_detail.py and
pages/session_pk.py when every session has minute, product and source rows.

    .venv/bin/python -m tests.bench.bench_review_pages [--sessions 10000] [--backends sqlite,postgresql]

Each database gets `python -m lib.cli demo --sessions N` (sessions, roster, targets, incidents), then 240
minute rows, 8 products and 6 sources per session written here (synthetic, deterministic). The pages are
measured in a fresh child process per database on a session in the middle of the history (PK: against
the host's previous session). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import ROOT, bench_engine, fresh_database, load_demo, machine, page_cold_warm

MINUTES = 240
PRODUCTS = 8
SOURCES = ("推荐feed", "直播广场", "关注", "短视频引流", "搜索", "千川")
CHUNK = 50_000


def _detail_rows(session_id: int, started, rng: random.Random) -> tuple[list, list, list]:
    import datetime as dt

    online, minutes = 50, []
    for m in range(MINUTES):
        online = max(10, online + rng.randint(-20, 24))
        orders = rng.randint(0, 3)
        minutes.append((session_id, m, online, rng.randint(5, 60), rng.randint(0, 50), rng.randint(0, 30)))
        minutes[-1] += (rng.randint(0, 90), rng.randint(0, 5), orders, orders * rng.randint(3_000, 40_000))
    products = [
        (session_id, f"P{k:04d}", f"商品 {k}", 99.0, started + dt.timedelta(minutes=k * 25), 2, 600)
        + (rng.randint(500, 3000), rng.randint(50, 400), rng.randint(5, 40), rng.randint(5, 45))
        + (round(rng.uniform(500, 20000), 2), round(rng.uniform(0, 500), 2))
        for k in range(PRODUCTS)
    ]
    sources = [(session_id, s, rng.randint(50, 1500), round(rng.uniform(100, 30000), 2)) for s in SOURCES]
    return minutes, products, sources


def _load(url: str, sessions: int) -> dict:
    """Demo sessions through the CLI, then the detail rows in chunks; seconds and row counts."""
    import sqlalchemy as sa

    from lib.core.db import get_engine
    from lib.core.models import LiveSession

    demo = load_demo(url, sessions)
    engine = get_engine(url)
    with engine.connect() as conn:
        ls = LiveSession.__table__  # typed columns: started_at comes back as a datetime on every backend
        ids = conn.execute(sa.select(ls.c.id, ls.c.started_at).order_by(ls.c.id)).all()
    rng = random.Random(42)
    statements = {
        "minutes": "INSERT INTO session_minutes (session_id, minute, online, entering, leaving, comments, likes, "
        "new_followers, orders, gmv_cents) VALUES (:a, :b, :c, :d, :e, :f, :g, :h, :i, :j)",
        "products": "INSERT INTO session_products (session_id, product_id, name, price, first_on_shelf, "
        "explain_count, explain_seconds, exposure, clicks, orders, units, gmv, refund) VALUES "
        "(:a, :b, :c, :d, :e, :f, :g, :h, :i, :j, :k, :l, :m)",
        "sources": "INSERT INTO session_sources (session_id, source, viewers, gmv) VALUES (:a, :b, :c, :d)",
    }
    keys = "abcdefghijklm"
    t0 = time.perf_counter()
    buffers: dict[str, list] = {k: [] for k in statements}
    counts = dict.fromkeys(statements, 0)

    def flush(kind: str) -> None:
        with engine.begin() as conn:
            conn.execute(sa.text(statements[kind]), [dict(zip(keys, r, strict=False)) for r in buffers[kind]])
        counts[kind] += len(buffers[kind])
        buffers[kind].clear()

    for sid, started in ids:
        for kind, rows in zip(statements, _detail_rows(sid, started, rng), strict=True):
            buffers[kind].extend(rows)
            if len(buffers[kind]) >= CHUNK:
                flush(kind)
    for kind in statements:
        flush(kind)
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
    return {"demo_s": demo, "detail_s": time.perf_counter() - t0, **counts}


def _child(url: str) -> dict:
    """In a fresh process: the review page and the PK page, cold (caches cleared) and warm."""
    import sqlalchemy as sa

    from lib import review as rv

    engine = bench_engine(url)
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM live_sessions")).scalar()
        middle = conn.execute(sa.text("SELECT id FROM live_sessions ORDER BY started_at, id"))
        sid = middle.all()[count // 2][0]
    partner = rv.default_partner(engine, sid) or rv.host_sessions(engine, sid)[0]
    review = page_cold_warm("session_detail", {"session": str(sid)})
    pk = page_cold_warm("session_pk", {"session": str(sid), "vs": str(partner)})
    return {"review_cold": review[0], "review_warm": review[1], "pk_cold": pk[0], "pk_warm": pk[1]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child)))
        return 0
    print(f"machine: {machine()}; {args.sessions:,} sessions x {MINUTES} minute rows\n")
    print("| backend | minute rows | load (demo + detail) | review cold | review warm | PK cold | PK warm |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            url = fresh_database(backend, "liveops_bench_review_pages", Path(tmp))
            loaded = _load(url, args.sessions)
            proc = subprocess.run(
                [sys.executable, "-m", "tests.bench.bench_review_pages", "--child", url],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if proc.returncode:
                raise RuntimeError(proc.stderr[-3000:])
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            print(
                f"| {backend} | {loaded['minutes']:,} | {loaded['demo_s']:.0f} s + {loaded['detail_s']:.0f} s "
                f"| {got['review_cold']:.2f} s | {got['review_warm']:.2f} s | {got['pk_cold']:.2f} s "
                f"| {got['pk_warm']:.2f} s |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
