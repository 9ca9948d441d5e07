"""Every benchmark script runs through at a tiny size, so a bench that stops working fails the suite (no time is
asserted). Each runs as `make bench` runs it: `python -m tests.bench.NAME ARGS` in its own process, on SQLite
(the review bench has its own smoke test, tests/bench/test_bench_review.py, with its data checked too)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# script -> (tiny arguments, a text its markdown table must contain)
SMOKE = {
    "bench_demo": (["--sessions", "400", "--small", "200", "--backends", "sqlite"], "| sqlite | "),
    "bench_kpis": (["--sizes", "400", "--backends", "sqlite"], "| overview |"),
    "bench_import": (["--rows", "300", "--no-pg"], "import committed (pipeline)"),
    "bench_incidents": (
        ["--rows", "300", "--backends", "sqlite"],
        "counts from roll-ups, duration histograms",
    ),
    "bench_cases": (["--cases", "60", "--backends", "sqlite"], "sqlite"),
    "bench_scorecards": (["--sessions", "400", "--backends", "sqlite", "--runs", "1"], "| page cold s |"),
    "bench_rollups": (["--sessions", "400", "--months", "2", "--backends", "sqlite"], "| sqlite | "),
    "bench_review_products": (["--products", "200"], "review page, 200 products"),
    "bench_notify": (["--sessions", "300", "--months", "2"], "weekly report: PDF (warm)"),
}


def test_every_bench_script_has_a_smoke_run():
    scripts = {p.stem for p in (ROOT / "tests" / "bench").glob("bench_*.py")}
    assert scripts == set(SMOKE) | {"bench_review", "bench_phone", "bench_load"}


def _run(script: str, args: list[str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", f"tests.bench.{script}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.mark.parametrize("script", sorted(SMOKE))
def test_bench_runs_at_a_tiny_size(script):
    args, expected = SMOKE[script]
    out = _run(script, args)
    assert expected in out, out[-2000:]


@pytest.mark.e2e
def test_bench_phone_runs_at_a_tiny_size():
    out = _run("bench_phone", ["--pages", "overview", "--runs", "1", "--sessions", "200"])
    assert "| overview |" in out, out[-2000:]


@pytest.mark.e2e
def test_bench_load_runs_at_a_tiny_size():
    """One user through nginx and one app process (tests/e2e/proxy.py), every page once."""
    out = _run(
        "bench_load",
        ["--users", "1", "--processes", "1", "--backends", "sqlite", "--rounds", "1", "--sessions", "200"],
    )
    row = next(line for line in out.splitlines() if line.startswith("| sqlite | 1 | 1 |"))
    assert row.split("|")[5].strip() == "0", out  # no errors


def test_bench_loader_is_not_capped_by_the_command_line(tmp_path):
    """The user-facing `demo` command refuses more than MAX_DEMO_SESSIONS; the benches' loader does not (the
    cap is lowered here so the test stays tiny)."""
    from tests.bench.common import load_sessions

    url = f"sqlite:///{tmp_path / 'b.db'}"
    code = (
        "import sys; import lib.cli as c; c.MAX_DEMO_SESSIONS = 50; "
        "sys.exit(c.main(['demo', '--sessions', '120']))"
    )
    refused = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={"DATABASE_URL": url, **_env()}, capture_output=True
    )
    assert refused.returncode == 2
    _seconds, _peak, stats = load_sessions(url, 120)
    assert stats["sessions"] > 50  # sessions not yet ended by the clock's moment are left out


@pytest.mark.skipif(
    "postgresql" not in os.environ.get("LIVEOPS_TEST_DATABASES", ""),
    reason="PostgreSQL not among the test databases",
)
def test_bench_kpis_copy_loader_runs_at_a_tiny_size():
    """The PostgreSQL COPY path the 10,000,000-session run takes (`bench_kpis --copy`)."""
    out = _run("bench_kpis", ["--sizes", "300", "--backends", "postgresql", "--copy", "--months", "2"])
    assert "| postgresql | " in out and "| kpis |" in out and "| overview |" in out, out[-2000:]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}


def test_bench_kpis_measures_a_database_loaded_before_twice(tmp_path):
    """`bench_kpis --database URL`: a file loaded once (the 1,000,000-session one is kept between runs) is
    migrated and measured as it is, and measured again (its bench user exists by then), the second time
    as medians of two runs."""
    from tests.bench.common import load_sessions

    url = f"sqlite:///{tmp_path / 'kept.db'}"
    load_sessions(url, 200, 2)
    for extra in ([], ["--repeat", "2"]):
        out = _run("bench_kpis", ["--database", url, *extra])
        assert "| sqlite | " in out and "| kpis |" in out and "| overview |" in out, out[-2000:]
    assert "medians of 2 runs" in out
