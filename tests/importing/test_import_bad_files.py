"""The bad-file corpus (tests/importing/bad_files, written by its make_bad_files.py): each file is refused
with the exact message naming row, column and value, nothing is stored, and the work stays bounded."""

from __future__ import annotations

import time
import tracemalloc

import pytest
import sqlalchemy as sa
from import_helpers import DOUYIN, ROOT_DIR, sample_bytes, snapshot

from lib import importing
from lib.importing import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB, readers

BAD = ROOT_DIR / "tests" / "importing" / "bad_files"
NOT_FINITE = "不是有限的数字（NaN、inf、Infinity 等不能导入）。"
TOO_LARGE = "数值大得不可能，请检查单位和数字。"
DATE_RANGE = "日期不在合理范围内（2016-12-01 至 2027-12-01）。"  # the clock is set to 2026-12-01

EXPECTED = {
    "gmv_inf.csv": ["第 2 行 · 列“直播间成交金额” · 值“inf”: " + NOT_FINITE],
    "gmv_infinity.csv": ["第 2 行 · 列“直播间成交金额” · 值“Infinity”: " + NOT_FINITE],
    "gmv_negative_inf.csv": ["第 2 行 · 列“直播间成交金额” · 值“-inf”: " + NOT_FINITE],
    "gmv_nan.csv": ["第 2 行 · 列“直播间成交金额” · 值“NaN”: " + NOT_FINITE],
    "viewers_1e308.csv": ["第 2 行 · 列“直播间观看人数” · 值“1e308”: " + TOO_LARGE],
    "viewers_23_digits.csv": ["第 2 行 · 列“直播间观看人数” · 值“99999999999999999999999”: " + TOO_LARGE],
    "comments_5e9.csv": ["第 2 行 · 列“评论次数” · 值“5000000000”: 超出合理范围（0 至 1,000,000,000）。"],
    "duration_9999_minutes.csv": [
        "第 2 行 · 列“直播时长(分钟)” · 值“9999”: 超出合理范围（0.0 分钟 至 1440.0 分钟）。"
    ],
    "session_three_days.csv": [
        "第 2 行 · 列“直播结束时间” · 值“2026-11-05 20:00:00”: "
        "直播时长超过 24.0 小时（开始于 2026-11-02 20:00:00），请检查结束时间。"
    ],
    "watch_longer_than_session.csv": [
        "第 2 行 · 列“人均观看时长(分钟)” · 值“300.0 分钟”: 人均观看时长超过了本场直播时长（253.0 分钟）。"
    ],
    "dates_in_2066.csv": [
        "第 2 行 · 列“直播开始时间” · 值“2066/11/02 20:00:00”: " + DATE_RANGE,
        "第 2 行 · 列“直播结束时间” · 值“2066/11/03 00:13:00”: " + DATE_RANGE,
    ],
    "csv_2000_columns.csv": ["第 1 行第 101 列有内容，超过上限 100 列。"],
    "cell_in_column_xfd.xlsx": ["第 1 行第 16384 列有内容，超过上限 100 列。"],
    "dimension_bomb.xlsx": ["行数超过上限 200,000 行，请拆分成多个文件。"],
    "dimension_bomb_100_columns.xlsx": ["行数超过上限 200,000 行，请拆分成多个文件。"],
}


def test_corpus_is_complete():
    on_disk = {p.name for p in BAD.iterdir() if p.suffix in (".csv", ".xlsx")}
    assert on_disk == set(EXPECTED) | {"zero_width_host.csv", "bidi_override_host.csv"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_refused_with_exact_message(engine, clock_at, name):
    clock_at("2026-12-01T09:00")
    assert importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t").ok
    before = snapshot(engine)
    report = importing.import_bytes(engine, (BAD / name).read_bytes(), name, username="t")
    assert report.problems == EXPECTED[name]
    assert report.batch_id is None and report.inserted == report.updated == 0
    assert snapshot(engine) == before  # nothing written, not even a batch record


def test_english_message_names_row_column_value(engine, clock_at):
    clock_at("2026-12-01T09:00")
    report = importing.import_bytes(engine, (BAD / "gmv_inf.csv").read_bytes(), "gmv_inf.csv")
    assert [e.message("en") for e in report.errors] == [
        "row 2 · column “直播间成交金额” · value “inf”: "
        "Not a finite number (NaN, inf, Infinity and the like cannot be imported)."
    ]


@pytest.mark.parametrize("name", ["dimension_bomb.xlsx", "dimension_bomb_100_columns.xlsx"])
def test_dimension_bomb_is_cheap(engine, name):
    """The 2 KB workbook declaring A1:XFD1048576 once asked for 128 GiB; now it costs real cells only."""
    data = (BAD / name).read_bytes()
    assert len(data) < 4096
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = importing.preview(engine, data, name)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [e.code for e in result.errors] == ["too_many_rows"]
    assert elapsed < 10, elapsed  # ~1 s measured (200,000 empty rows skipped), 35 s before
    assert peak < 50 * 1024 * 1024, peak  # ~ a few MB measured, 1.9 GB before


@pytest.mark.parametrize("name", ["zero_width_host.csv", "bidi_override_host.csv"])
def test_invisible_characters_in_names_upsert_onto_the_same_session(engine, clock_at, name):
    """`林\\u200b晓雨` is 林晓雨: the same session of the same account and time, never a second one."""
    clock_at("2026-12-01T09:00")
    assert importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t").ok
    before = snapshot(engine, skip=("import_batches", "import_changes", "audit_log", "data_version"))
    report = importing.import_bytes(engine, (BAD / name).read_bytes(), name, username="t")
    assert report.ok, report.problems
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 1)
    assert snapshot(engine, skip=("import_batches", "import_changes", "audit_log", "data_version")) == before


def test_file_over_the_upload_limit_is_refused_before_reading(engine, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("an oversized file must not be parsed")

    monkeypatch.setattr(readers, "read_csv", forbidden)
    data = b"a" * (MAX_UPLOAD_BYTES + 1)
    report = importing.import_bytes(engine, data, "big.csv", username="t")
    assert report.problems == [f"文件 {MAX_UPLOAD_MB}.0 MB，超过上限 {MAX_UPLOAD_MB} MB，请拆分后上传。"]


def test_roster_and_incident_names_normalised_at_the_door(engine, clock_at):
    """Roster names, departments and teams, and incident rooms, hosts and handlers lose invisible and
    bidi characters (NFKC too), so they match what is stored and link to the same people and sessions."""
    from import_helpers import INCIDENTS, ROSTER

    from lib.core.models import Incident

    clock_at("2026-12-01T09:00")
    assert importing.import_bytes(engine, sample_bytes(ROSTER), ROSTER, username="t").ok
    assert importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t").ok
    text = sample_bytes(ROSTER).decode("utf-8-sig")
    hidden = (
        text.replace("林晓雨", "林\u200b晓雨\u2067").replace("主播部", "\ufeff主播部").replace("A组", "Ａ组")
    )
    report = importing.import_bytes(engine, hidden.encode("utf-8"), ROSTER, username="t")
    assert report.ok, report.problems
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 20)
    incidents = sample_bytes(INCIDENTS).decode("utf-8-sig")
    plain = importing.import_bytes(engine, incidents.encode("utf-8"), INCIDENTS, username="t")
    assert plain.ok, plain.problems
    with engine.connect() as conn:
        linked = conn.execute(sa.select(Incident.natural_key, Incident.session_id)).all()
    hidden = incidents.replace("林晓雨", "\u202e林晓雨\u202c").replace(
        "小雨家电旗舰店", "小雨家电\u200d旗舰店"
    )
    report = importing.import_bytes(engine, hidden.encode("utf-8"), INCIDENTS, username="t")
    assert report.ok, report.problems
    assert report.inserted == 0 and report.unchanged == plain.inserted
    with engine.connect() as conn:
        assert conn.execute(sa.select(Incident.natural_key, Incident.session_id)).all() == linked
