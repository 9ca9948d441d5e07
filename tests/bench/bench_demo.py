"""Demo load of N sessions (time, rows/s, peak memory) and the overview page's render time at 10k and N.

python -m tests.bench.bench_demo [--sessions 1000000] [--small 10000] [--backends sqlite,postgresql]

The sessions are loaded by the benches' own loader (tests/bench/common.py: lib.demo in a child process),
not by `lib.cli demo`, which caps --sessions for users.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from lib.core import clock
from lib.core.db import dispose_engines
from tests.bench.common import env, fresh_database, load_sessions, machine, time_page


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--small", type=int, default=10_000, help="the smaller size measured beside --sessions"
    )
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="liveops-bench-"))
    print(f"# Demo load and overview render — {machine()}, {clock.today()}\n")
    print("| backend | sessions | load s | rows/s | load peak MB | overview cold s | overview warm s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for backend in args.backends.split(","):
        for n in sorted({args.small, args.sessions}):
            url = fresh_database(backend, f"liveops_bench_demo_{n}", tmp)
            seconds, peak, stats = load_sessions(url, n)
            loaded = stats["sessions"]
            with env(DATABASE_URL=url):
                cold, warm = time_page("pages/overview.py", "manager")
            dispose_engines()
            print(
                f"| {backend} | {loaded:,} | {seconds:.1f} | {loaded / seconds:,.0f} | {peak} | {cold:.2f} | {warm:.3f} |"
            )


if __name__ == "__main__":
    main()
