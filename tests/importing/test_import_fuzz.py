"""Fuzzing the import pipeline with hypothesis over CSV and XLSX bytes: whatever the bytes, the answer is a
report (never a traceback), a refused file leaves every table as it was, and each file costs bounded time
and memory."""

from __future__ import annotations

import csv
import io
import math
import resource
import sys
import time
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_helpers import DOUYIN, KUAISHOU, ROSTER, sample_bytes
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lib import importing
from lib.core.models import Base, LiveSession
from lib.importing.fields import MAX_BIG_COUNT
from lib.importing.profiles import FIELDS

sys.path.insert(0, str(Path(__file__).resolve().parent / "bad_files"))
from make_bad_files import HEADER, ROW, sheet, xlsx  # noqa: E402

SECONDS_PER_FILE = 5.0  # measured: 0.05-0.4 s (the dimension bomb ~0.4 s) on a busy 2-core machine
PEAK_GROWTH_KB = 300 * 1024  # the process's peak memory may not grow by more than this over all examples
FUZZ = settings(
    max_examples=60,
    deadline=None,  # time is asserted per file below, with a message
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: CI cannot turn red by luck
)
HOSTILE = [
    "inf",
    "-inf",
    "Infinity",
    "NaN",
    "nan",
    "1e308",
    "-1e308",
    "99999999999999999999999",
    "1e-320",
    "0x1F",
    "１２３",
    "1,2,3",
    "¥",
    "1.2万亿",
    "12%%",
    "--",
    "-",
    "",
    " ",
    "\u200b",
    "林\u200b晓雨",
    "\u202e林晓雨",
    '"',
    '""',
    "=1+1",
    "@SUM(A1)",
    "<script>x</script>",
    "2026/13/45 25:61:61",
    "9999-12-31 23:59:59",
    "0000-00-00",
    "1:99:99",
    "99小时",
    "-5分",
    "\x00",
    "\r",
    "\n",
    "a\nb",
    "合计",
    "抖音",
    "true",
]
cell = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(list(ROW.values())),
    st.text(max_size=12),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
COLUMNS = HEADER.split(",")


def _counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in Base.metadata.sorted_tables
        }


def _check(engine: sa.Engine, data: bytes, name: str) -> None:
    """One file through the pipeline: a report, all-or-nothing, bounded cost."""
    before = _counts(engine)
    started = time.perf_counter()
    report = importing.import_bytes(engine, data, name, username="fuzz")  # any exception fails the test
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS_PER_FILE, f"{name}: {elapsed:.1f} s"
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - BASELINE_KB[0]
    assert growth < PEAK_GROWTH_KB, f"{name}: peak memory grew by {growth / 1024:.0f} MB"
    if report.ok and report.batch_id is None:  # the very same bytes again, nothing to change: no batch
        assert (report.inserted, report.updated) == (0, 0) and report.unchanged > 0
        assert "already_imported" in {w.code for w in report.warnings}
        assert _counts(engine) == before, "an unchanged re-import wrote something"
    elif report.ok:
        assert report.batch_id is not None
        assert report.inserted + report.updated + report.unchanged > 0
        _assert_plausible(engine)
    else:
        assert report.batch_id is None
        assert _counts(engine) == before, "a refused file wrote something"
        for error in report.errors:  # every failure is a reported file/row error, in words
            text = error.message("zh")
            assert text and "importing.error." not in text, text


def _assert_plausible(engine: sa.Engine) -> None:
    """What a committed file stored is finite and inside the plausible ranges."""
    t = LiveSession.__table__
    kinds = ("count", "count_round", "money", "ratio", "duration_min", "duration_s")
    numeric = [c for c in t.c if FIELDS["sessions"].get(c.name) in kinds]
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(*[sa.func.min(c) for c in numeric], *[sa.func.max(c) for c in numeric]).where(
                sa.or_(*[c.is_not(None) for c in numeric])
            )
        ).one()
    for value in row:
        assert value is None or (math.isfinite(value) and 0 <= value <= MAX_BIG_COUNT), row


@st.composite
def session_rows(draw: st.DrawFn, columns: list[str]) -> list[list[str]]:
    """Rows of a real session export with one or two cells replaced by hostile or random values (so that
    most files stay valid enough to reach the value checks and the database)."""
    rows = []
    for n in range(draw(st.integers(min_value=1, max_value=4))):
        start, end = f"2026/11/0{2 + n} 20:00:00", f"2026/11/0{2 + n} 22:00:00"
        rows.append({**ROW, "直播开始时间": start, "直播结束时间": end, "直播时长(分钟)": "120"})
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        row = draw(st.sampled_from(rows))
        row[draw(st.sampled_from(columns))] = draw(st.one_of(st.sampled_from(HOSTILE), cell))
    return [[row.get(c, "") for c in columns] for row in rows]


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    columns = list(COLUMNS)
    if draw(st.integers(0, 4)) == 0:  # some columns missing
        columns = [c for c in COLUMNS if draw(st.booleans()) or c in ("主播昵称", "直播开始时间")]
    rows = draw(session_rows(columns))
    if draw(st.integers(0, 4)) == 0:  # rows of any width
        rows = [row[: draw(st.integers(0, len(row)))] + draw(st.lists(cell, max_size=2)) for row in rows]
    delimiter = draw(st.sampled_from([",", ",", ",", "\t", ";"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return buffer.getvalue().encode(encoding, errors="replace")


@st.composite
def mutated(draw: st.DrawFn, source: bytes) -> bytes:
    """Real export bytes, truncated and with a few bytes overwritten."""
    data = bytearray(source[: draw(st.integers(min_value=0, max_value=len(source)))])
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        if data:
            data[draw(st.integers(min_value=0, max_value=len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@st.composite
def xlsx_files(draw: st.DrawFn) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(COLUMNS)
    for row in draw(session_rows(COLUMNS)):
        # what a spreadsheet can hold: no control characters, formulas as text; numbers as numbers
        row = [ILLEGAL_CHARACTERS_RE.sub("", value) for value in row]
        ws.append([_as_cell(value) for value in row])
    if draw(st.booleans()):  # a stray cell far away
        ws.cell(
            row=draw(st.sampled_from([1, 30, 200_000, 200_031, 1_048_576])),
            column=draw(st.sampled_from([1, 100, 101, 16_384])),
            value="x",
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _as_cell(value: str) -> object:
    if value.startswith(("=", "@")):
        return "'" + value
    try:
        return int(value) if value.lstrip("-").isdigit() and len(value) < 18 else float(value)
    except ValueError:
        return value


@st.composite
def crafted_sheets(draw: st.DrawFn) -> bytes:
    """Hand-written sheet XML: any declared dimension, rows and cells at any reference."""
    last_row = draw(st.sampled_from([1, 2, 30, 200_000, 200_031, 1_048_576]))
    last_col = draw(st.sampled_from(["A", "Z", "CV", "CW", "XFD"]))
    cells = []
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.sampled_from([1, 2, 3, 31, 200_000, 200_031, 1_048_576]))
        c = draw(st.sampled_from(["A", "B", "CV", "CW", "XFD"]))
        value = draw(st.sampled_from(HOSTILE[:20])).replace("<", "").replace("&", "")
        cells.append((r, f'<row r="{r}"><c r="{c}{r}" t="inlineStr"><is><t>{value}</t></is></c></row>'))
    rows = "".join(x for _, x in sorted(cells))
    return xlsx(sheet(f"A1:{last_col}{last_row}", rows))


BASELINE_KB = [0]


@pytest.fixture
def seeded(engine):
    BASELINE_KB[0] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert importing.import_bytes(engine, sample_bytes(ROSTER), ROSTER, username="t").ok
    assert importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t").ok
    return engine


def _examples(engine: sa.Engine, full: int) -> settings:
    """All examples on SQLite; a third on the servers: the parsing they fuzz is the same on every database,
    and a third still puts refused and committed files through each server's all-or-nothing writes."""
    return settings(FUZZ, max_examples=full if engine.dialect.name == "sqlite" else full // 3)


def test_fuzz_csv_bytes(seeded):
    @_examples(seeded, 60)
    @given(data=st.one_of(csv_files(), mutated(sample_bytes(DOUYIN))))
    def fuzz(data):
        _check(seeded, data, "fuzz.csv")

    fuzz()


def test_fuzz_xlsx_bytes(seeded):
    @_examples(seeded, 40)
    @given(data=st.one_of(xlsx_files(), crafted_sheets(), mutated(sample_bytes(KUAISHOU))))
    def fuzz(data):
        _check(seeded, data, "fuzz.xlsx")

    fuzz()
