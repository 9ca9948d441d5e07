"""Benchmark of the group notices on demo data: building the morning brief and the weekly report, and
writing its XLSX and PDF (the first PDF of a process loads the CJK font and vl-convert's engine).

    .venv/bin/python -m tests.bench.bench_notify [--sessions 100000] [--months 24] [--database-url URL]

Without --database-url: a fresh SQLite file filled by `lib.demo.load_demo` (deterministic, seed 42) up to
the team's clock; with it, an existing database (e.g. one `lib.cli demo` filled). The report's day is the
last Friday on or before today. Prints a markdown table (seconds of one run each).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from lib import notify
from lib.core import clock, db
from lib.core.schema import upgrade
from tests.bench.common import fresh_database, machine


def _timed(label: str, rows: list[tuple[str, float, str]], func, *args):
    start = time.perf_counter()
    out = func(*args)
    rows.append((label, time.perf_counter() - start, ""))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--database-url", help="an existing database (skips the demo load)")
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []
    if args.database_url:
        engine = db.get_engine(args.database_url)
    else:
        from lib.demo import load_demo

        url = fresh_database("sqlite", "bench_notify", Path(tempfile.mkdtemp(prefix="bench-notify-")))
        engine = db.get_engine(url)
        upgrade(engine)
        stats = _timed("demo load", rows, load_demo, engine, args.months, args.sessions)
        rows[-1] = (rows[-1][0], rows[-1][1], f"{stats['sessions']:,} sessions")
    today = clock.today()
    friday = today - dt.timedelta(days=(today.isoweekday() - 5) % 7)
    _timed("morning brief (manager)", rows, notify.brief, engine, today, "manager", "zh")
    _timed("morning brief (staff)", rows, notify.brief, engine, today, "staff", "zh")
    report = _timed("weekly report: figures", rows, notify.weekly_report, engine, friday)
    _timed("weekly report: message", rows, notify.weekly_message, engine, report, "zh")
    xlsx = _timed("weekly report: XLSX", rows, notify.weekly_xlsx, report, "zh")
    pdf = _timed(
        "weekly report: PDF (cold: font + chart engine)", rows, notify.weekly_pdf, engine, report, "zh"
    )
    _timed("weekly report: PDF (warm)", rows, notify.weekly_pdf, engine, report, "zh")
    print(f"{machine()}, {db.backend(engine)}, report day {friday}, load average {os.getloadavg()[0]:.1f}")
    print(f"hosts {len(report.hosts)}, rooms {len(report.rooms)}, XLSX {len(xlsx):,} B, PDF {len(pdf):,} B\n")
    print("| step | seconds | note |\n|---|---:|---|")
    for label, seconds, note in rows:
        print(f"| {label} | {seconds:.2f} | {note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
