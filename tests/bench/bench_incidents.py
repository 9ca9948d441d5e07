"""Benchmark of the incident-duration report with 100,000 incidents (goal: 1,000,000 over 180 days, page cold < 0.5 s).

    .venv/bin/python -m tests.bench.bench_incidents [--rows 100000] [--backends sqlite,postgresql]
        [--sqlite-dir DIR [--reuse]] [--repeat 3]

Bulk-inserts deterministic incidents (random.Random(42)) over ~6 months, in detection order as they are
logged and imported in real use, into a fresh database per backend
(SQLite: a file under --sqlite-dir or a temp directory; PostgreSQL: its own database liveops_bench_incidents)
with the benches' bulk loader (tests/bench/common.py load_incidents, which builds the incident roll-ups),
then times, in one process: the bare raw counts query (the ratio base), and each report call and the report
page (AppTest, first render with a cold cache, then a rerun with the data-version cache warm) "before"
(percentiles ranked over the raw durations and the resolve histogram binned from the raw rows:
lib.incidents.rollup.serves_histograms switched off, counts still from the roll-ups) and "after" (both
from the roll-ups' duration histograms). Queries: median of --repeat runs. Prints a markdown table with
each time also as a multiple of the bare raw counts query, and the load average before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from lib import incidents as inc
from lib.core import db
from lib.core.models import Department
from lib.core.schema import INCIDENT_CATEGORIES, upgrade
from tests.bench.common import load_incidents, peak_rss_mb

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("LIVEOPS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DATABASE = "liveops_bench_incidents"
START = dt.datetime(2026, 5, 26)
DAYS = 180
HANDLERS = [f"处理人{i:02d}" for i in range(40)]
ROOMS = [f"直播间{i:02d}" for i in range(24)]
PASSWORD = "bench-password-123"


def make_rows(n: int, departments: list[int]) -> list[dict]:
    rnd = random.Random(42)
    rows = []
    for k in range(n):
        detected = START + dt.timedelta(seconds=rnd.randrange(DAYS * 86400))
        respond = rnd.lognormvariate(0.8, 0.9)  # minutes, median ~2.2
        resolve = respond + rnd.lognormvariate(1.3, 0.8)  # median ~5.9 after response
        is_open = rnd.random() < 0.03
        late = resolve > 5
        rows.append(
            {
                "natural_key": f"bench-{k}",
                "category": rnd.choice(INCIDENT_CATEGORIES),
                "severity": rnd.choices(("simple", "complex", "major"), (70, 25, 5))[0],
                "detected_at": detected,
                "responded_at": detected + dt.timedelta(seconds=round(respond * 60)),
                "resolved_at": None if is_open else detected + dt.timedelta(seconds=round(resolve * 60)),
                "owner_department_id": rnd.choice(departments),
                "handler_name": rnd.choice(HANDLERS),
                "room": rnd.choice(ROOMS),
                "platform": rnd.choice(("抖音", "快手", "淘宝")),
                "host_name": f"主播{rnd.randrange(30):02d}",
                "overtime_reason": "设备问题" if late and rnd.random() < 0.6 else None,
                "escalated": False,
            }
        )
    rows.sort(key=lambda r: r["detected_at"])  # logged and imported in time order, as in real use
    return rows


def prepare(backend: str, n: int, sqlite_dir: str | None = None, reuse: bool = False) -> str:
    if backend == "sqlite":
        folder = Path(sqlite_dir or tempfile.mkdtemp(prefix="bench_incidents_"))
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder / 'bench.db'}"
        if reuse and (folder / "bench.db").exists():
            print(f"sqlite: reusing {folder / 'bench.db'}")
            return url
        (folder / "bench.db").unlink(missing_ok=True)
    else:
        admin_url = make_url(db.normalise_url(PG_ADMIN_URL))
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{PG_DATABASE}"'))
        admin.dispose()
        url = admin_url.set(database=PG_DATABASE).render_as_string(hide_password=False)
    engine = db.get_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        departments = list(conn.execute(sa.select(Department.id)).scalars())
    seconds = load_incidents(url, make_rows(n, departments))
    with db.write(engine) as conn:
        from lib.core.auth import add_user

        add_user(conn, "bench_manager", PASSWORD, "manager", display_name="Bench")
    print(f"{backend}: inserted {n:,} incidents (and their roll-ups) in {seconds:.1f} s")
    return url


@contextmanager
def switched_off(name: str):
    """Run with lib.incidents.rollup.`name` (serves / serves_histograms) answering False: that part of the
    report reads the raw incidents, nothing else changed."""
    rollup = importlib.import_module("lib.incidents.rollup")
    original = getattr(rollup, name)
    setattr(rollup, name, lambda *_: False)
    try:
        yield
    finally:
        setattr(rollup, name, original)


BEFORE = "before: percentiles and histogram from raw rows"
AFTER = "after: counts from roll-ups, duration histograms"


def timed(func: Callable[[], object], repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def bench_queries(url: str, repeat: int) -> list[tuple[str, float]]:
    engine = db.get_engine(url)
    flt = inc.ReportFilter(START.date(), (START + dt.timedelta(days=DAYS)).date())
    month = inc.ReportFilter(dt.date(2026, 10, 25), dt.date(2026, 11, 23))
    q = inc.IncidentQuery(inc.dialect_of(engine))
    bare = (
        sa.select(sa.func.count(), sa.func.sum(q.met), sa.func.max(q.resolve_s))
        .select_from(q.source)
        .where(*q.where(flt))
    )

    def run_bare() -> None:
        with engine.connect() as conn:
            conn.execute(bare).all()

    out = [("bare raw counts query (180 days)", timed(run_bare, repeat))]
    calls: list[tuple[str, Callable[[], object]]] = [
        ("report, no grouping (180 days)", lambda: inc.report(engine, flt, None)),
        ("report, by category (180 days)", lambda: inc.report(engine, flt, "category")),
        ("report, by week (180 days)", lambda: inc.report(engine, flt, "week")),
        ("report, no grouping (last 30 days)", lambda: inc.report(engine, month, None)),
        ("resolve-time distribution (180 days)", lambda: inc.resolve_distribution(engine, flt)),
    ]
    for label, call in calls:
        with switched_off("serves_histograms"):
            before = timed(call, repeat)
            expected = call()
        after = timed(call, repeat)
        assert _same(call(), expected), label  # the bench measures equal answers
        out += [(f"{label}, {BEFORE}", before), (f"{label}, {AFTER}", after)]
    return out + [
        (
            "report by handler (last 30 days, raw rows: finer than the roll-up)",
            timed(lambda: inc.report(engine, month, "handler"), repeat),
        ),
        ("breach list (≤ 5,000 rows, 180 days)", timed(lambda: inc.breaches(engine, flt), repeat)),
        ("open list (≤ 5,000 rows, 180 days)", timed(lambda: inc.open_incidents(engine, flt), repeat)),
        (
            "filter options (180 days)",
            timed(lambda: inc.filter_options(engine, flt.date_from, flt.date_to), repeat),
        ),
        (
            "handler × month feed (180 days, raw rows: finer than the roll-up)",
            timed(lambda: inc.handler_monthly(engine, flt.date_from, flt.date_to), repeat),
        ),
    ]


def _same(a: object, b: object) -> bool:
    if hasattr(a, "equals"):
        return bool(a.equals(b))  # type: ignore[attr-defined]
    return a == b


def bench_page(url: str, repeat: int = 1) -> list[tuple[str, float]]:
    """The report page as a manager, each period before and after: the median of `repeat` cold renders
    (caches cleared) and of as many warm reruns."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["DATABASE_URL"] = url
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "incident_report.py"), default_timeout=900)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "bench_manager"
    from lib.core import clock  # the login this session rests on (lib.web.ui.current_user)

    at.session_state["session_issued_at"] = clock.now().isoformat()
    at.run()
    out = []
    for label, period in (
        ("last 30 days", (dt.date(2026, 10, 25), dt.date(2026, 11, 23))),
        ("180 days", (START.date(), (START + dt.timedelta(days=DAYS)).date())),
    ):
        for how, ctx in ((BEFORE, lambda: switched_off("serves_histograms")), (AFTER, nullcontext)):
            colds, warms = [], []
            with ctx():
                at.date_input(key="rep_period").set_value(period)
                for _ in range(repeat):
                    st.cache_data.clear()
                    started = time.perf_counter()
                    at.run()
                    colds.append(time.perf_counter() - started)
                    assert not at.exception, at.exception
                    started = time.perf_counter()
                    at.run()
                    warms.append(time.perf_counter() - started)
            cold, warm = statistics.median(colds), statistics.median(warms)
            out += [
                (f"report page render, {label}, cold cache, {how} (AppTest)", cold),
                (f"report page rerun, {label}, warm cache, {how} (AppTest)", warm),
            ]
    out.append(("page process peak RSS MB", float(peak_rss_mb())))
    return out


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--sqlite-dir", default=None, help="where the SQLite file goes (default: a temp dir)")
    parser.add_argument(
        "--reuse", action="store_true", help="SQLite: keep a bench.db already in --sqlite-dir"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per query and per page render (the median is shown)"
    )
    args = parser.parse_args()
    os.environ.setdefault("LIVEOPS_BCRYPT_ROUNDS", "4")
    results: dict[str, list[tuple[str, float]]] = {}
    loads = [load_average()]
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        try:
            url = prepare(backend, args.rows, args.sqlite_dir, args.reuse)
        except sa.exc.OperationalError as exc:
            print(f"{backend}: skipped, server not reachable ({exc.__class__.__name__})")
            continue
        results[backend] = bench_queries(url, args.repeat) + bench_page(url, args.repeat)
        db.dispose_engines()
    loads.append(load_average())
    backends = list(results)
    print(f"\n### Incident report, {args.rows:,} incidents (seconds, median of {args.repeat} for queries)\n")
    print(f"Load average (1/5/15 min) at start: {loads[0]}; at end: {loads[1]}.\n")
    print("| measure | " + " | ".join(f"{b} s | {b} × bare" for b in backends) + " |")
    print("|---|" + "---:|---:|" * len(backends))
    for i, (label, _) in enumerate(next(iter(results.values()), [])):
        cells = []
        for b in backends:
            value, base = results[b][i][1], results[b][0][1]
            ratio = "–" if label.endswith("MB") or not base else f"{value / base:.2f}"
            cells.append(f"{value:.3f} | {ratio}")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
