"""Many files in one run (`lib.importing.many`, behind `python -m lib.cli import FILE...`): the next files
are parsed in a forked worker while this process commits, yet every file is its own all-or-nothing import,
in the given order, with the same outcome as importing them one by one; a dead worker costs nothing."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import sqlalchemy as sa
from import_helpers import SAMPLES, snapshot

from lib.core.models import SessionMinute
from lib.importing import many
from lib.importing.readers import ReadError
from tests.review.review_data import DETAIL, SESSION_FILES, session_ids, truth

TRENDS = sorted(p.name for p in DETAIL.glob("trend_*.csv"))
PARENT = os.getpid()


def _sources(tmp_path) -> list[tuple[str, bytes | OSError | ReadError]]:
    """The session list first, then its trend files, a refused trend (a minute twice), an unreadable file
    and one above the upload limit: the order a weekly run would have."""
    out: list = [(name, (SAMPLES / name).read_bytes()) for name in SESSION_FILES]
    out += [(name, (DETAIL / name).read_bytes()) for name in TRENDS]
    lines = (DETAIL / TRENDS[0]).read_bytes().decode("utf-8-sig").splitlines()
    bad = "\n".join([*lines, lines[-1]]).encode("utf-8")  # the last minute again
    out.insert(4, ("trend_twice.csv", bad))
    out.append(("gone.csv", FileNotFoundError(2, "No such file or directory", str(tmp_path / "gone.csv"))))
    out.append(("huge.csv", ReadError("too_large", size="51 MB", limit="50 MB")))
    return out


def _summary(outcome) -> tuple:
    name, report = outcome
    if isinstance(report, OSError):
        return (name, "os-error")
    d = report.as_dict("en")
    return (
        name,
        d["kind"],
        d["inserted"],
        d["updated"],
        d["unchanged"],
        d["rejected"],
        [(e["row"], e["column"], e["value"]) for e in d["errors"]],
    )


def _minute_counts(engine) -> dict[int, int]:
    m = SessionMinute.__table__
    with engine.connect() as conn:
        rows = conn.execute(sa.select(m.c.session_id, sa.func.count()).group_by(m.c.session_id))
        return dict(rows.all())


# Module-level, so the worker can unpickle them (a call goes to the worker by reference).
_REAL_PARSE = many.parse_bytes


def _parse_with_pid(*args, **kw):
    """parse_bytes, recording which process ran it (the result carries the pid back from the worker)."""
    parsed = _REAL_PARSE(*args, **kw)
    parsed.pid = os.getpid()
    return parsed


def _parse_or_die(*args, **kw):
    """parse_bytes here; in the worker, death."""
    if os.getpid() != PARENT:
        os._exit(3)
    return _REAL_PARSE(*args, **kw)


def _pid_recording(monkeypatch) -> list[int | None]:
    real_resolve = many.resolve
    seen: list[int | None] = []

    def resolve(engine, parsed):
        seen.append(getattr(parsed, "pid", None))
        return real_resolve(engine, parsed)

    monkeypatch.setattr(many, "parse_bytes", _parse_with_pid)
    monkeypatch.setattr(many, "resolve", resolve)
    return seen


def test_many_files_in_order_parsed_in_a_worker(engine, tmp_path, monkeypatch):
    seen = _pid_recording(monkeypatch)
    outcomes = list(many.import_many(engine, _sources(tmp_path), username="t", parallel=True))
    summary = [_summary(o) for o in outcomes]
    assert [s[0] for s in summary] == [name for name, _ in _sources(tmp_path)]
    assert summary[1][:3] == ("douyin_2026-11-02_2026-11-08.csv", "sessions", 14)
    name, kind, *counts, rejected, errors = summary[4]  # refused, naming the repeated minute's row
    assert (name, kind, counts, len(errors), errors[0][1]) == (
        "trend_twice.csv",
        "session_trend",
        [0, 0, 0],
        1,
        "时间",
    )
    assert rejected > 0 and errors[0][0] == len((DETAIL / TRENDS[0]).read_bytes().splitlines()) + 1
    assert summary[-2] == ("gone.csv", "os-error")
    assert summary[-1][1:6] == (None, 0, 0, 0, 1) and outcomes[-1][1].errors[0].code == "too_large"
    by_trend = {s[0]: s for s in summary if s[0] in TRENDS}
    stored = session_ids(engine)
    counts = _minute_counts(engine)
    for record in truth():
        s = record["session"]
        assert counts[stored[(s["account"], s["start"])]] == len(record["minutes"])
    assert all(s[1] == "session_trend" and s[2] > 0 and s[5] == 0 for s in by_trend.values())
    if many.parallel_possible():  # every parse ran in the worker, never here
        assert seen and all(pid not in (None, PARENT, os.getpid()) for pid in seen)

    # the same run again, one by one in this process: nothing changes, and it says so file by file
    before = snapshot(engine, skip=("import_batches", "import_changes", "audit_log", "data_version"))
    again = [_summary(o) for o in many.import_many(engine, _sources(tmp_path), username="t", parallel=False)]
    assert snapshot(engine, skip=("import_batches", "import_changes", "audit_log", "data_version")) == before
    for first, second in zip(summary, again, strict=True):
        if first[1] in ("session_trend", "sessions"):
            assert second[2:5] == (0, 0, first[2] + first[3] + first[4]) or second[6], (first, second)


def test_a_dead_worker_costs_nothing(engine, tmp_path, monkeypatch):
    """The worker exits on its first file: that file and the rest are parsed here, with the same result."""
    monkeypatch.setattr(many, "parse_bytes", _parse_or_die)
    summary = [_summary(o) for o in many.import_many(engine, _sources(tmp_path), username="t", parallel=True)]
    assert [s[0] for s in summary] == [name for name, _ in _sources(tmp_path)]
    assert summary[1][2] == 14 and summary[4][6]
    assert sum(1 for s in summary if s[0] in TRENDS and s[2] > 0) == len(TRENDS)
    assert sum(_minute_counts(engine).values()) == sum(len(r["minutes"]) for r in truth())


@pytest.mark.parametrize("parallel", [True, False])
def test_trend_before_its_session_is_refused_even_in_one_run(engine, tmp_path, parallel):
    """Resolving happens here, after the files before it were committed: a trend listed before its
    session list is refused, naming the session; listed after it, it imports."""
    sources = _sources(tmp_path)
    trend = next(s for s in sources if s[0] == TRENDS[0])
    session_list = sources[1]
    out = list(
        many.import_many(engine, [sources[0], trend, session_list, trend], username="t", parallel=parallel)
    )
    assert [o[1].errors[0].code if o[1].errors else "ok" for o in out] == [
        "ok",
        "detail_no_session",
        "ok",
        "ok",
    ]


def _parse_out_of_memory(data, name, *args, **kw):
    """parse_bytes, except that one file runs out of memory (wherever it is parsed)."""
    if name == TRENDS[1]:
        raise MemoryError
    return _REAL_PARSE(data, name, *args, **kw)


@pytest.mark.parametrize("parallel", [True, False])
def test_a_file_that_runs_out_of_memory_is_refused_and_the_run_goes_on(
    engine, tmp_path, monkeypatch, parallel
):
    """A MemoryError while parsing one file (in the worker, or here) refuses that file with a coded reason
    in the user's language; the files after it are imported as usual (it used to end the run)."""
    monkeypatch.setattr(many, "parse_bytes", _parse_out_of_memory)
    outcomes = list(many.import_many(engine, _sources(tmp_path), username="t", parallel=parallel))
    assert [name for name, _ in outcomes] == [name for name, _ in _sources(tmp_path)]
    by_name = dict(outcomes)
    refused = by_name[TRENDS[1]]
    assert refused.batch_id is None and [e.code for e in refused.errors] == ["out_of_memory"]
    assert refused.as_dict("en")["errors"][0]["reason"].startswith("Not enough memory to read this file")
    assert refused.as_dict("zh")["errors"][0]["reason"].startswith("内存不足")
    imported = [n for n in TRENDS if n != TRENDS[1]]
    assert all(by_name[n].ok and by_name[n].inserted > 0 for n in imported)
    assert len(_minute_counts(engine)) == len(imported)


def test_cli_prints_a_line_for_a_file_that_ran_out_of_memory(engine, capsys, monkeypatch):
    import json

    from lib.cli import main

    monkeypatch.setattr(many, "parse_bytes", _parse_out_of_memory)
    files = [str(SAMPLES / SESSION_FILES[1]), *(str(DETAIL / n) for n in TRENDS[:3])]
    code = main(["import", *files, "--lang", "en"])
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1 and [r["file"] for r in reports] == files
    assert [[e["code"] for e in r["errors"]] for r in reports] == [[], [], ["out_of_memory"], []]


def test_a_real_out_of_memory_run_under_an_address_space_limit(tmp_path):
    """The reported run: `prlimit --as=900000000 python -m lib.cli import` with a 199,000-row session list
    between small files. The big file is refused for memory, in the user's language; every file gets its
    line (it ended with a MemoryError traceback from many.py after two files)."""
    import json
    import resource
    import subprocess
    import sys

    from import_helpers import ROOT_DIR, douyin_lines

    lines = douyin_lines()
    row = lines[1].split(",")
    start = dt.datetime(2026, 1, 1)
    with (tmp_path / "big.csv").open("w", encoding="utf-8") as fh:
        fh.write(lines[0] + "\n")
        for i in range(199_000):
            t = start + dt.timedelta(minutes=3 * i)
            times = [f"{t:%Y/%m/%d %H:%M:%S}", f"{t + dt.timedelta(minutes=2):%Y/%m/%d %H:%M:%S}", "2"]
            fh.write(",".join([f"主播{i % 50}", f"acct{i % 37}", *times, *row[5:]]) + "\n")
    files = [
        str(SAMPLES / SESSION_FILES[1]),
        str(tmp_path / "big.csv"),
        *(str(SAMPLES / n) for n in SESSION_FILES[2:]),
    ]

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (900_000_000, 900_000_000))

    proc = subprocess.run(
        [sys.executable, "-m", "lib.cli", "import", *files, "--dry-run", "--lang", "en"],
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'oom.db'}"},
        timeout=600,
        preexec_fn=limit,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 1 and [r["file"] for r in reports] == files
    assert [e["code"] for e in reports[1]["errors"]] == ["out_of_memory"] and reports[1]["dry_run"]
    assert all(r["errors"] == [] and r["inserted"] > 0 for i, r in enumerate(reports) if i != 1)
