"""Every bad input of the issue is refused whole, with a message naming row and column, and the database
stays exactly as it was."""

from __future__ import annotations

import io
import zipfile

import pytest
from import_helpers import DOUYIN, KUAISHOU, csv_bytes, douyin_lines, sample_bytes, snapshot

from lib import importing
from lib.importing import readers


def _refused(engine, data: bytes, name: str, **kw):
    before = snapshot(engine)
    report = importing.import_bytes(engine, data, name, username="t", **kw)
    assert not report.ok and report.batch_id is None
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 0)
    assert snapshot(engine) == before
    return report


def _codes(report) -> list[str]:
    return [e.code for e in report.errors]


def _edit(row: int, old: str, new: str) -> bytes:
    lines = douyin_lines()
    assert old in lines[row - 1]
    lines[row - 1] = lines[row - 1].replace(old, new, 1)
    return csv_bytes(lines)


@pytest.fixture
def seeded(engine):
    """Some data already there, so 'unchanged' means something."""
    assert importing.import_bytes(engine, sample_bytes(KUAISHOU), KUAISHOU, username="t").ok
    return engine


def test_empty_file(seeded):
    report = _refused(seeded, b"", "week.csv")
    assert _codes(report) == ["empty_file"]
    assert report.errors[0].message("en") == "The file is empty."
    assert _codes(_refused(seeded, b"  \n\n ", "week.csv")) == ["empty_file"]


def test_header_only(seeded):
    report = _refused(seeded, csv_bytes(douyin_lines()[:1]), "douyin.csv")
    assert _codes(report) == ["no_rows"]
    assert report.errors[0].row == 1
    assert "第 1 行" in report.errors[0].message("zh")


def test_binary_garbage(seeded):
    garbage = bytes(range(256)) * 40
    assert _codes(_refused(seeded, garbage, "week.csv")) == ["binary_file"]
    assert _codes(_refused(seeded, b"\xff\xfe\xfa" * 500, "week.csv"))[0] in ("bad_encoding", "binary_file")


def test_fake_xlsx(seeded):
    report = _refused(seeded, sample_bytes(DOUYIN), "douyin.xlsx")
    assert _codes(report) == ["not_xlsx"]
    assert "XLSX" in report.errors[0].message("en")
    broken_zip = b"PK\x03\x04" + b"\x00" * 100
    assert _codes(_refused(seeded, broken_zip, "x.xlsx")) == ["not_xlsx"]
    assert _codes(_refused(seeded, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls")) == [
        "xls_not_supported"
    ]


def _no_openpyxl(monkeypatch):
    import openpyxl

    def forbidden(*a, **k):
        raise AssertionError("openpyxl must not be reached")

    monkeypatch.setattr(openpyxl, "load_workbook", forbidden)


def test_xlsx_too_many_entries_checked_before_parsing(seeded, monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for i in range(readers.MAX_XLSX_ENTRIES + 5):
            z.writestr(f"xl/worksheets/sheet{i}.xml", "<x/>")
    _no_openpyxl(monkeypatch)
    report = _refused(seeded, buf.getvalue(), "many.xlsx")
    assert _codes(report) == ["xlsx_too_many_entries"]
    assert str(readers.MAX_XLSX_ENTRIES) in report.errors[0].message("en")


def test_xlsx_unpacked_size_checked_before_parsing(seeded, monkeypatch):
    _no_openpyxl(monkeypatch)
    monkeypatch.setattr(readers, "MAX_XLSX_UNPACKED_BYTES", 4096)  # the real sample unpacks to more than this
    assert _codes(_refused(seeded, sample_bytes(KUAISHOU), KUAISHOU)) == ["xlsx_too_large"]


def test_xlsx_zip_bomb_entry(seeded, monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 100_000
    _no_openpyxl(monkeypatch)
    assert _codes(_refused(seeded, data, "bomb.xlsx")) == ["xlsx_too_large"]


def test_value_that_does_not_parse(seeded):
    report = _refused(seeded, _edit(3, "18652.8", "18652.8元x"), "douyin.csv")
    assert _codes(report) == ["bad_number"]
    err = report.errors[0]
    assert (err.row, err.column, err.value) == (3, "直播间成交金额", "18652.8元x")
    msg = err.message("zh")
    assert "第 3 行" in msg and "直播间成交金额" in msg and "18652.8元x" in msg
    assert "row 3" in err.message("en") and "Not a valid number" in err.message("en")


def test_bad_date(seeded):
    report = _refused(seeded, _edit(5, "2026/11/03 20:00:00", "2026/11/33 20:00:00"), "douyin.csv")
    assert [(e.row, e.column, e.code) for e in report.errors] == [(5, "直播开始时间", "bad_datetime")]


def test_missing_required_column(seeded):
    lines = [",".join(c for i, c in enumerate(line.split(",")) if i != 2) for line in douyin_lines()]
    report = _refused(seeded, csv_bytes(lines), "douyin.csv")
    assert _codes(report) == ["missing_column"]
    assert report.errors[0].row == 1 and report.errors[0].column == "直播开始时间"
    assert "直播开始时间" in report.errors[0].message("zh")
    assert "missing" in report.errors[0].message("en")


def test_negative_count(seeded):
    report = _refused(seeded, _edit(4, ",2309,4233,", ",-2309,4233,"), "douyin.csv")
    assert [(e.row, e.column, e.code) for e in report.errors] == [(4, "直播间观看人数", "negative")]
    assert "row 4" in report.errors[0].message("en")


def test_end_before_start(seeded):
    report = _refused(seeded, _edit(2, "2026/11/03 00:13:00", "2026/11/02 19:13:00"), "douyin.csv")
    assert [(e.row, e.column, e.code) for e in report.errors] == [(2, "直播结束时间", "end_before_start")]
    assert "直播结束时间" in report.errors[0].message("zh")


def test_duplicated_rows_in_file(seeded):
    lines = douyin_lines()
    lines.append(lines[3])
    report = _refused(seeded, csv_bytes(lines), "douyin.csv")
    assert [(e.row, e.code, e.params["first"]) for e in report.errors] == [(16, "duplicate_row", 4)]
    assert "第 16 行" in report.errors[0].message("zh") and "4" in report.errors[0].message("zh")


def test_unknown_layout_not_guessed(seeded):
    data = "名称,数量,金额\n甲,1,2\n".encode()
    report = _refused(seeded, data, "other.csv")
    assert _codes(report) == ["unknown_layout"] and report.kind is None
    preview = importing.preview(seeded, data, "other.csv")
    assert preview.unmatched == ["名称", "数量", "金额"]


def test_all_problems_listed_and_nothing_stored(seeded):
    lines = douyin_lines()
    lines[1] = lines[1].replace(",3314,", ",abc,")
    lines[2] = lines[2].replace(",2241,", ",-1,")
    report = _refused(seeded, csv_bytes(lines), "douyin.csv")
    assert [(e.row, e.code) for e in report.errors] == [(2, "bad_number"), (3, "negative")]
    assert report.rejected == 14


def test_unknown_names_in_incidents_and_manual_metrics(engine):
    data = (
        "\ufeff直播间,主播,问题类型,严重程度,责任部门,处理人,发现时间,响应时间,解决时间,超时原因\n"
        "一鸣数码,赵一鸣,外星人入侵,特别,宣传部,吴昊,2026-11-06 11:08:22,2026-11-06 11:00:00,,\n"
    ).encode()
    report = _refused(engine, data, "incidents.csv")
    assert sorted(_codes(report)) == ["bad_severity", "before_detected"]
    data = data.replace("特别".encode(), "简单".encode()).replace(b"11:00:00", b"11:09:00")
    report = _refused(engine, data, "incidents.csv")
    assert sorted(_codes(report)) == ["unknown_category", "unknown_department"]
    manual = "月份,姓名,指标,数值\n2026-10,无名氏,话术考核通过率,86%\n2026-13,无名氏,x,1\n".encode()
    report = _refused(engine, manual, "manual.csv")
    assert [(e.row, e.code) for e in report.errors] == [(3, "bad_month")]


def test_trailing_commas_are_fine_but_stray_fields_are_not(seeded):
    lines = [line + "," for line in douyin_lines()]
    report = importing.import_bytes(seeded, csv_bytes(lines), "douyin.csv", username="t")
    assert report.ok and report.inserted == 14
    lines = douyin_lines()
    lines[5] = lines[5] + ",extra"
    report = _refused(seeded, csv_bytes(lines), "douyin2.csv")
    assert _codes(report) == ["extra_fields"]
    assert report.errors[0].message("en").startswith("row 6: This row has more fields")
