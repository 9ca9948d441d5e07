"""KPI page and home page benchmark: each page cold next to the bare SQL it would need over the raw sessions,
as a ratio, in one run; and the same page with its sums read from the raw table (as before the roll-ups).

    .venv/bin/python -m tests.bench.bench_kpis [--sizes 10000,100000,1000000] [--backends sqlite,postgresql]
        [--copy]   # PostgreSQL: load with COPY (tests/bench/common.py copy_sessions), e.g. --sizes 10000000
        [--database URL]   # measure a database loaded before (by this loader) instead of loading one
        [--repeat N]   # each bare SQL and page time the median of N runs (a single run varies by ±30 % here)

Each size goes into a fresh database (a temp SQLite file; the PostgreSQL database liveops_bench_kpis)
through the benches' own loader (the demo loader, which keeps the roll-ups; with --copy the sessions are
COPYed and the roll-ups rebuilt once). The pages are measured in a fresh child process per database (peak
RSS is the page process's own): the KPI page over the last full month and the home page at the clock's
minute, as a manager. "bare raw SQL" is the sum of the GROUP BY statements over live_sessions that the
page's figures need (lib.kpis sums_query), run one after the other; "before" is the page with lib.kpis'
sums read from live_sessions instead of the roll-ups (lib.kpis.queries' roll-up reader swapped for the
raw statement, nothing else changed). Goals (README "Performance"): cold < 0.4 s and ≤ 0.25× the bare raw
SQL at 1,000,000 sessions on SQLite, < 0.5 s at 10,000,000 on PostgreSQL, < 400 MB per page process.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import (
    ROLLED_TABLES,
    RawSums,
    bench_engine,
    copy_sessions,
    fresh_database,
    load_sessions,
    machine,
    page_cold_warm,
)

ROOT = Path(__file__).resolve().parents[2]
QUERY = {"preset": "last_month"}


def _kpi_statements(kpis, roster, filters) -> list:
    """The raw GROUP BYs behind the KPI page (kpis.kpi_view's scans)."""
    return [
        kpis.sums_query(filters, "day", roster, metric_keys=kpis.TILE_SUMS, extras=True),
        kpis.sums_query(kpis.compared(filters), "host", roster, metric_keys=kpis.FLAG_SUMS),
        kpis.sums_query(filters, "host", roster, metric_keys=kpis.RANK_SUMS),
    ]


def _home_statements(kpis, roster, moment) -> list:
    """The raw GROUP BYs behind the home page's figures (overview tiles, yesterday, daily GMV, flags)."""
    out = []
    tiles = tuple(dict.fromkeys((*kpis.TILE_METRICS, "gmv")))
    for period in (kpis.period_of(moment), kpis.yesterday_of(moment)):
        for f in (period.filters, kpis.compared(period.filters)):
            out.append(kpis.sums_query(f, "all", roster, metric_keys=tiles))
    month = kpis.period_of(moment).filters
    out += [kpis.sums_query(f, "day", roster, metric_keys=("gmv",)) for f in (month, kpis.compared(month))]
    start, end = kpis.recent_window(moment.date())
    recent = kpis.period_filters(start, end, moment)
    out += [
        kpis.sums_query(f, "host", roster, metric_keys=kpis.FLAG_SUMS)
        for f in (recent, kpis.compared(recent))
    ]
    return out


def _bare(engine, statements, repeat: int = 1) -> float:
    """Seconds to run `statements` one after the other (the median of `repeat` runs)."""
    totals = []
    with engine.connect() as conn:
        for _ in range(repeat):
            total = 0.0
            for query in statements:
                t0 = time.perf_counter()
                conn.execute(query).all()
                total += time.perf_counter() - t0
            totals.append(total)
    return statistics.median(totals)


def _child(url: str, repeat: int = 1) -> dict:
    """In a fresh process: bare raw SQL, then each page cold and warm (roll-ups), then cold with raw sums."""
    from sqlalchemy import func, select

    from lib import kpis
    from lib.core import clock

    engine = bench_engine(url)
    roster = kpis.load_roster(engine)
    start, end = kpis.preset_range("last_month", clock.today())
    month = kpis.Filters(start, end)
    moment = clock.now().replace(second=0, microsecond=0)
    out: dict = {}
    with engine.connect() as conn:
        out["month_sessions"] = conn.execute(
            select(func.count()).where(*kpis.where_conditions(month, roster, start, end))
        ).scalar()
    out["kpis_bare"] = _bare(engine, _kpi_statements(kpis, roster, month), repeat)
    out["overview_bare"] = _bare(engine, _home_statements(kpis, roster, moment), repeat)
    for page, query in (("kpis", QUERY), ("overview", {})):
        out[f"{page}_cold"], out[f"{page}_warm"], _at = page_cold_warm(page, query, repeat)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queries = importlib.import_module("lib.kpis.queries")
    queries.rollups = RawSums  # before the roll-ups: the same pages, sums over the raw sessions
    for page, query in (("kpis", QUERY), ("overview", {})):
        out[f"{page}_before"], _warm, _at = page_cold_warm(page, query, repeat)
    return out


def _measure(url: str, repeat: int = 1) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_kpis", "--child", url, "--repeat", str(repeat)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode:  # the child's own traceback, not only its exit status
        raise RuntimeError(f"bench child failed on {url}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _seconds(value: float) -> str:
    return "–" if value != value else f"{value:.1f}"  # NaN: loaded before (--database)


def _reused(url: str, repeat: int = 1) -> tuple[str, int, float, dict]:
    """A database loaded before (e.g. 1,000,000 sessions kept under /work/benchdata): migrated, measured."""
    from sqlalchemy import func, select, text

    from lib.core.db import get_engine
    from lib.core.models import LiveSession
    from lib.core.schema import upgrade

    engine = get_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(LiveSession)).scalar() or 0
    if engine.dialect.name == "postgresql":  # tables a migration just filled: as autovacuum would
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ROLLED_TABLES:
                conn.execute(text(f"ANALYZE {table}"))
    engine.dispose()
    result = _measure(url, repeat)
    print(f"  {url}: {result}", file=sys.stderr)
    return engine.dialect.name, n, float("nan"), result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument(
        "--copy", action="store_true", help="PostgreSQL: COPY the sessions (10,000,000 and up)"
    )
    parser.add_argument("--database", help="an already loaded database URL: measured as it is (migrated)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="median of this many runs of each bare SQL and page (cold, warm)",
    )
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    if args.child:
        print(json.dumps(_child(args.child, args.repeat)))
        return 0
    rows = []
    if args.database:
        rows.append(_reused(args.database, args.repeat))
    with tempfile.TemporaryDirectory() as tmp:
        for backend in [] if args.database else args.backends.split(","):
            for n in (int(s) for s in args.sizes.split(",")):
                url = fresh_database(backend, "liveops_bench_kpis", Path(tmp))
                if args.copy and backend == "postgresql":
                    load, stats = copy_sessions(url, n, args.months)
                else:
                    load, _peak, stats = load_sessions(url, n, args.months)
                result = _measure(url, args.repeat)
                print(f"  {backend} {n:,}: load {load:.1f} s, {result}", file=sys.stderr)
                rows.append((backend, stats["sessions"], load, result))
    print(f"machine: {machine()}" + (f"; medians of {args.repeat} runs" if args.repeat > 1 else "") + "\n")
    print(
        "| backend | sessions | page | month's sessions | load s | bare raw SQL s | before (raw sums) cold s "
        "| page cold s | cold / bare raw | page warm s | peak MB |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend, n, load, r in rows:
        for page in ("kpis", "overview"):
            bare, cold = r[f"{page}_bare"], r[f"{page}_cold"]
            print(
                f"| {backend} | {n:,} | {page} | {r['month_sessions']:,} | {_seconds(load)} | {bare:.3f} "
                f"| {r[f'{page}_before']:.3f} | {cold:.3f} | {cold / bare if bare else float('nan'):.2f}× "
                f"| {r[f'{page}_warm']:.3f} | {r['peak_mb']:.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
