"""The XLSX reader (python-calamine for dense sheets, openpyxl streaming for sparse ones): cell values as
openpyxl gave them, a corrupt sheet entry reported like any unreadable file, and far-apart cells never
allocated as the rectangle between them."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from import_helpers import KUAISHOU, ROOT_DIR, sample_bytes, snapshot

from lib import importing
from lib.importing import readers

BAD_FILES = Path(__file__).resolve().parent / "bad_files"
PEAK_GROWTH_MB = 40  # measured: ~4 MB; read as the rectangle between its cells: 74-560 MB


def test_values_are_read_as_openpyxl_read_them():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["周报"])
    sheet.append(["id", "x", "start", "day", "time", "code", "flag", "gap", "big", "name"])
    day, start = dt.date(2026, 11, 2), dt.datetime(2026, 11, 2, 20, 0)
    sheet.append([3712052, 1.5, start, day, dt.time(1, 30), "0012", True, None, float(2**53), "林晓雨"])
    sheet.append([-7, 2.0, None, None, None, None, False, None, 1e20, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    head = readers.read_xlsx(buffer.getvalue()).head
    assert head[0] == ["周报"]
    assert head[2] == [
        3712052,
        1.5,
        start,
        dt.datetime(2026, 11, 2),
        dt.time(1, 30),
        "0012",
        True,
        None,
        2**53,
        "林晓雨",
    ]
    assert [type(c) for c in head[2]] == [
        int,
        float,
        dt.datetime,
        dt.datetime,
        dt.time,
        str,
        bool,
        type(None),
        int,
        str,
    ]
    assert head[3] == [-7, 2, None, None, None, None, False, None, 1e20]
    assert [type(c) for c in head[3][:2]] == [int, int]  # whole numbers as ints: "2", never "2.0"


def _corrupt_sheet(data: bytes) -> bytes:
    """The sample with one byte of its sheet's compressed data changed (the zip's CRC no longer matches)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    return data[:at] + bytes([data[at] ^ 0x55]) + data[at + 1 :]


def test_a_corrupt_sheet_entry_is_a_refused_file_not_a_traceback(engine):
    before = snapshot(engine)
    report = importing.import_bytes(engine, _corrupt_sheet(sample_bytes(KUAISHOU)), KUAISHOU, username="t")
    assert not report.ok and report.batch_id is None
    assert [e.code for e in report.errors] == ["not_xlsx"]
    assert "importing.error" not in report.errors[0].message("zh")
    assert snapshot(engine) == before


_PROBE = """
import json, os, resource, sys
import sqlalchemy as sa
from lib import importing
from lib.core.models import Base
for line in sys.stdin:  # one file a line, each imported in a child forked for it alone
    # the peak so far, as a fresh process would have it (a forked child's own peak starts lower, at its size)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pid = os.fork()
    if pid == 0:
        engine = sa.create_engine("sqlite://")
        Base.metadata.create_all(engine)
        data = open(line.rstrip("\\n"), "rb").read()
        report = importing.import_bytes(engine, data, "far.xlsx", username="t")
        growth = max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
        print(json.dumps({"mb": growth, "errors": [[e.code, e.message("en")] for e in report.errors]}), flush=True)
        os._exit(0)
    status = os.waitpid(pid, 0)[1]
    if status:
        print(json.dumps({"child_failed": status}), flush=True)
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    """One process that has imported the importer; each file is measured in a child forked from it (a fresh
    peak: the child starts at the parent's resident size), without an interpreter start per file."""
    log = tmp_path_factory.mktemp("probe") / "stderr.txt"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", _PROBE],
            cwd=ROOT_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        yield proc, log
        proc.stdin.close()
        proc.wait(timeout=60)


def _import_in_fresh_process(probe, tmp_path, data: bytes) -> dict:
    """Peak memory is per process: a fresh (forked) one measures this file alone."""
    proc, log = probe
    path = tmp_path / "far.xlsx"
    path.write_bytes(data)
    proc.stdin.write(f"{path}\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    assert line, log.read_text()[-3000:]
    result = json.loads(line)
    assert "child_failed" not in result, (result, log.read_text()[-3000:])
    return result


def _export_with_a_stray_cell(row: int, column: int) -> bytes:
    sys.path.insert(0, str(BAD_FILES))
    from make_bad_files import HEADER, ROW

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append([ROW[c] for c in HEADER.split(",")])
    sheet.cell(row=row, column=column, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_stray_cell_far_below_costs_no_rectangle_and_keeps_its_message(probe, tmp_path):
    result = _import_in_fresh_process(probe, tmp_path, _export_with_a_stray_cell(200_000, 1))
    assert result["mb"] < PEAK_GROWTH_MB, result
    assert [code for code, _ in result["errors"]] == ["required"]
    assert result["errors"][0][1].startswith("row 200000 · column “直播开始时间”")


ROW_AND_CELL = {
    "prefixed": '<x:row r="{r}"><x:c r="{c}{r}" t="inlineStr"><x:is><x:t>{v}</x:t></x:is></x:c></x:row>',
    "single-quoted": "<x:row r='{r}'><x:c r='{c}{r}' t='inlineStr'><x:is><x:t>{v}</x:t></x:is></x:c></x:row>",
    "unprefixed, single-quoted": "<row r='{r}'><c r='{c}{r}' t='inlineStr'><is><t>{v}</t></is></c></row>",
}


@pytest.mark.parametrize("shape", list(ROW_AND_CELL))
def test_unusually_written_cells_count_towards_the_extent(probe, tmp_path, shape):
    """calamine reads <x:c> like <c> and r='..' like r="..": two such cells A1 and CV200000 must not make
    it allocate the 20 million cells between them."""
    sys.path.insert(0, str(BAD_FILES))
    from make_bad_files import xlsx

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    cells = "".join(
        ROW_AND_CELL[shape].format(r=r, c=c, v=v) for r, c, v in ((1, "A", "主播昵称"), (200_000, "CV", "x"))
    )
    root = "x:worksheet" if shape != "unprefixed, single-quoted" else "worksheet"
    data = "x:sheetData" if shape != "unprefixed, single-quoted" else "sheetData"
    namespace = f'xmlns:x="{main}"' if root.startswith("x:") else f'xmlns="{main}"'
    sheet = f'<?xml version="1.0"?><{root} {namespace}><{data}>{cells}</{data}></{root}>'
    result = _import_in_fresh_process(probe, tmp_path, xlsx(sheet))
    assert result["mb"] < PEAK_GROWTH_MB, result
    assert result["errors"], result
