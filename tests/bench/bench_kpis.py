"""KPI page benchmark: cold and warm AppTest render, peak memory, next to the bare SQL aggregates it needs.

    .venv/bin/python -m tests.bench.bench_kpis [--sizes 10000,100000,1000000] [--backends sqlite,postgresql]

Each size is loaded with `python -m lib.cli demo --sessions N` into a fresh database (a temp SQLite file;
the PostgreSQL database liveops_bench_kpis, created and dropped here). The page is measured in a fresh
child process per database (so peak RSS is the page's own): the last full month, as a manager. 1,000,000
sessions are loaded only when the 100,000 load predicts under 3 minutes. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import bench_engine, load_demo, page_cold_warm

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = os.environ.get("LIVEOPS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DB = "liveops_bench_kpis"
LOAD_LIMIT_SECONDS = 180
QUERY = {"preset": "last_month"}


def _pg_url(create: bool) -> str:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
        if create:
            conn.execute(sa.text(f'CREATE DATABASE "{PG_DB}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=PG_DB).render_as_string(hide_password=False)


def _child(url: str) -> dict:
    """Runs in a fresh process: bare SQL aggregates, then the page cold and warm under AppTest."""
    from sqlalchemy import func, select, text

    from lib import kpis
    from lib.core import clock

    engine = bench_engine(url)
    start, end = kpis.preset_range("last_month", clock.today())
    filters = kpis.Filters(start, end)
    roster = kpis.load_roster(engine)
    out: dict = {"month": f"{start:%Y-%m}"}
    # The bare aggregates the page runs: day sums (tiles, trend, funnel, durations), host sums of the month
    # (ranked table) and of the comparison span (环比, each host's normal: the whole month before).
    queries = [
        kpis.sums_query(filters, "day", roster, metric_keys=kpis.TILE_SUMS, extras=True),
        kpis.sums_query(filters, "host", roster, metric_keys=kpis.RANK_SUMS),
        kpis.sums_query(kpis.compared(filters), "host", roster, metric_keys=kpis.FLAG_SUMS),
    ]
    bare = 0.0
    with engine.connect() as conn:
        for query in queries:
            t0 = time.perf_counter()
            conn.execute(query).all()
            bare += time.perf_counter() - t0
        sql = str(queries[0].compile(engine, compile_kwargs={"literal_binds": True}))
        prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        out["plan"] = " | ".join(str(r[-1]) for r in conn.execute(text(prefix + sql)))
    out["bare_sql"] = bare
    with engine.connect() as conn:
        out["month_sessions"] = conn.execute(
            select(func.count()).where(*kpis.where_conditions(filters, roster, start, end))
        ).scalar()

    out["cold"], out["warm"], at = page_cold_warm("kpis", QUERY)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["tiles"] = len(at.metric)
    return out


def _measure(url: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_kpis", "--child", url],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    rows, plans, skipped = [], {}, []
    for backend in args.backends.split(","):
        per_session = None
        for n in sizes:
            if n >= 1_000_000 and per_session is not None and per_session * n > LOAD_LIMIT_SECONDS:
                skipped.append(
                    f"{backend} {n:,}: predicted load {per_session * n:.0f} s > {LOAD_LIMIT_SECONDS} s"
                )
                continue
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite:///{tmp}/bench.db" if backend == "sqlite" else _pg_url(create=True)
                load = load_demo(url, n)
                per_session = load / n
                result = _measure(url)
                if backend == "postgresql":
                    _pg_url(create=False)
            plans[backend] = result.pop("plan")
            rows.append((backend, n, load, result))
            print(f"  {backend} {n:,}: {result}", file=sys.stderr)
    print(
        "| backend | sessions | month sessions | load s | bare SQL s | page cold s | page warm s | peak MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for backend, n, load, r in rows:
        print(
            f"| {backend} | {n:,} | {r['month_sessions']:,} | {load:.1f} | {r['bare_sql']:.3f} | {r['cold']:.3f} "
            f"| {r['warm']:.3f} | {r['peak_mb']:.0f} |"
        )
    print()
    for backend, plan in plans.items():
        print(f"- {backend} plan of the day aggregate: `{plan}`")
    for line in skipped:
        print(f"- skipped {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
