"""Benchmark of the scorecards at demo scale and larger, before and after in one run.

    .venv/bin/python -m tests.bench.bench_scorecards [--sessions demo,100000] [--backends sqlite,postgresql]
        [--before main] [--url URL] [--runs 3]

Each size is loaded with lib.demo.load_demo (6 months; "demo" = its default of ~4 sessions per room-day)
into a fresh database (SQLite: a temp file; PostgreSQL: its own database liveops_bench_scorecards), or
`--url` names a database already loaded that way (a size's load takes minutes at 1,000,000 sessions).
Times (median of `--runs`) the bare `score_month` of the last full month, the 6-month trend, the
promotion flags, one card with its source rows, and the scorecards page under AppTest as a manager (first
render of a process, then cold: caches cleared, then warm: best of three reruns) in a page-only process (its peak
RSS is the page's memory). Every measure runs in a
fresh child process per side: "after" is this tree; `--before REF` also runs the same measures on the code
of git REF (exported with `git archive` next to the database) on the same database, so the two sides are
printed together with their ratio and each side's ratio to the bare raw month host sums (the GROUP BY over
live_sessions the scores once scanned). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from tests.bench.common import ROOT, env, fresh_database, load_sessions, machine

PASSWORD = "bench-password-123"
USER = "bench_manager"
MEASURES = (
    ("score_month", "score a month s"),
    ("trend", "6-month trend s"),
    ("promotion", "promotion flags s"),
    ("card", "one card s"),
    ("first", "page first render of a process s"),
    ("cold", "page cold s"),
    ("warm", "page warm s"),
)

# Runs in a child with the tree under test as its working directory (so `lib` is that tree's): only the
# public API that main and this branch share. argv: mode (funcs|page), database URL, month, person, runs.
_CHILD = r"""
import json, resource, statistics, sys, time
mode, url, month, person, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
from lib import scorecards as sc
from lib.core import db
engine = db.get_engine(url)

def median(func, n):
    timings = []
    for _ in range(n):
        start = time.perf_counter()
        func()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)

if mode == "funcs":
    out = {
        "score_month": median(lambda: sc.score_month(engine, month), runs),
        "trend": median(lambda: sc.trend(engine, month), 1),
        "promotion": median(lambda: sc.promotion_flags(engine, sc.quarter_of(month)), 1),
        "card": median(lambda: sc.card_for(engine, month, person), runs),
    }
else:
    from tests.bench.common import page_cold_warm
    start = time.perf_counter()
    cold, warm, at = page_cold_warm("scorecards", {"month": month})
    out = {"first": time.perf_counter() - start - cold - warm}
    # cold and warm: medians of `runs` renders in this process (one render moves by +-30 % here)
    out["cold"], out["warm"], _at = page_cold_warm("scorecards", {"month": month}, runs)
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(out))
"""


def _median(func, runs: int = 3) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def _bare_month(engine: sa.Engine, month: str) -> None:
    """The bare raw-table query of a month's scores: the month's host sums over live_sessions (what the
    scorecards read from the roll-ups)."""
    from lib import kpis
    from lib.core.dates import month_end

    start = dt.date.fromisoformat(f"{month}-01")
    query = kpis.sums_query(kpis.Filters(start, month_end(start)), "host", kpis.load_roster(engine))
    with engine.connect() as conn:
        conn.execute(query).all()


def export_tree(ref: str, into: Path) -> Path:
    """The source of git `ref` (`git archive`), to run the "before" side from; a directory is taken as such
    a tree already exported (a bench run from an exported tree, which is no git checkout)."""
    if Path(ref).is_dir():
        return Path(ref)
    tree = into / f"tree-{ref.replace('/', '_')}"
    tree.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def _child(tree: Path, mode: str, url: str, month: str, person: int, runs: int) -> dict:
    child_env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, url, month, str(person), str(runs)],
        cwd=tree,
        env=child_env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"{mode} child in {tree} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(tree: Path, url: str, month: str, person: int, runs: int) -> dict:
    """One side's measures, each kind in its own fresh process (the page alone in its own)."""
    funcs = _child(tree, "funcs", url, month, person, runs)
    page = _child(tree, "page", url, month, person, runs)
    return {**funcs, **page}


def prepare(backend: str, sessions: int | None, tmp: Path, url: str | None) -> tuple[str, dict]:
    """A loaded database (`url`, else a fresh one loaded now) with the bench manager; (url, its counts)."""
    stats: dict = {}
    if url is None:
        url = fresh_database(backend, "liveops_bench_scorecards", tmp)
        load, _peak, stats = load_sessions(url, sessions)
        stats["load"] = load
    from lib.core import db
    from lib.core.auth import add_user
    from lib.core.models import LiveSession, User

    engine = db.get_engine(url)
    with db.write(engine) as conn:
        if conn.execute(sa.select(User.id).where(User.username == USER)).first() is None:
            add_user(conn, USER, PASSWORD, "manager", display_name="bench")
        stats["sessions"] = conn.execute(sa.select(sa.func.count()).select_from(LiveSession)).scalar_one()
    return url, stats


def bench(url: str, before: Path | None, runs: int) -> dict:
    from lib import scorecards as sc
    from lib.core import clock, db

    engine = db.get_engine(url)
    month = sc.shift_month(clock.today().strftime("%Y-%m"), -1)
    cards = sc.score_month(engine, month)
    person = next(c.person_id for c in cards if c.position == "operations")
    out = {"month": month, "people": len(cards), "bare": _median(lambda: _bare_month(engine, month), runs)}
    db.dispose_engines()
    with env(DATABASE_URL=url):
        out["after"] = measure(ROOT, url, month, person, runs)
        if before is not None:
            out["before"] = measure(before, url, month, person, runs)
    return out


def table(rows: list[tuple[str, dict, dict]], before_ref: str | None) -> str:
    head = "| backend | sessions | measure | after s | after / bare raw |"
    rule = "|---|---:|---|---:|---:|"
    if before_ref:
        head += f" before ({before_ref}) s | before / bare raw | after / before |"
        rule += "---:|---:|---:|"
    lines = [head, rule]
    for backend, stats, r in rows:
        bare = r["bare"]
        lines.append(f"| {backend} | {stats['sessions']:,} | bare raw month host sums | {bare:.3f} | 1.00 |")
        if before_ref:
            lines[-1] += f" {bare:.3f} | 1.00 | – |"
        for key, label in MEASURES:
            a = r["after"][key]
            line = f"| {backend} | {stats['sessions']:,} | {label} | {a:.3f} | {a / bare:.2f}× |"
            if before_ref:
                b = r["before"][key]
                line += f" {b:.3f} | {b / bare:.2f}× | {a / b:.4f} |"
            lines.append(line)
        peak = f"| {backend} | {stats['sessions']:,} | page process peak MB | {r['after']['peak_mb']} | – |"
        if before_ref:
            peak += f" {r['before']['peak_mb']} | – | – |"
        lines.append(peak)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", default="demo,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--url", help="an already loaded database (one backend, one size)")
    parser.add_argument("--before", metavar="REF", help="also time git REF's code (main, or a tree), same db")
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="runs per median (trend, promotion: one; the page: cold and warm renders)",
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        before = export_tree(args.before, Path(tmp)) if args.before else None
        if args.url:
            plan = [(sa.engine.make_url(args.url).get_backend_name(), None)]
        else:
            plan = [(b, s) for b in args.backends.split(",") for s in args.sessions.split(",")]
        for backend, size in plan:
            n = None if size in (None, "demo") else int(size)
            url, stats = prepare(backend, n, Path(tmp), args.url)
            r = bench(url, before, args.runs)
            print(f"  {backend} {size or url}: {stats} {r}", file=sys.stderr)
            rows.append((backend, stats, r))
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end\n")
    print(f"Scored month: {rows[0][2]['month']}, {rows[0][2]['people']} people\n")
    print(table(rows, args.before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
