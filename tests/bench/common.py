"""Helpers shared by the benchmark scripts: fresh databases, AppTest page timings, memory readings."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
# Every table a bulk load fills (and ANALYZE then reads): the sessions, their roll-ups, the incidents'.
ROLLED_TABLES = (
    "live_sessions",
    "session_rollups",
    "session_month_rollups",
    "session_platform_day_rollups",
    "incidents",
    "incident_rollups",
    "incident_month_rollups",
)
PG_ADMIN_URL = os.environ.get("LIVEOPS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def fresh_database(backend: str, name: str, tmp: Path) -> str:
    """An empty database URL: a SQLite file under tmp, or a PostgreSQL database created anew."""
    if backend == "sqlite":
        path = tmp / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def run_cli(url: str, *args: str) -> tuple[float, int, str]:
    """Run `python -m lib.cli ARGS` on `url`: (seconds, peak RSS MB of the child, stdout)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    stdout, _, peak = out.stdout.rpartition("PEAK_RSS_KB=")
    return seconds, int(peak) // 1024, stdout


# Runs the CLI in a child and reports that child's own peak RSS.
_CHILD = (
    "import resource, sys\n"
    "from lib.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('PEAK_RSS_KB=%d' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


@contextmanager
def env(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def time_page(
    page: str, username: str, query: dict[str, str] | None = None, runs: int = 3
) -> tuple[float, float]:
    """(cold, warm) seconds to render `page` under AppTest as `username` (cold: caches cleared)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    timings = []
    at = AppTest.from_file(str(ROOT / page), default_timeout=300)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    from lib.core import clock  # the login this session rests on (lib.web.ui.current_user)

    at.session_state["session_issued_at"] = clock.now().isoformat()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"{page} raised: {at.exception}")
    return timings[0], min(timings[1:])


BENCH_USER = "bench_manager"


def bench_engine(url: str) -> sa.Engine:
    """In a benchmark's child process: the engine of `url` (also DATABASE_URL) with BENCH_USER, a manager."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("LIVEOPS_BCRYPT_ROUNDS", "4")
    from lib.core.auth import AuthError, add_user
    from lib.core.db import get_engine, write

    engine = get_engine(url)
    try:
        with write(engine) as conn:
            add_user(conn, BENCH_USER, "bench-password-123", "manager", display_name="bench")
    except AuthError as err:  # a database measured before (bench_kpis --database) has the user already
        if err.code != "user_exists":
            raise
    return engine


def page_cold_warm(page: str, query: dict[str, str], repeat: int = 1) -> tuple[float, float, object]:
    """(cold, warm, the AppTest) of pages/<page>.py as BENCH_USER: a first render (imports, a new browser
    session: a running server has done this already), then cold (caches cleared: nothing cached for this
    data version) and warm; with `repeat`, the median of that many cold and warm renders (one render on
    this 2-core machine varies by ±30 %)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from lib.core import clock

    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=300)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = BENCH_USER
    at.session_state["session_issued_at"] = clock.now().isoformat()  # the login this session rests on
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    colds, warms = [], []
    for _ in range(repeat):
        st.cache_data.clear()
        for timings in (colds, warms):
            start = time.perf_counter()
            at.run()
            timings.append(time.perf_counter() - start)
    return statistics.median(colds), statistics.median(warms), at


def load_sessions(
    url: str, sessions: int | None = None, months: int | None = None
) -> tuple[float, int, dict]:
    """The benches' own loader: migrate `url` and fill it with `lib.demo.load_demo` in a child process, not
    through `python -m lib.cli demo`, whose --sessions is capped for users (MAX_DEMO_SESSIONS): the benches
    load 1,000,000 and more. PostgreSQL: ANALYZE afterwards, as autovacuum would after a bulk load.
    Returns (seconds, peak RSS MB of the child, the loader's counts)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _LOADER, url, json.dumps({"sessions": sessions, "months": months})],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    stats, peak_kb = json.loads(out.stdout.strip().splitlines()[-1])
    if url.startswith("postgresql"):
        eng = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            for table in ROLLED_TABLES[:4]:  # the sessions and their roll-ups, filled by the same load
                conn.execute(sa.text(f"ANALYZE {table}"))
        eng.dispose()
    return seconds, peak_kb // 1024, stats


# Migrates, loads and prints [counts, peak RSS KB] as JSON.
_LOADER = (
    "import json, resource, sys\n"
    "from lib.core.db import get_engine\n"
    "from lib.core.schema import upgrade\n"
    "from lib.demo import load_demo\n"
    "engine = get_engine(sys.argv[1])\n"
    "upgrade(engine)\n"
    "kw = {k: v for k, v in json.loads(sys.argv[2]).items() if v is not None}\n"
    "stats = load_demo(engine, **kw)\n"
    "print(json.dumps([stats, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))\n"
)


def copy_sessions(url: str, sessions: int, months: int = 6) -> tuple[float, dict]:
    """PostgreSQL's bulk path for the largest loads (10,000,000 sessions): the demo's own session rows,
    written with COPY instead of INSERT, then every roll-up rebuilt once (one GROUP BY) and ANALYZE, in a
    child process. Everything else (roster, logins, incidents, cases) is the demo's. Returns (seconds, the
    loader's counts)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.common", "copy", url, str(sessions), str(months)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    eng = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        for table in ROLLED_TABLES:
            conn.execute(sa.text(f"ANALYZE {table}"))
    eng.dispose()
    return time.perf_counter() - start, stats


def copy_child(url: str, sessions: int, months: int) -> dict:
    """Runs in the child of `copy_sessions`: lib.demo.load_demo with its session chunks COPYed."""
    import lib.demo as demo
    from lib import rollups
    from lib.core.db import get_engine
    from lib.core.schema import upgrade

    engine = get_engine(url)
    upgrade(engine)
    generate = demo.session_rows
    raw = engine.raw_connection()
    loaded = 0

    def copying(*args):  # load_demo's chunk loop sees no chunk: each is COPYed here instead
        nonlocal loaded
        pg = raw.driver_connection
        for chunk in generate(*args):
            cols = sorted(set().union(*chunk))
            with pg.cursor() as cur, cur.copy(f"COPY live_sessions ({', '.join(cols)}) FROM STDIN") as cp:
                for row in chunk:
                    cp.write_row([_plain(row.get(c)) for c in cols])
            pg.commit()
            loaded += len(chunk)
        yield from ()

    demo.session_rows = copying
    stats = demo.load_demo(engine, months=months, sessions=sessions)
    raw.close()
    rollups.rebuild(engine)  # the session and incident roll-ups, once
    return {**stats, "sessions": loaded}


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value  # numpy scalars as Python ones


def load_incidents(url: str, rows: list[dict], chunk: int = 5000) -> float:
    """The benches' bulk incident loader: migrate `url`, insert `rows` (Incident columns) in chunks of one
    multi-row INSERT each, then build the incident roll-ups once (as a migration would over stored rows).
    Returns the seconds it took."""
    from lib import incidents
    from lib.core import db
    from lib.core.models import Incident
    from lib.core.schema import upgrade

    engine = db.get_engine(url)
    upgrade(engine)
    start = time.perf_counter()
    with db.write(engine) as conn:
        for i in range(0, len(rows), chunk):
            conn.execute(sa.insert(Incident), rows[i : i + chunk])
        incidents.rebuild_rollups(conn)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE incidents"))
            conn.execute(sa.text("ANALYZE incident_rollups"))
            conn.execute(sa.text("ANALYZE incident_month_rollups"))
    return time.perf_counter() - start


def load_demo(url: str, sessions: int) -> float:
    """`load_sessions` of `sessions` sessions; the seconds it took."""
    return load_sessions(url, sessions)[0]


if __name__ == "__main__" and sys.argv[1:2] == ["copy"]:
    print(json.dumps(copy_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])), default=str))


class RawSums:
    """Stands in for lib.rollups where a bench swaps the read (lib.kpis.queries, lib.scorecards.sources):
    every sum from the raw sessions, as before the roll-ups (the "before" figure of the same run)."""

    @staticmethod
    def sums_frame(engine, filters, by, roster, *args, **kwargs):
        from lib import kpis, rollups

        asked = "host" if by == "person" else by  # roster persons: the raw host sums, added up per person
        frame = rollups.frame_of(engine, kpis.sums_query(filters, asked, roster, *args, **kwargs))
        if by == "person":
            frame = frame[frame["k_person"].notna()].drop(columns=["k_host_name"])
            frame = kpis.rollup(frame.astype({"k_person": int}), ["k_person"]) if not frame.empty else frame
        return frame

    @staticmethod
    def frame_of(engine, query):
        from lib import rollups

        return rollups.frame_of(engine, query)

    @staticmethod
    def keys_in_range(engine, date_from, date_to):
        from sqlalchemy import select

        from lib import kpis

        ls = kpis.LS
        keys = (ls.c.platform, ls.c.room, ls.c.host_person_id, ls.c.host_name)
        query = select(*keys).where(ls.c.started_on >= date_from, ls.c.started_on <= date_to).group_by(*keys)
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query).all()]
