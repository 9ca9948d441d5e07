"""No path from an answer to a person: schema allow-list, and a full dump read in physical order."""

from __future__ import annotations

import random
import re
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from survey_data import answer, make_respondents, open_round

from lib import surveys

ANSWER_TABLES = {
    "survey_submissions": {"id", "round_id", "from_department_id", "comment"},
    "survey_ratings": {"submission_id", "to_department_id", "question", "score"},
}
PARTICIPATION = {"round_id", "user_id"}


def test_schema_allow_list(engine):
    insp = sa.inspect(engine)
    for table, allowed in ANSWER_TABLES.items():
        columns = {c["name"]: c for c in insp.get_columns(table)}
        assert set(columns) == allowed, table
        assert not any(isinstance(c["type"], sa.Date | sa.DateTime | sa.Time) for c in columns.values())
        referred = {fk["referred_table"] for fk in insp.get_foreign_keys(table)}
        assert referred <= {"survey_rounds", "departments", "survey_submissions"}, table
        assert not set(columns) & {"user_id", "person_id", "username", "ip", "created_at", "at"}
    buffer = {c["name"]: c for c in insp.get_columns("survey_answer_buffer")}
    assert set(buffer) == {"id", "round_id", "answer"}  # no user, no time, no sequence
    assert isinstance(buffer["id"]["type"], sa.String)
    assert {fk["referred_table"] for fk in insp.get_foreign_keys("survey_answer_buffer")} == {"survey_rounds"}
    assert {c["name"] for c in insp.get_columns("survey_participation")} == PARTICIPATION
    assert {fk["referred_table"] for fk in insp.get_foreign_keys("survey_participation")} == {
        "survey_rounds",
        "users",
    }
    # Participation shares only the round with the answers: no key that joins one answer to one user.
    assert PARTICIPATION & (ANSWER_TABLES["survey_submissions"] | ANSWER_TABLES["survey_ratings"]) == {
        "round_id"
    }
    # Answers have no integer (sequence/autoincrement) key: a random uuid, or a key built on it.
    assert insp.get_pk_constraint("survey_submissions")["constrained_columns"] == ["id"]
    sub_id = next(c for c in insp.get_columns("survey_submissions") if c["name"] == "id")
    assert isinstance(sub_id["type"], sa.String)
    assert insp.get_pk_constraint("survey_ratings")["constrained_columns"][0] == "submission_id"
    # Nothing else in the database points at an answer.
    for table in insp.get_table_names():
        if table != "survey_ratings":
            assert all(fk["referred_table"] != "survey_submissions" for fk in insp.get_foreign_keys(table)), (
                table
            )
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            for table in (
                "survey_submissions",
                "survey_ratings",
                "survey_participation",
                "survey_answer_buffer",
            ):
                ddl = conn.execute(
                    sa.text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": table}
                ).scalar()
                assert "WITHOUT ROWID" in ddl, table
                with pytest.raises(sa.exc.OperationalError):
                    conn.execute(sa.text(f"SELECT rowid FROM {table}"))


def _twelve_answers(engine, close: bool = True, tag: str | None = None):
    """12 known users answer in a known order (not their id order); each answer carries a marker that
    only this test can tie to its author. With K = 5 the answers are written out after the 5th and 10th;
    closing the round writes the last two."""
    tag = tag or uuid.uuid4().hex[:8]
    users = make_respondents(engine, {"运营部": 4, "技术部": 4, "内容部": 4})
    everyone = [u for ids in users.values() for u in ids]
    order = everyone[:]
    random.Random(42).shuffle(order)
    round_id = open_round(engine)
    for user_id in order:
        answer(engine, round_id, user_id, 4, comment=f"marker-{user_id}-{tag}")
    if close:
        surveys.close_round(engine, round_id, "t_manager")
    return round_id, order


def _markers(rows) -> list[int]:
    return [int(m.group(1)) for m in (re.search(r"marker-(\d+)-", str(r)) for r in rows) if m]


def test_dump_order_does_not_follow_participation(engine):
    round_id, order = _twelve_answers(engine)
    with engine.connect() as conn:
        subs = conn.execute(sa.text("SELECT * FROM survey_submissions")).all()
        rating_subs = conn.execute(sa.text("SELECT submission_id FROM survey_ratings")).scalars().all()
        participation = conn.execute(sa.text("SELECT user_id FROM survey_participation")).scalars().all()
    physical = _markers(subs)
    assert sorted(physical) == sorted(order)
    assert physical != order and physical != order[::-1]  # a 1 in 12! chance of a false alarm
    assert physical != list(participation)
    by_id = {r.id: int(re.search(r"marker-(\d+)", r.comment).group(1)) for r in subs}
    rating_order = list(dict.fromkeys(by_id[s] for s in rating_subs))
    assert rating_order != order and rating_order != list(participation)
    ids = [r.id for r in subs]
    assert all(uuid.UUID(i).version == 4 for i in ids)
    assert [by_id[i] for i in sorted(ids)] != order  # ids are not sequential in answering order
    if engine.dialect.name != "postgresql":  # SQLite WITHOUT ROWID and InnoDB: physical order = key order
        assert ids == sorted(ids)
        assert list(participation) == sorted(participation)


def test_full_dump_has_no_path_to_a_person(engine):
    """SQLite: the whole iterdump(); PostgreSQL: the hidden xmin/ctid columns; MariaDB: every row of
    every table, as a dump tool would read them."""
    # VACUUM FULL needs the table to itself: connections pooled by earlier tests of this worker must not be
    # what it waits for (a lock it gives up on after 5 s, leaving the rewrite to the next flush).
    engine.dispose()
    round_id, order = _twelve_answers(engine)
    if engine.dialect.name == "postgresql":
        _check_postgresql(engine, order)
        return
    if engine.dialect.name != "sqlite":
        _check_server_dump(engine, order)
        return
    raw = engine.raw_connection()
    try:
        dump = list(raw.driver_connection.iterdump())
        people = [r[0] for r in raw.execute("SELECT name FROM people")]
        users = [r[0] for r in raw.execute("SELECT username FROM users")]
    finally:
        raw.close()
    answers = [
        line
        for line in dump
        if line.startswith(('INSERT INTO "survey_submissions"', 'INSERT INTO "survey_ratings"'))
    ]
    assert len(answers) == 12 + 12 * 4 * 4
    for line in answers:
        assert not any(name in line for name in people + users)
        assert not re.search(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", line)  # no timestamp of any kind
    dumped = _markers(line for line in dump if line.startswith('INSERT INTO "survey_submissions"'))
    assert dumped != order and sorted(dumped) == sorted(order)
    assert any("WITHOUT ROWID" in line and "survey_submissions" in line for line in dump)


def _check_server_dump(engine, order) -> None:
    with engine.connect() as conn:
        people = set(conn.execute(sa.text("SELECT name FROM people")).scalars())
        users = set(conn.execute(sa.text("SELECT username FROM users")).scalars())
        for table in ANSWER_TABLES:
            for row in conn.execute(sa.text(f"SELECT * FROM {table}")):
                assert not {str(v) for v in row} & (people | users)
        dumped = _markers(conn.execute(sa.text("SELECT comment FROM survey_submissions")).scalars())
    assert dumped != order and sorted(dumped) == sorted(order)


def _other_sessions(engine) -> str:
    """What else is connected to this database (a failure message: who held the table VACUUM FULL needed)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT pid, state, backend_type, left(query, 80) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
    return "other sessions: " + "; ".join(" | ".join(map(str, r)) for r in rows)


def _check_postgresql(engine, order) -> None:
    _check_server_dump(engine, order)
    with engine.connect() as conn:
        xmins = set(conn.execute(sa.text("SELECT xmin::text FROM survey_submissions")).scalars())
        rating_xmins = set(conn.execute(sa.text("SELECT xmin::text FROM survey_ratings")).scalars())
        part_xmins = conn.execute(sa.text("SELECT xmin::text FROM survey_participation")).scalars().all()
        heap = conn.execute(sa.text("SELECT comment FROM survey_submissions ORDER BY ctid")).scalars().all()
        sizes = {
            t: conn.execute(sa.text(f"SELECT pg_relation_size('{t}')")).scalar()
            for t in ("survey_answer_buffer", "survey_submissions")
        }
    # Every answer was rewritten by the closing transaction, which no participation row shares.
    assert len(xmins) == 1 and xmins == rating_xmins and not xmins & set(part_xmins)
    assert len(set(part_xmins)) == 12
    assert _markers(heap) != order
    # VACUUM FULL rewrote the tables: no dead tuple of a buffered or earlier answer is left in them.
    assert sizes["survey_answer_buffer"] == 0 and sizes["survey_submissions"] <= 8192, _other_sessions(engine)


def _bytes_of(path: Path) -> bytes:
    """A live SQLite file's bytes, read by another process: closing a descriptor of our own on it would drop
    every POSIX lock this process holds on the file, so another process's SQLite would think itself the last
    one open and delete the -wal and -shm under our pooled connections (disk I/O errors in later tests)."""
    return subprocess.run(["cat", str(path)], capture_output=True, check=True).stdout


def test_sqlite_files_hold_each_written_answer_once(engine):
    """The issue's attack: read the database file and its -wal in byte order. After the 10th answer
    (two batches of five written out) each of those answers is in the files once, at a random place,
    and no buffer copy or WAL frame next to its participation row is left; the -wal is empty."""
    if engine.dialect.name != "sqlite":
        pytest.skip("file-level check of SQLite; server databases: see the dump tests")
    path = Path(engine.url.database)
    tag = uuid.uuid4().hex[:8]
    users = make_respondents(engine, {"运营部": 4, "技术部": 3, "内容部": 3})
    order = [u for ids in users.values() for u in ids]
    random.Random(7).shuffle(order)
    round_id = open_round(engine)
    for user_id in order:
        answer(engine, round_id, user_id, 4, comment=f"marker-{user_id}-{tag}")
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    data = _bytes_of(path) + (_bytes_of(wal) if wal.exists() else b"")
    found = [int(m.group(1)) for m in re.finditer(rb"marker-(\d+)-" + tag.encode(), data)]
    assert sorted(found) == sorted(order)  # each exactly once: no copy left behind
    assert found != order and found != order[::-1]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM survey_answer_buffer")).scalar() == 0
    assert surveys.response_count(engine, round_id) == 10
