"""Roll-up benchmark: the KPI page's aggregates over the raw sessions next to the same answers read from
the roll-ups (lib.rollups.sums_query), side by side with their ratio, in one run.

    .venv/bin/python -m tests.bench.bench_rollups [--sessions 1000000] [--months 6] [--backends sqlite,postgresql]

Each backend gets a fresh database filled by the benches' own loader (tests/bench/common.py
`load_sessions`, the demo loader: it maintains the roll-ups as it goes). Queries: the last full month by
day with the funnel and durations, by host (ranked table), by host over the month before (环比), and the
whole period by month (a year-long trend). Each statement runs 3 times: the first run ("first") and the
best. The roll-up answers are checked equal to the raw ones (row counts). Then the scorecards: score_month
of the last full month (median of 3) and the scorecards page cold, with the month's host sums read from the
raw sessions (as before the roll-ups) and from the roll-ups.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import RawSums, bench_engine, fresh_database, load_sessions, machine, page_cold_warm

RUNS = 3


def _time(engine, query) -> tuple[float, float, list]:
    times, rows = [], []
    with engine.connect() as conn:
        for _ in range(RUNS):
            t0 = time.perf_counter()
            rows = conn.execute(query).all()
            times.append(time.perf_counter() - t0)
    return times[0], min(times), rows


def _queries(engine) -> list[tuple[str, object, object]]:
    from lib import kpis, rollups
    from lib.core import clock

    start, end = kpis.preset_range("last_month", clock.today())
    month = kpis.Filters(start, end)
    history = kpis.Filters(start.replace(year=start.year - 2), end)
    roster = kpis.load_roster(engine)
    asks = [
        ("month by day (+funnel, durations)", month, "day", {"metric_keys": kpis.TILE_SUMS, "extras": True}),
        ("month by host", month, "host", {"metric_keys": kpis.RANK_SUMS}),
        ("month before by host", kpis.compared(month), "host", {}),  # the span the month is compared with
        ("all history by day (trend)", history, "day", {"metric_keys": kpis.FLAG_SUMS}),
    ]
    return [
        (name, kpis.sums_query(f, by, roster, **kw), rollups.sums_query(f, by, roster, **kw))
        for name, f, by, kw in asks
    ]


def _measure(url: str) -> list[tuple]:
    from lib.core.db import get_engine

    engine = get_engine(url)
    out = []
    for name, raw_q, roll_q in _queries(engine):
        raw_first, raw_best, raw_rows = _time(engine, raw_q)
        roll_first, roll_best, roll_rows = _time(engine, roll_q)
        same = len(raw_rows) == len(roll_rows)
        out.append((name, raw_first, raw_best, roll_first, roll_best, same))
    return out


def _scorecards(url: str) -> list[tuple]:
    """score_month of the last full month and the scorecards page cold, raw sums vs roll-ups."""
    import importlib
    import statistics

    from lib import rollups
    from lib import scorecards as sc
    from lib.core import clock

    engine = bench_engine(url)
    month = sc.shift_month(clock.today().strftime("%Y-%m"), -1)
    sources = importlib.import_module("lib.scorecards.sources")  # the bench swaps the read, nothing else
    out = []
    for label, impl in (("raw", RawSums), ("roll-up", rollups)):
        sources.rollups = impl
        runs = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            sc.score_month(engine, month)
            runs.append(time.perf_counter() - t0)
        cold, _warm, _at = page_cold_warm("scorecards", {"month": month})
        out.append((label, statistics.median(runs), cold))
    sources.rollups = rollups
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=6)  # the documented 1,000,000 load
    parser.add_argument("--backends", default="sqlite")
    args = parser.parse_args()
    print(f"machine: {machine()}; sessions {args.sessions:,} over {args.months} months", file=sys.stderr)
    lines = [
        "| backend | sessions | query | raw first s | raw best s | roll-up first s | roll-up best s "
        "| ratio (best) | same rows |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            url = fresh_database(backend, "liveops_bench_rollups", Path(tmp))
            load, _peak, stats = load_sessions(url, args.sessions, args.months)
            print(f"  {backend}: loaded {stats['sessions']:,} sessions in {load:.1f} s", file=sys.stderr)
            for name, rf, rb, of, ob, same in _measure(url):
                ratio = ob / rb if rb else float("nan")
                lines.append(
                    f"| {backend} | {stats['sessions']:,} | {name} | {rf:.3f} | {rb:.3f} | {of:.4f} | {ob:.4f} "
                    f"| {ratio:.3f} | {'yes' if same else 'NO'} |"
                )
            (_, raw_score, raw_cold), (_, roll_score, roll_cold) = _scorecards(url)
            lines.append(
                f"| {backend} | {stats['sessions']:,} | scorecards: score_month (median) / page cold "
                f"| – | {raw_score:.3f} / {raw_cold:.3f} | – | {roll_score:.3f} / {roll_cold:.3f} "
                f"| {roll_score / raw_score:.3f} / {roll_cold / raw_cold:.3f} | – |"
            )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
