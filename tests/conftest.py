"""Shared fixtures: real databases (SQLite always; PostgreSQL and MariaDB when LIVEOPS_TEST_DATABASES lists
them), the shared sample files, users, and AppTest runs as a logged-in user."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ["LIVEOPS_TESTING"] = (
    "1"  # lets lib.core.clock honour LIVEOPS_TEST_NOW (CI runs the suite at other dates)
)
os.environ.setdefault("LIVEOPS_BCRYPT_ROUNDS", "4")  # fast hashes in tests; production uses 12
# Whatever a test runs without the `engine` fixture must never touch the checkout's data/liveops.db.
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='liveops-unused-')}/liveops.db")

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from lib.core import clock, db
from lib.core.models import Base
from lib.core.schema import seed_reference, upgrade

ROOT = Path(__file__).resolve().parent.parent
# A copy of ../shared/samples (the platforms' export files and their truth), so a clone tests on its own.
SAMPLES = ROOT / "tests" / "samples"
SERVER_URLS = {
    "postgresql": os.environ.get("LIVEOPS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": os.environ.get("LIVEOPS_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
BACKENDS = [b.strip() for b in os.environ.get("LIVEOPS_TEST_DATABASES", "sqlite").split(",") if b.strip()]
# The team's clock per backend, e.g. "sqlite=2027-03-01T00:20:00,postgresql=2026-12-31T23:00:00,other=...":
# CI runs each database's share of the suite at another date ("other": tests without a database), so a
# test that depends on the wall clock fails in CI whatever the day. Empty or missing: the real clock.
TEST_CLOCKS = {
    k.strip(): v.strip()
    for k, v in (i.split("=", 1) for i in os.environ.get("LIVEOPS_TEST_CLOCKS", "").split(",") if "=" in i)
}


def _lighter_apptest() -> None:
    """Two costs of AppTest (streamlit 1.67) that say nothing about the page under test, taken out of every
    run: each run scans every installed package's metadata for v2 components (~0.2 s of CPU; the installed
    packages cannot change during a test run, so the first scan's answer is kept), and it waits for the
    script by waking every millisecond, which takes the GIL from the script thread about a thousand times a
    second (a join on the script thread waits for the same end without polling). Results are unchanged."""
    from streamlit.components.v2 import manifest_scanner
    from streamlit.testing.v1 import local_script_runner as lsr

    scan = manifest_scanner.scan_component_manifests
    found: list = []

    def scan_once(*args, **kwargs):
        if not found:
            found.append(scan(*args, **kwargs))
        return list(found[0])

    manifest_scanner.scan_component_manifests = scan_once

    def wait_for_script(runner, timeout: float = 3) -> None:
        # LocalScriptRunner.run starts the script thread before it waits; the thread ends once its requests
        # are done (SHUTDOWN sent first).
        runner._script_thread.join(timeout)
        if not runner.script_stopped():  # as the library does on a timeout: stop the runner, then raise
            runner.request_stop()
            runner.join()
            raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")

    lsr.require_widgets_deltas = wait_for_script


_lighter_apptest()


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _server_database(backend: str) -> str:
    """A database of this worker's own on the server (created fresh), so parallel workers never clash."""
    admin_url = make_url(db.normalise_url(SERVER_URLS[backend]))
    name = f"liveops_test_{_worker()}_{os.getpid()}"  # unique per process: parallel runs never clash
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if backend == "postgresql":
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        else:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
            conn.execute(
                sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            )
    admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


def _drop_server_database(backend: str, url: str) -> None:
    db.dispose_engines()
    name = make_url(url).database
    admin = sa.create_engine(make_url(db.normalise_url(SERVER_URLS[backend])), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        quoted = f'"{name}" WITH (FORCE)' if backend == "postgresql" else f"`{name}`"
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {quoted}"))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated database per backend and worker, reused by its tests (wiped between them)."""
    backend = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'liveops.db'}"
    elif backend in SERVER_URLS:
        url = _server_database(backend)
    else:
        raise pytest.UsageError(f"unknown backend {backend!r} in LIVEOPS_TEST_DATABASES")
    upgrade(db.get_engine(url))
    yield url
    if backend in SERVER_URLS:
        _drop_server_database(backend, url)


@pytest.fixture(autouse=True)
def _clock_of_backend(request, monkeypatch):
    """Set the team's clock that LIVEOPS_TEST_CLOCKS gives this test's backend (tests may set their own)."""
    callspec = getattr(request.node, "callspec", None)
    backend = callspec.params.get("database_url") if callspec else None
    moment = TEST_CLOCKS.get(backend or "other")
    if moment:
        monkeypatch.setenv("LIVEOPS_TEST_NOW", moment)


def wipe(engine: sa.Engine) -> None:
    """Empty every table (children first) and restore the reference data. One query finds the tables that
    hold rows, so a test pays for what it wrote, not for all the schema's tables (about 40 DELETEs and as
    many round trips to a server otherwise)."""
    tables = list(reversed(Base.metadata.sorted_tables))
    probe = sa.union_all(
        *(sa.select(sa.literal(t.name).label("name")).where(sa.exists().select_from(t)) for t in tables)
    )
    with engine.begin() as conn:
        filled = set(conn.execute(probe).scalars())
        for table in tables:
            if table.name in filled:
                conn.execute(table.delete())
        seed_reference(conn)


@pytest.fixture
def engine(database_url, monkeypatch) -> sa.Engine:
    """A clean migrated database with reference data; DATABASE_URL points at it (for AppTest and the CLI)."""
    eng = db.get_engine(database_url)
    wipe(eng)
    clock.forget_stored_zone()  # the admin's zone of an earlier test is gone with its data
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("LIVEOPS_COOKIE_KEY", raising=False)
    _clear_streamlit_caches()
    return eng


def _clear_streamlit_caches() -> None:
    import streamlit as st

    st.cache_data.clear()


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.exists():
        raise FileNotFoundError(f"sample files not found at {SAMPLES}")
    return SAMPLES


@pytest.fixture
def users(engine) -> dict[str, str]:
    """One user per access role: {role: username}; password TEST_PASSWORD."""
    from lib.core.auth import add_user

    names = {"admin": "t_admin", "manager": "t_manager", "staff": "t_staff"}
    with db.write(engine) as conn:
        for role, name in names.items():
            add_user(conn, name, TEST_PASSWORD, role, display_name=f"Test {role}")
    return names


TEST_PASSWORD = "correct-horse-battery"


@pytest.fixture
def cli_here(monkeypatch, capsys):
    """`python -m lib.cli ARGS` in this process (no interpreter start-up: ~3 s a call under load), stdin from
    the given text: a CompletedProcess with the exit code, stdout and stderr. Tests of the real process
    (stdin pipe, exit status) keep a subprocess."""
    import io
    import subprocess
    import sys

    from lib.cli import main

    def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse refusals
            code = exc.code
        out = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out.out, out.err)

    return _run


def app_test(path: str, username: str | None = None, timeout: float = 30):
    """An AppTest of `path` (relative to the project root), logged in as `username` when given."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    if username:
        from lib.core.clock import now
        from lib.web.ui import SESSION_ISSUED

        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state[SESSION_ISSUED] = now().isoformat()  # the login this session rests on
    return at


@pytest.fixture
def run_page(engine, users):
    """run_page(page_key_or_path, role=None, query=None) -> finished AppTest of that page script."""

    def _run(page: str, role: str | None = None, query: dict | None = None, lang: str | None = None):
        path = page if page.endswith(".py") else f"pages/{page}.py"
        at = app_test(path, users[role] if role else None)
        if lang:
            at.session_state["lang"] = lang
        for key, value in (query or {}).items():
            at.query_params[key] = value
        return at.run()

    return _run


@pytest.fixture
def clock_at(monkeypatch):
    """Set the team's clock for one test: clock_at("2026-12-01T00:30") (team time; runs on from there)."""

    def _set(value: str) -> None:
        from lib.core import clock

        monkeypatch.setenv("LIVEOPS_TEST_NOW", value)
        clock.restart_test_clock()  # this moment, not one this process already ran on from

    return _set


def pytest_collection_modifyitems(config, items):
    """Browser tests drive the UI, and tests marked `one_database` check what pages say (texts, labels), not
    what a database does: both run on the first database of LIVEOPS_TEST_DATABASES only (the other databases
    run every unit and page test), except browser tests marked `all_databases` (e.g. two processes)."""
    first = BACKENDS[0] if BACKENDS else "sqlite"
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_url") if callspec else None
        is_e2e = item.get_closest_marker("e2e") is not None or "e2e" in item.path.parts
        once = (is_e2e and item.get_closest_marker("all_databases") is None) or item.get_closest_marker(
            "one_database"
        )
        if once and backend not in (None, first):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
