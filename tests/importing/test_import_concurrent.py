"""Two imports of the same session at once (two processes), on every database: each reads what is stored
only under the import lock, so the second one's undo record holds the first one's rows, and undoing both
(latest first) puts back exactly what was there before. The overlap is forced: each import pauses after
reading until the other has read too (or, when a lock keeps the other waiting, for a few seconds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from import_helpers import DOUYIN, ROOT_DIR, csv_bytes, douyin_lines, sample_bytes, snapshot

from lib import importing
from lib.core.models import LiveSession, SessionMinute
from tests.review.review_data import DETAIL, XY_1102, session_ids

TREND_XY = "trend_xyjd2021_20261102_2000.csv"
BOOK = ("import_batches", "import_changes", "audit_log", "data_version", "app_settings")

# Run in each process: `python -c SCRIPT me other marks_dir file`.
SCRIPT = r"""
import sys, time
from pathlib import Path

from lib.cli import main
import lib.importing.commit as commit

me, other, marks, path = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4]


def wait_for(name, seconds):
    end = time.monotonic() + seconds
    while not (marks / name).exists() and time.monotonic() < end:
        time.sleep(0.01)


def pause():  # between reading what is stored and writing
    (marks / f"{me}.read").touch()
    wait_for(f"{other}.read", 5)  # the other import reads now, unless a lock keeps it waiting for this one


commit.after_diff = pause
(marks / f"{me}.ready").touch()
wait_for(f"{other}.ready", 300)  # both processes start their import together
sys.exit(main(["import", path, "--user", me]))
"""


def _trend(online_at_5: int) -> bytes:
    lines = (DETAIL / TREND_XY).read_bytes().decode("utf-8-sig").splitlines()
    assert lines[9].startswith("20:05,131,")
    lines[9] = lines[9].replace("20:05,131,", f"20:05,{online_at_5},")
    return csv_bytes(lines)


def _sessions(viewers: int) -> bytes:
    lines = douyin_lines()
    assert ",3314," in lines[1]
    lines[1] = lines[1].replace(",3314,", f",{viewers},")
    return csv_bytes(lines)


def _value(engine, kind: str) -> int | None:
    sid = session_ids(engine)[XY_1102]
    with engine.connect() as conn:
        if kind == "trend":
            m = SessionMinute.__table__
            stmt = sa.select(m.c.online).where(m.c.session_id == sid, m.c.minute == 5)
        else:
            stmt = sa.select(LiveSession.viewers).where(LiveSession.id == sid)
        return conn.execute(stmt).scalar()


def _race(tmp_path, files: dict[str, bytes]) -> dict[str, dict]:
    """Both files imported by two processes at once; their JSON reports by process name."""
    marks = tmp_path / "marks"
    marks.mkdir()
    (a, a_data), (b, b_data) = files.items()
    procs = {}
    for me, other, data in ((a, b, a_data), (b, a, b_data)):
        path = tmp_path / f"{me}.csv"
        path.write_bytes(data)
        procs[me] = subprocess.Popen(
            [sys.executable, "-c", SCRIPT, me, other, str(marks), str(path)],
            cwd=ROOT_DIR,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    reports = {}
    for me, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0 and "Traceback" not in err, (me, out, err)
        reports[me] = json.loads(out.strip().splitlines()[-1])
    assert all((marks / f"{me}.read").exists() for me in files)  # both really paused between read and write
    return reports


@pytest.mark.parametrize("kind", ["trend", "sessions"])
def test_two_imports_of_one_session_at_once_undo_cleanly(engine, users, tmp_path, kind):
    manager = users["manager"]
    assert importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t").ok
    if kind == "trend":
        assert importing.import_bytes(engine, (DETAIL / TREND_XY).read_bytes(), TREND_XY, username="t").ok
        files = {"first": _trend(999), "second": _trend(777)}
        values = {"first": 999, "second": 777}
        original = 131
    else:
        files = {"first": _sessions(3400), "second": _sessions(3500)}
        values = {"first": 3400, "second": 3500}
        original = 3314
    before = snapshot(engine, skip=BOOK)
    assert _value(engine, kind) == original

    reports = _race(tmp_path, files)
    assert all(r["errors"] == [] and r["updated"] == 1 for r in reports.values()), reports
    earlier, later = sorted(reports, key=lambda me: reports[me]["batch_id"])
    assert _value(engine, kind) == values[later]

    importing.undo(engine, reports[later]["batch_id"], manager)
    assert _value(engine, kind) == values[earlier]  # the later import's before-image is the earlier's rows
    importing.undo(engine, reports[earlier]["batch_id"], manager)
    assert _value(engine, kind) == original
    assert snapshot(engine, skip=BOOK) == before
