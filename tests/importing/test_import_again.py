"""Issue 20's import items: a session list without its GMV or viewers column says how many sessions are
left without it; the same file uploaded again says so before commit and writes no empty batch (pipeline,
CLI, upload page); the upload page's undo picker starts at the latest batch."""

from __future__ import annotations

import json

import sqlalchemy as sa
from import_helpers import DOUYIN, SAMPLES, TAOBAO, csv_bytes, douyin_lines, sample_bytes, snapshot

from lib import importing
from lib.cli import main
from lib.core.models import ImportBatch
from tests.review.review_data import DETAIL, import_sessions

TREND_XY = "trend_xyjd2021_20261102_2000.csv"


def _batches(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(ImportBatch)).scalar()


def _without(lines: list[str], header: str) -> list[str]:
    index = lines[0].split(",").index(header)
    return [",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines]


def test_a_session_list_without_its_gmv_column_says_so(engine):
    lines = _without(douyin_lines(), "直播间成交金额")
    preview = importing.preview(engine, csv_bytes(lines), DOUYIN)
    assert preview.ok and [(w.code, w.row) for w in preview.warnings] == [("key_column_missing", 1)]
    assert preview.warnings[0].message("en") == (
        "row 1: Note: the file has no “GMV (CNY)” column; 14 sessions will be stored without it."
    )
    assert (
        preview.warnings[0].message("zh")
        == "第 1 行: 提示：文件没有“成交金额(元)”列，导入后 14 个场次没有该数据。"
    )
    report = importing.import_bytes(
        engine, csv_bytes(_without(lines, "直播间观看人数")), DOUYIN, username="t"
    )
    assert report.ok and report.inserted == 14
    assert report.as_dict("en")["warning_codes"] == {"key_column_missing": 2}
    # the full export has both: no note
    assert importing.preview(engine, sample_bytes(TAOBAO), TAOBAO).warnings == []


def test_the_same_file_again_says_so_and_writes_no_batch(engine):
    first = importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t")
    assert first.ok and first.batch_id is not None and first.warnings == []
    preview = importing.preview(engine, sample_bytes(DOUYIN), DOUYIN)
    assert preview.ok and [w.code for w in preview.warnings] == ["already_imported"]
    assert f"(batch #{first.batch_id})" in preview.warnings[0].message("en")
    before = snapshot(engine)
    again = importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t")
    assert (
        again.ok and again.batch_id is None and (again.inserted, again.updated, again.unchanged) == (0, 0, 14)
    )
    assert [w.code for w in again.warnings] == ["already_imported"]
    assert snapshot(engine) == before and _batches(engine) == 1
    # other bytes (a revised export) are written as ever, with no note
    lines = douyin_lines()
    lines[1] = lines[1].replace(",92,", ",93,")  # one session's new followers revised
    changed = importing.import_bytes(engine, csv_bytes(lines), DOUYIN, username="t")
    assert changed.ok and changed.updated == 1 and changed.batch_id is not None and changed.warnings == []


def test_the_same_detail_file_again_writes_no_batch(engine):
    import_sessions(engine)
    data = (DETAIL / TREND_XY).read_bytes()
    assert importing.import_bytes(engine, data, TREND_XY, username="t").batch_id is not None
    batches = _batches(engine)
    again = importing.import_bytes(engine, data, TREND_XY, username="t")
    assert again.ok and again.batch_id is None and (again.inserted, again.unchanged) == (0, 253)
    assert [w.code for w in again.warnings] == ["already_imported"] and _batches(engine) == batches


def test_the_cli_says_a_file_was_imported_before(engine, capsys):
    path = str(SAMPLES / DOUYIN)
    assert main(["import", path]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["import", path, "--lang", "en"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert first["batch_id"] is not None and again["batch_id"] is None
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 14)
    assert again["warning_codes"] == {"already_imported": 1}
    assert _batches(engine) == 1


def test_an_undone_file_imports_again(engine, users):
    first = importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t")
    importing.undo(engine, first.batch_id, users["manager"])
    again = importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t")
    assert again.ok and again.inserted == 14 and again.batch_id is not None and again.warnings == []


def _report_script(path: str) -> None:
    from pathlib import Path

    from lib import importing
    from lib.core.auth import CurrentUser
    from lib.web import upload_view
    from lib.web.ui import engine

    data = Path(path).read_bytes()
    user = CurrentUser(1, "t", "t", "manager", None)  # sees every session's figures
    upload_view.show_preview(0, importing.preview(engine(), data, Path(path).name), "en", user)
    report = importing.import_bytes(engine(), data, Path(path).name, username="t")
    upload_view.show_report(0, report, "en", user)


def test_upload_page_says_the_file_was_imported_before(engine):
    from streamlit.testing.v1 import AppTest

    first = importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t")
    at = AppTest.from_function(_report_script, kwargs={"path": str(SAMPLES / DOUYIN)}, default_timeout=30)
    at.run()
    assert not at.exception
    assert at.warning[0].value == "1 条核对提示（不影响导入）："  # the page's language (default Chinese)
    note = at.dataframe[-2].value.iloc[0, -1]  # the preview's notes (the report's come last)
    assert f"(batch #{first.batch_id})" in note
    assert at.info[0].value == "没有写入：14 行与已导入的数据相同，未新建批次。"
    assert _batches(engine) == 1


def test_undo_picker_starts_at_the_latest_batch(engine, users, run_page):
    older = importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username=users["staff"])
    at = run_page("upload", "manager", lang="en")
    assert at.selectbox(key="undo_pick").value == older.batch_id
    latest = importing.import_bytes(engine, sample_bytes(TAOBAO), TAOBAO, username=users["staff"])
    at.run()
    assert not at.exception and at.selectbox(key="undo_pick").value == latest.batch_id
    at.selectbox(key="undo_pick").select(older.batch_id).run()  # a pick of the user's own stays
    assert at.selectbox(key="undo_pick").value == older.batch_id
