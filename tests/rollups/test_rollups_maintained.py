"""The roll-ups stay equal to a fresh GROUP BY of the raw sessions through random imports (new sessions,
re-imports with changed values), undos, and host-alias edits that relink sessions, on every database."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rollup_data import ACCOUNTS, HOSTS, csv_file, session_row

from lib import importing, rollups
from lib.core.models import LiveSession, Person, SessionRollup
from tests.conftest import wipe

ROSTER = "tests/samples/roster.csv"
PROPERTY = settings(
    max_examples=12,  # about 20-40 s per database on a busy 2-core machine
    deadline=None,
    derandomize=True,  # the same examples on every run: CI cannot turn red by luck
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
rows = st.lists(session_row(), min_size=1, max_size=6, unique_by=lambda r: tuple(r.split(",")[:3]))
operation = st.one_of(
    st.tuples(st.just("import"), rows),
    st.tuples(st.just("undo"), st.integers(0, 5)),
    st.tuples(st.just("alias"), st.sampled_from(HOSTS + ACCOUNTS)),
    st.tuples(st.just("unalias"), st.integers(0, 3)),
)


def _apply(engine: sa.Engine, op: tuple, batches: list[int], admin: str) -> None:
    kind, arg = op
    if kind == "import":
        report = importing.import_bytes(engine, csv_file(arg), "douyin_rollups.csv", admin)
        if report.batch_id:
            batches.append(report.batch_id)
    elif kind == "undo" and batches:
        try:
            importing.undo(engine, batches[arg % len(batches)], admin)
        except importing.UndoError:
            pass  # refused (already undone, a later batch changed its rows): nothing changed
    elif kind == "alias":
        with engine.connect() as conn:
            person = conn.execute(sa.select(Person.id).order_by(Person.id)).scalars().first()
        if person is not None:
            try:
                importing.add_host_account(engine, person, "douyin", arg, admin)
            except importing.ProfileError:
                pass  # the alias exists already
    elif kind == "unalias":
        frame = importing.host_accounts_frame(engine)
        if len(frame):
            importing.remove_host_account(engine, int(frame.iloc[arg % len(frame)]["id"]), admin)


@PROPERTY
@given(ops=st.lists(operation, min_size=1, max_size=5))
def test_rollups_equal_a_fresh_computation_after_any_writes(engine, users, ops) -> None:
    wipe(engine)
    admin = "t_admin"
    from lib.core.auth import add_user
    from lib.core.db import write

    with write(engine) as conn:
        add_user(conn, admin, "correct-horse-battery", "admin")
    with open(ROSTER, "rb") as fh:
        roster_batch = importing.import_bytes(engine, fh.read(), "roster.csv", admin).batch_id
    batches: list[int] = [roster_batch]  # undoing the roster unlinks its people's sessions
    for op in ops:
        _apply(engine, op, batches, admin)
        assert rollups.check(engine) == [], op
    with engine.connect() as conn:  # the property is not vacuous: the roll-ups hold what the sessions hold
        raw = conn.execute(sa.select(sa.func.count()).select_from(LiveSession)).scalar()
        rolled = conn.execute(sa.select(sa.func.sum(SessionRollup.c.sessions))).scalar() or 0
    assert rolled == raw


def test_check_reports_a_stale_rollup_and_rebuild_mends_it(engine, users, cli_here) -> None:
    rows_ = [
        "林晓雨,xyjd2021,2026/11/02 20:00:00,2026/11/02 22:00:00,120,,3000,,,,,,,,,,,1000.50,30,,",
        "陈子墨,jjhw888,2026/11/03 20:00:00,2026/11/03 21:00:00,60,,2000,,,,,,,,,,,500.25,20,,",
    ]
    assert importing.import_bytes(engine, csv_file(rows_), "douyin_x.csv", users["admin"]).batch_id
    assert rollups.check(engine) == []
    with engine.begin() as conn:  # a write that bypassed the maintained paths
        conn.execute(sa.update(LiveSession).where(LiveSession.host_name == "陈子墨").values(gmv=1.0))
    diffs = rollups.check(engine)  # the day, month and platform-day roll-ups each hold the old sum
    assert [d["table"] for d in diffs] == [
        "session_rollups",
        "session_month_rollups",
        "session_platform_day_rollups",
    ]
    assert all(d["gmv__gmv"] == [500.25, 1.0] for d in diffs)
    assert diffs[0]["key"]["host_name"] == "陈子墨" and diffs[1]["key"]["host_name"] == "陈子墨"
    out = cli_here("rollups", "rebuild", "--check")
    assert out.returncode == 1 and '"differences": 3' in out.stdout
    out = cli_here("rollups", "rebuild")
    assert out.returncode == 0
    assert cli_here("rollups", "rebuild", "--check").returncode == 0
    assert rollups.check(engine) == []


def test_demo_load_writes_the_rollups(engine) -> None:
    from lib.demo import load_demo

    stats = load_demo(engine, months=1, sessions=300, today=dt.date(2026, 11, 30))
    assert stats["sessions"] > 0 and rollups.check(engine) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.sum(SessionRollup.c.sessions))).scalar() == stats["sessions"]


@pytest.mark.parametrize("alias", ["xyjd2021"])
def test_relinking_sessions_moves_them_to_the_new_host_in_the_rollups(engine, users, alias) -> None:
    row = "路人甲,xyjd2021,2026/11/02 20:00:00,2026/11/02 22:00:00,120,,3000,,,,,,,,,,,1000.50,30,,"
    with open(ROSTER, "rb") as fh:
        importing.import_bytes(engine, fh.read(), "roster.csv", users["admin"])
    importing.import_bytes(engine, csv_file([row]), "douyin_y.csv", users["admin"])
    with engine.connect() as conn:
        person = conn.execute(sa.select(Person.id).where(Person.name == "林晓雨")).scalar()
    importing.add_host_account(engine, person, "douyin", "路人甲", users["admin"])
    assert rollups.check(engine) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(SessionRollup.c.host_person_id)).scalar() == person


def test_undoing_the_roster_unlinks_its_hosts_in_the_rollups(engine, users) -> None:
    row = "林晓雨,xyjd2021,2026/11/02 20:00:00,2026/11/02 22:00:00,120,,3000,,,,,,,,,,,1000.50,30,,"
    with open(ROSTER, "rb") as fh:
        roster_batch = importing.import_bytes(engine, fh.read(), "roster.csv", users["admin"]).batch_id
    importing.import_bytes(engine, csv_file([row]), "douyin_z.csv", users["admin"])
    with engine.connect() as conn:
        assert conn.execute(sa.select(SessionRollup.c.host_person_id)).scalar() is not None
    importing.undo(engine, roster_batch, users["admin"])
    assert rollups.check(engine) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(SessionRollup.c.host_person_id)).scalar() is None
