"""The command line: init-db, user add (password from stdin), demo, and its error messages."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from lib.core.models import LiveSession, User

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, stdin="", env=None):
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.mark.one_database  # a real process reading its stdin pipe; the next test adds users on every database
def test_user_add_reads_password_from_stdin_in_a_real_process(engine, database_url):
    result = cli("user", "add", "first_admin", "--role", "admin", stdin="a-very-good-password\n")
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        assert conn.execute(sa.select(User.role).where(User.username == "first_admin")).scalar() == "admin"


def test_user_add_reads_password_from_stdin(engine, cli_here):
    result = cli_here("user", "add", "first_admin", "--role", "admin", stdin="a-very-good-password\n")
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        assert conn.execute(sa.select(User.role).where(User.username == "first_admin")).scalar() == "admin"
    short = cli_here("user", "add", "second", "--role", "staff", stdin="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    dup = cli_here("user", "add", "first_admin", "--role", "staff", stdin="a-very-good-password\n")
    assert dup.returncode == 2 and "already exists" in dup.stderr


def test_bad_role_is_refused_by_the_parser(engine, cli_here):
    result = cli_here("user", "add", "x_user", "--role", "root", stdin="a-very-good-password\n")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_demo_fills_every_area_deterministically(engine, cli_here):
    """In this process on every database (the real process runs the demo in init-db's test below)."""
    result = cli_here("demo", "--months", "2", "--seed", "7")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["people"] == 20 and stats["users"] == 3
    assert (
        stats["sessions"] > 100
        and stats["incidents"] > 10
        and stats["manual_metrics"] > 10
        and stats["cases"] == 8  # 3 reviews with session numbers, 5 with action items and workflow states
    )
    with engine.connect() as conn:
        gmv = conn.execute(sa.select(sa.func.sum(LiveSession.gmv))).scalar()
        platforms = set(conn.execute(sa.select(LiveSession.platform).distinct()).scalars())
    assert platforms == {"douyin", "kuaishou", "taobao"}
    again = cli_here("demo")
    assert again.returncode == 2 and "already has data" in again.stderr
    assert gmv > 0


def test_demo_is_deterministic():
    import datetime as dt

    from lib.core.db import get_engine
    from lib.core.schema import upgrade
    from lib.demo import load_demo

    totals = []
    for i in range(2):
        eng = get_engine(f"sqlite:///{ROOT}/.pytest_cache/demo-det-{os.getpid()}-{i}.db")
        upgrade(eng)
        load_demo(eng, months=1, seed=3, today=dt.date(2026, 11, 24))
        with eng.connect() as conn:
            totals.append(conn.execute(sa.select(sa.func.count(), sa.func.sum(LiveSession.gmv))).one())
        eng.dispose()
        Path(eng.url.database).unlink()
    assert totals[0] == totals[1]


def test_init_db_creates_and_fills_an_empty_database(tmp_path, cli_here, monkeypatch):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = cli("init-db", "--demo-if-empty", env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "demo data loaded" in result.stderr
    monkeypatch.setenv("DATABASE_URL", url)
    second = cli_here("init-db", "--demo-if-empty")
    assert second.returncode == 0 and "demo data loaded" not in second.stderr


def test_every_command_has_help():
    """`--help` of the tool and of each command prints (argparse formats help strings with %)."""
    from lib.cli import build_parser

    parser = build_parser()
    parser.format_help()
    for action in parser._subparsers._group_actions:
        for command in action.choices.values():
            command.format_help()


def test_date_and_number_arguments_are_bounded_without_traceback(engine, cli_here):
    """`review --start` has the 2000–2099 bound of every other command (9999-12-31 23:59 overflowed a
    minute later); the demo's --months and --seed are bounded by the parser (a negative seed was a numpy
    traceback)."""
    late = cli_here(
        "review", "--platform", "douyin", "--account", "a", "--start", "9999-12-31 23:59", "--lang", "en"
    )
    assert late.returncode == 2 and late.stdout == ""
    assert late.stderr == "error: --start “9999-12-31 23:59” is outside 2000-01-01..2099-12-31.\n"
    early = cli_here("review", "--platform", "douyin", "--account", "a", "--start", "1999-12-31 23:59")
    assert (
        early.returncode == 2 and early.stderr.count("\n") == 1 and "2000-01-01..2099-12-31" in early.stderr
    )
    edge = cli_here(
        "review", "--platform", "douyin", "--account", "a", "--start", "2099-12-31 23:59", "--lang", "en"
    )
    assert (
        edge.returncode == 2
        and "no douyin session of account a starting 2099-12-31 23:59" in edge.stderr
        and "outside" not in edge.stderr
    )
    for argv, message in (
        (("demo", "--seed", "-1"), "argument --seed: not a seed in 0..4294967295: '-1'"),
        (("demo", "--months", "0"), "argument --months: not a number in 1..36: '0'"),
        (("demo", "--months", "99999999999999999999"), "argument --months: not a number in 1..36"),
    ):
        result = cli_here(*argv)
        assert result.returncode == 2 and message in result.stderr and result.stderr.count("\n") == 1
