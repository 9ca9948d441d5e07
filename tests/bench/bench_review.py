"""Session-review benchmark at scale: 100,000 sessions with minute rows (~24 million), products, traffic
sources and incidents on SQLite and PostgreSQL.

    .venv/bin/python -m tests.bench.bench_review [--backend sqlite|postgresql|both] [--sessions N]
        [--trend-sessions 500] [--samples 20] [--no-page] [--keep] [--pg-database NAME] [--tmp DIR]

Builds the data with tests/bench/review_build.py (deterministic, bulk-loaded; SQLite: a temp file,
PostgreSQL: its own database liveops_bench_review, created and dropped here), then measures
- the review page's reads of one session, cold: a new engine (so a new connection: empty SQLite page
  cache, a new PostgreSQL backend) before each of --samples random sessions; median and max;
- the PK reads of two sessions (a session and its default partner, the host's previous one), the same way;
- one product across its sessions (the products page);
- importing a week of trend files (--trend-sessions sessions stored without minute rows; one trend CSV
  each, written like the samples) with one `python -m lib.cli import` command, start-up included;
- the size of the minute rows (SQLite: the session_minutes b-tree from dbstat; PostgreSQL:
  pg_total_relation_size, indexes included) per million rows, measured before the import;
- the review, PK and products pages under AppTest (a fresh session: cold cache, then a rerun).
"Cold" is the database's side: the operating system's file cache is whatever the run left in it.
Prints markdown tables. No time is asserted.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.bench import review_build as rb
from tests.bench.common import PG_ADMIN_URL, env, fresh_database, machine, run_cli, time_page

PG_DB = "liveops_bench_review"
BENCH_USER = "bench_manager"


def build(backend: str, sessions: int, extra: int, tmp: Path, pg_db: str = PG_DB) -> dict[str, Any]:
    """A fresh, migrated database filled with the bench data; the trend files of the extra sessions."""
    from lib.core.db import dispose_engines, get_engine
    from lib.core.schema import upgrade

    url = fresh_database(backend, "bench_review" if backend == "sqlite" else pg_db, tmp)
    upgrade(get_engine(url))
    dispose_engines()
    trends = tmp / f"trends_{backend}"
    trends.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    on_chunk = functools.partial(rb.write_trends, directory=trends)
    if backend == "sqlite":
        rows = rb.load_sqlite(Path(sa.engine.make_url(url).database), sessions, extra, on_chunk)
    else:
        dsn = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        rows = rb.load_postgresql(dsn, sessions, extra, on_chunk)
    return {"url": url, "rows": rows, "build_s": time.perf_counter() - t0, "trends": sorted(trends.iterdir())}


def minute_size(url: str) -> tuple[int, int]:
    """(bytes of the minute rows with their key, bytes of the whole database)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            table = conn.execute(sa.text("SELECT sum(pgsize) FROM dbstat WHERE name = 'session_minutes'"))
            whole = conn.execute(
                sa.text("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
            )
        else:
            table = conn.execute(sa.text("SELECT pg_total_relation_size('session_minutes')"))
            whole = conn.execute(sa.text("SELECT pg_database_size(current_database())"))
        out = int(table.scalar()), int(whole.scalar())
    engine.dispose()
    return out


# --- reads, each after a new engine ----------------------------------------------------------------------


def page_reads(engine: sa.Engine, sid: int) -> dict[str, float]:
    """The reads the review page makes for one session (pages/session_detail.py with lib.web.review_view:
    picker, totals against target, incident spans, curves, shelf times, retention, Top 5, products,
    sources), each timed."""
    from lib import kpis
    from lib import review as rv

    calls: list[tuple[str, Callable[[], Any]]] = [
        ("recent_sessions (picker)", lambda: kpis.recent_sessions(engine, 200, "zh")),
        ("session_detail (totals)", lambda: kpis.session_detail(engine, sid)),
        ("incident_spans", lambda: rv.incident_spans(engine, sid)),
        ("minute_frame + summary", lambda: rv.minute_summary(rv.minute_frame(engine, sid))),
        ("product_windows", lambda: rv.product_windows(engine, sid)),
        ("session_retention", lambda: rv.session_retention(engine, sid)),
        ("top_products", lambda: rv.top_products(engine, sid)),
        ("products", lambda: rv.products(engine, sid)),
        ("sources", lambda: rv.sources(engine, sid)),
    ]
    return _timed(calls)


def pk_reads(engine: sa.Engine, sid: int) -> dict[str, float]:
    """The PK page's reads: the default partner, the host's sessions for the picker, both headers,
    totals, aligned minutes, products and sources compared."""
    from lib import review as rv

    partner: list[int | None] = [None]

    def default() -> None:
        partner[0] = rv.default_partner(engine, sid)

    def both(fn: Callable[..., Any]) -> Callable[[], Any]:
        return lambda: fn(engine, sid, partner[0])

    calls: list[tuple[str, Callable[[], Any]]] = [
        ("default_partner", default),
        ("host_sessions", lambda: rv.host_sessions(engine, sid)),
        ("session_header ×2", lambda: [rv.session_header(engine, s) for s in (sid, partner[0])]),
        ("pk_totals", both(rv.pk_totals)),
        ("pk_minutes", both(rv.pk_minutes)),
        ("pk_products", both(rv.pk_products)),
        ("pk_sources", both(rv.pk_sources)),
    ]
    return _timed(calls)


def product_reads(engine: sa.Engine, sid: int) -> dict[str, float]:
    """One product of the session across its sessions: its sessions and hosts (the products page)."""
    from lib import review as rv

    product = rv.products(engine, sid)["product_id"].iloc[0]
    return _timed(
        [
            ("product_sessions", lambda: rv.product_sessions(engine, product)),
            ("product_hosts", lambda: rv.product_hosts(engine, product)),
        ]
    )


def _timed(calls: list[tuple[str, Callable[[], Any]]]) -> dict[str, float]:
    out = {}
    for name, call in calls:
        t0 = time.perf_counter()
        call()
        out[name] = time.perf_counter() - t0
    return out


def cold_series(url: str, ids: list[int], reads: Callable[[sa.Engine, int], dict[str, float]]) -> dict:
    """reads() on each session after a new engine: totals (median, max) and each read's median."""
    from lib.core.db import dispose_engines, get_engine

    runs = []
    for sid in ids:
        dispose_engines()
        engine = get_engine(url)
        runs.append(reads(engine, sid))
    dispose_engines()
    totals = [sum(r.values()) for r in runs]
    parts = {name: statistics.median(r[name] for r in runs) for name in runs[0]}
    return {"median": statistics.median(totals), "max": max(totals), "parts": parts}


# --- import, page ----------------------------------------------------------------------------------------


def import_trends(url: str, files: list[Path]) -> dict[str, Any]:
    """`python -m lib.cli import FILE...` on the trend files, one command, start-up included (it parses the
    next files in a forked worker while it commits): seconds (wall, and the CPU of both processes: the
    machine is shared), files, rows, refusals, warnings. (No peak RSS: a
    child spawned from this big process reports the parent's size as its own.)"""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        seconds, _peak, stdout = run_cli(url, "import", "--lang", "en", *map(str, files))
    except subprocess.CalledProcessError as exc:  # exit 1: a file was refused (counted and shown below)
        seconds, stdout = time.perf_counter() - t0, exc.stdout or ""
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reports = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    refused = [r for r in reports if r.get("rejected") or r.get("error")]
    if refused:
        print(
            f"import refused {len(refused)} file(s); first: {json.dumps(refused[0], ensure_ascii=False)[:500]}"
        )
    return {
        "seconds": seconds,
        "cpu_seconds": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "files": len(reports),
        "inserted": sum(r.get("inserted", 0) for r in reports),
        "refused": len(refused),
        "warnings": sum(len(r.get("warnings") or []) for r in reports),
    }


def page_times(url: str, warm_id: int, sid: int) -> dict[str, tuple[float, float]]:
    """The review page, the PK page (against the default partner) and the products page (the session's
    first product) under AppTest: cold (caches cleared) and warm (a rerun), each. A first render of each
    page on another session comes before, so the imports are done, as in a running server."""
    from lib import review as rv
    from lib.core.auth import add_user
    from lib.core.db import dispose_engines, get_engine, write

    engine = get_engine(url)
    with env(DATABASE_URL=url, LIVEOPS_BCRYPT_ROUNDS="4"):
        with write(engine) as conn:
            add_user(conn, BENCH_USER, "bench-password-123", "manager", display_name="bench")
        partner = rv.default_partner(engine, sid) or rv.host_sessions(engine, sid)[0]
        product = str(rv.products(engine, sid)["product_id"].iloc[0])
        pages = {
            "review": ("pages/session_detail.py", {"session": str(warm_id)}, {"session": str(sid)}),
            "pk": (
                "pages/session_pk.py",
                {"session": str(warm_id)},
                {"session": str(sid), "vs": str(partner)},
            ),
            "products": ("pages/products.py", {}, {"product": product}),
        }
        out = {}
        for name, (page, first, query) in pages.items():
            time_page(page, BENCH_USER, first, runs=2)
            out[name] = time_page(page, BENCH_USER, query, runs=2)
        dispose_engines()
    return out


def measure(backend: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    built = build(backend, args.sessions, args.trend_sessions, tmp, args.pg_database)
    url = built["url"]
    out = {"url": url, "sessions": args.sessions, "rows": built["rows"], "build_s": built["build_s"]}
    out["size"] = minute_size(url)
    rnd = random.Random(7)
    ids = rnd.sample(range(1, args.sessions + 1), args.samples)
    out["page"] = cold_series(url, ids, page_reads)
    out["pk"] = cold_series(url, ids, pk_reads)
    out["product"] = cold_series(url, ids[:5], product_reads)
    if not args.no_page:
        out["apptest"] = page_times(url, ids[0], ids[1])
    if built["trends"]:
        out["import"] = import_trends(url, built["trends"])
    return out


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    if args.keep:  # the databases stay for EXPLAIN and reruns; the paths are printed
        tmp = tempfile.mkdtemp(prefix="bench_review_", dir=args.tmp)
        print(f"keeping {backend} data under {tmp}", flush=True)
        return measure(backend, args, Path(tmp))
    with tempfile.TemporaryDirectory(prefix="bench_review_", dir=args.tmp) as tmp:
        try:
            return measure(backend, args, Path(tmp))
        finally:
            if backend == "postgresql":
                drop_pg(args.pg_database)


def drop_pg(name: str) -> None:
    from lib.core.db import dispose_engines

    dispose_engines()
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# --- report ----------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds:.3f}"


def report(results: dict[str, dict[str, Any]]) -> list[str]:
    """The main table (one column a backend) and the per-read medians behind the cold totals."""
    names = list(results)
    rows: list[tuple[str, Callable[[dict], str]]] = [
        ("sessions / minute rows", lambda r: f"{r['sessions']:,} / {r['rows']:,}"),
        ("build (generate + bulk load) s", lambda r: f"{r['build_s']:.0f}"),
        ("minute rows incl. key/indexes, MB", lambda r: f"{r['size'][0] / 1e6:,.0f}"),
        ("… per million minute rows, MB", lambda r: f"{r['size'][0] / 1e6 / (r['rows'] / 1e6):.1f}"),
        ("whole database, MB", lambda r: f"{r['size'][1] / 1e6:,.0f}"),
        ("review page reads, cold: median / max s (< 0.5)", lambda r: _pair(r["page"])),
        ("PK reads, cold: median / max s (< 0.8)", lambda r: _pair(r["pk"])),
        ("one product across sessions, cold: median / max s", lambda r: _pair(r["product"])),
    ]
    if all("import" in r for r in results.values()):
        rows.append(("import a week of trend files s (< 10)", lambda r: _import(r["import"])))
    if all("apptest" in r for r in results.values()):
        for name, label in (("review", "review page"), ("pk", "PK page"), ("products", "products page")):
            rows.append(
                (f"{label} (AppTest), cold / warm s", lambda r, n=name: " / ".join(map(_ms, r["apptest"][n])))
            )
    lines = ["| measure | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    lines += [f"| {label} | " + " | ".join(fn(results[n]) for n in names) + " |" for label, fn in rows]
    lines += ["", "Median seconds of each read (cold):", ""]
    lines += ["| read | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for part in ("page", "pk", "product"):
        for read in results[names[0]][part]["parts"]:
            cells = " | ".join(_ms(results[n][part]["parts"][read]) for n in names)
            lines.append(f"| {part}: {read} | {cells} |")
    return lines


def _pair(series: dict[str, Any]) -> str:
    return f"{_ms(series['median'])} / {_ms(series['max'])}"


def _import(result: dict[str, Any]) -> str:
    note = f"{result['files']} files, {result['inserted']:,} rows"
    if result["refused"] or result["warnings"]:
        note += f", {result['refused']} refused, {result['warnings']} warnings"
    return f"{result['seconds']:.2f} (CPU {result['cpu_seconds']:.2f}; {note})"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sessions", type=int, default=100_000, help="sessions with minute rows")
    parser.add_argument("--trend-sessions", type=int, default=500, help="sessions imported from trend files")
    parser.add_argument("--samples", type=int, default=20, help="random sessions read cold")
    parser.add_argument("--no-page", action="store_true", help="skip the AppTest page run")
    parser.add_argument("--keep", action="store_true", help="keep the databases (PostgreSQL: not dropped)")
    parser.add_argument("--pg-database", default=PG_DB, help=f"PostgreSQL database (default {PG_DB})")
    parser.add_argument("--tmp", help="where the SQLite file and trend files go (default: the temp dir)")
    args = parser.parse_args(argv)
    args.samples = min(args.samples, args.sessions)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print(f"machine: {machine()}", flush=True)
    results = {}
    for backend in backends:
        t0 = time.perf_counter()
        results[backend] = run_backend(backend, args)
        print(f"{backend}: done in {time.perf_counter() - t0:.0f} s", flush=True)
    print("\n".join(report(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
