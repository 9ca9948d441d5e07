"""`python -m lib.cli import FILE...`: one JSON object per file, exit 0 when all committed, 1 when any refused."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sqlalchemy as sa
from import_helpers import DOUYIN, KUAISHOU, ROOT_DIR, SAMPLES, snapshot

from lib.cli import main
from lib.core.models import ImportBatch, LiveSession


def _run(capsys, *args: str) -> tuple[int, list[dict]]:
    code = main(["import", *args])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def test_cli_commits_and_reports(engine, capsys):
    code, reports = _run(
        capsys, str(SAMPLES / DOUYIN), str(SAMPLES / KUAISHOU), "--user", "weekly-bot", "--lang", "en"
    )
    assert code == 0
    assert [
        (r["kind"], r["profile"], r["inserted"], r["updated"], r["unchanged"], r["rejected"], r["errors"])
        for r in reports
    ] == [("sessions", "douyin_compass", 14, 0, 0, 0, []), ("sessions", "kuaishou_shop", 9, 0, 0, 0, [])]
    assert reports[0]["file"].endswith(DOUYIN)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(LiveSession)).scalar() == 23
        assert set(conn.execute(sa.select(ImportBatch.username)).scalars()) == {"weekly-bot"}
    code, reports = _run(capsys, str(SAMPLES / DOUYIN))
    assert code == 0 and (reports[0]["inserted"], reports[0]["unchanged"]) == (0, 14)


def test_cli_dry_run_and_refusal(engine, capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    lines = (SAMPLES / DOUYIN).read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].replace(",3314,", ",-3314,")
    bad.write_text("\n".join(lines), encoding="utf-8")
    before = snapshot(engine)
    code, reports = _run(capsys, str(SAMPLES / DOUYIN), "--dry-run")
    assert code == 0 and reports[0]["inserted"] == 14 and reports[0]["dry_run"] is True
    code, reports = _run(capsys, str(SAMPLES / KUAISHOU), str(bad), "--dry-run", "--lang", "en")
    assert code == 1
    assert reports[0]["errors"] == [] and reports[0]["inserted"] == 9
    err = reports[1]["errors"]
    assert [(e["row"], e["column"], e["value"]) for e in err] == [(2, "直播间观看人数", "-3314")]
    assert err[0]["reason"] == "row 2 · column “直播间观看人数” · value “-3314”: Must not be negative."
    assert snapshot(engine) == before
    code, reports = _run(capsys, str(bad), str(SAMPLES / KUAISHOU))  # one refused, the other committed
    assert code == 1 and reports[1]["inserted"] == 9 and reports[0]["rejected"] == 14
    code, reports = _run(capsys, str(tmp_path / "missing.csv"))
    assert code == 1 and "error" in reports[0]


def test_cli_kind_option(engine, capsys):
    code, reports = _run(capsys, str(SAMPLES / DOUYIN), "--kind", "roster", "--dry-run")
    assert code == 1 and reports[0]["errors"][0]["code"] == "unknown_layout"


@pytest.mark.one_database  # the real process; the in-process tests above run on every database
def test_cli_as_a_process(engine):
    proc = subprocess.run(
        [sys.executable, "-m", "lib.cli", "import", str(SAMPLES / DOUYIN), "--dry-run"],
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["profile"] == "douyin_compass" and report["inserted"] == 14


def test_cli_refuses_file_above_upload_limit_without_reading_it(engine, capsys, tmp_path, monkeypatch):
    from pathlib import Path

    from lib.importing import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB

    big = tmp_path / "big.csv"
    with big.open("wb") as fh:  # sparse: 60 MB on paper, nothing on disk
        fh.truncate(60_000_000)
    assert big.stat().st_size > MAX_UPLOAD_BYTES

    def forbidden(self):
        raise AssertionError("read a file above the limit")

    monkeypatch.setattr(Path, "read_bytes", forbidden)
    before = snapshot(engine)
    code, reports = _run(capsys, str(big))
    assert code == 1
    assert [e["reason"] for e in reports[0]["errors"]] == [
        f"文件 60.0 MB，超过上限 {MAX_UPLOAD_MB} MB，请拆分后上传。"
    ]
    assert snapshot(engine) == before


def test_cli_bad_file_corpus_never_tracebacks(engine, capsys, clock_at):
    """Every file of the bad-file corpus gets a JSON report with a reason (exit 1), never a traceback."""
    clock_at("2026-12-01T09:00")
    corpus = sorted((ROOT_DIR / "tests" / "importing" / "bad_files").glob("*.*"))
    refused = [p for p in corpus if p.suffix in (".csv", ".xlsx") and "host" not in p.name]
    code, reports = _run(capsys, *map(str, refused))
    assert code == 1 and len(reports) == len(refused)
    assert all(r["errors"] and r["errors"][0]["reason"] for r in reports)


def _limit_memory() -> None:  # in the child: the old code read /dev/zero until MemoryError (2.3 GB)
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))


@pytest.mark.one_database  # files that are no regular file are refused before any query
def test_cli_refuses_devices_and_fifos_and_reports_every_file(engine, tmp_path):
    """`import douyin.csv /dev/zero FIFO kuaishou.xlsx`: a device and a FIFO (no writer) are refused
    without reading (the old size check trusted their size 0: /dev/zero read until MemoryError, a FIFO
    hung), and every file still gets its JSON object, in order."""
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    files = [str(SAMPLES / DOUYIN), "/dev/zero", str(fifo), str(SAMPLES / KUAISHOU)]
    proc = subprocess.run(
        [sys.executable, "-m", "lib.cli", "import", *files, "--dry-run", "--lang", "en"],
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=180,  # a guard against the old hang, not a measurement
        preexec_fn=_limit_memory,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 1 and [r["file"] for r in reports] == files
    assert [r["inserted"] for r in (reports[0], reports[3])] == [14, 9]
    for report in reports[1:3]:
        assert [(e["code"], e["reason"]) for e in report["errors"]] == [
            ("not_regular_file", "Not a regular file (a device, pipe or directory); not read.")
        ]


def test_cli_reads_at_most_the_upload_limit_whatever_the_size_on_disk(monkeypatch, tmp_path):
    """A regular file whose size on disk says 0 (/proc files do; a file may grow after stat): the reader
    stops one byte past the limit and refuses the file."""
    from pathlib import Path

    from lib.importing import cli as import_cli
    from lib.importing import readers

    monkeypatch.setattr(readers, "MAX_UPLOAD_BYTES", 100)
    maps = Path("/proc/self/maps")
    assert maps.stat().st_size == 0 and len(maps.read_bytes()) > 1000
    with pytest.raises(readers.ReadError) as refused:
        import_cli.read_limited(maps)
    assert refused.value.code == "file_too_large" and refused.value.params["size_mb"] == "50+"


SCHEDULE = "schedule_2026-11-02_2026-11-08"


def _planned_count(engine) -> int:
    from lib.core.models import PlannedSession

    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(PlannedSession)).scalar()


def test_cli_imports_a_schedule_file_through_the_plan_importer(engine, capsys, clock_at, tmp_path):
    """A team's 排期表 (日期, 开始时间, 直播间, 主播, ...) is known by its header, not read as a session list
    with a platform column, and goes through lib.plan's importer: all rows or none, undo by its reference."""
    from lib import plan

    clock_at("2026-11-20T09:00:00")
    # The CSV as a team writes it with a title line (and an empty one) above the header, as the XLSX has.
    titled = tmp_path / "排期表_第45周.csv"
    body = (SAMPLES / f"{SCHEDULE}.csv").read_text(encoding="utf-8-sig")
    titled.write_text("2026年11月第1周直播排期表,,,\n,,,\n" + body, encoding="utf-8-sig")
    code, reports = _run(
        capsys, str(SAMPLES / f"{SCHEDULE}.xlsx"), str(titled), str(SAMPLES / DOUYIN), "--dry-run"
    )
    assert code == 0
    assert [(r["kind"], r["inserted"], r["rejected"], r["errors"]) for r in reports] == [
        ("schedule", 29, 0, []),
        ("schedule", 29, 0, []),
        ("sessions", 14, 0, []),
    ]
    assert _planned_count(engine) == 0  # a dry run writes nothing
    code, reports = _run(capsys, str(SAMPLES / f"{SCHEDULE}.xlsx"), "--user", "planner")
    assert code == 0 and reports[0]["inserted"] == 29 and reports[0]["import_ref"]
    ref = reports[0]["import_ref"]
    assert _planned_count(engine) == 29
    # The same week again clashes with what is stored: every row refused, nothing written, exit 1.
    code, reports = _run(capsys, str(titled), "--kind", "schedule", "--lang", "en")
    assert code == 1 and reports[0]["inserted"] == 0 and reports[0]["rejected"] == 29
    first = reports[0]["errors"][0]
    assert (first["row"], first["column"], first["code"]) == (4, "开始时间", "host_clash")
    assert "孙佳怡" in first["reason"] and first["reason"].startswith("Row 4")
    assert _planned_count(engine) == 29 and reports[0]["import_ref"] is None
    assert plan.undo_import(engine, ref, "t") == 29 and _planned_count(engine) == 0


def test_cli_schedule_file_with_a_bad_row_is_refused_whole(engine, capsys, tmp_path):
    bad = tmp_path / "plan.csv"
    bad.write_text(
        "日期,开始时间,时长,平台,直播间,主播\n2026-11-02,19:00,120,抖音,a,甲\n2026-11-03,25:00,120,抖音,a,甲\n",
        encoding="utf-8",
    )
    code, reports = _run(capsys, str(bad))
    assert code == 1 and reports[0]["kind"] == "schedule" and reports[0]["inserted"] == 0
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in reports[0]["errors"]] == [
        (3, "开始时间", "25:00", "time")
    ]
    assert _planned_count(engine) == 0
