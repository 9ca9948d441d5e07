"""lib.core.exports: typed XLSX cells and CSV text by unit, formula-safe, and no user text ever becomes a link."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from lib.core import exports

UNITS = {
    "成交金额": "cny",
    "转化率": "pct",
    "直播场次": "count",
    "观看人数": "people",
    "编号": "int",
    "人均观看时长": "s",
    "直播时长": "h",
    "响应用时": "min",
    "得分": "score",
}
HOSTILE = (
    "external:c:\\windows\\system32\\calc.exe",
    "http://evil.example/x",
    "mailto:boss@example.com",
    "https://example.com",
    "ftp://example.com/f",
    '=HYPERLINK("http://evil","x")',
    "+1",
    "-2",
    "@SUM(A1)",
)


def typed_frame() -> pd.DataFrame:
    """Numbers as the KPI aggregation returns them: floats with noise, counts made float by a gap."""
    return pd.DataFrame(
        {
            "主播": ["林晓雨", "=1+1", None],
            "成交金额": [7534301.980000001, 0.1 + 0.2, np.nan],
            "转化率": [0.0370, 1 / 3, None],
            "直播场次": [62.0, np.nan, 3.0],
            "观看人数": [1234567.0, 0.0, np.nan],
            "编号": [12, 13, 14],
            "人均观看时长": [45.26, np.nan, 120.0],
            "直播时长": [2.5, 3.123456, np.nan],
            "响应用时": [4.5, 12.25, np.nan],
            "得分": [87.123456, np.nan, 60.0],
        }
    )


def read_back(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def column(sheet, name: str) -> list[openpyxl.cell.Cell]:
    header = [c.value for c in sheet[1]]
    return [row[header.index(name)] for row in sheet.iter_rows(min_row=2)]


@pytest.mark.parametrize(
    ("name", "number_format", "values"),
    [
        ("成交金额", "¥#,##0.00", [7534301.98, 0.3, None]),
        ("转化率", "0.00%", [0.037, 0.333333, None]),
        ("直播场次", "#,##0", [62, None, 3]),
        ("观看人数", "#,##0", [1234567, 0, None]),
        ("编号", "0", [12, 13, 14]),
        ("人均观看时长", '#,##0" s"', [45.3, None, 120]),
        ("直播时长", '#,##0.00" h"', [2.5, 3.1235, None]),
        ("响应用时", '#,##0.00" min"', [4.5, 12.25, None]),
        ("得分", "0.00", [87.1235, None, 60]),
    ],
)
def test_xlsx_cells_carry_the_unit_format_and_rounded_value(name, number_format, values):
    sheet = read_back(exports.to_xlsx_bytes({"排行": typed_frame()}, UNITS))["排行"]
    cells = column(sheet, name)
    assert [c.value for c in cells] == values
    assert all(c.number_format == number_format for c, v in zip(cells, values, strict=True) if v is not None)
    assert all(c.data_type == "n" for c in cells)


def test_xlsx_integers_are_ints_and_text_stays_text():
    sheet = read_back(exports.to_xlsx_bytes({"排行": typed_frame()}, UNITS))["排行"]
    assert all(isinstance(c.value, int) for c in column(sheet, "直播场次") if c.value is not None)
    assert [c.value for c in column(sheet, "主播")] == ["林晓雨", "'=1+1", None]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_csv_counts_are_integers_money_has_cents_missing_is_empty():
    text = exports.to_csv_bytes(typed_frame(), UNITS).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "主播,成交金额,转化率,直播场次,观看人数,编号,人均观看时长,直播时长,响应用时,得分"
    assert lines[1] == "林晓雨,7534301.98,0.037,62,1234567,12,45.3,2.5,4.5,87.1235"
    assert lines[2] == "'=1+1,0.30,0.333333,,0,13,,3.1235,12.25,"
    assert lines[3] == ",,,3,,14,120.0,,,60.0"
    assert "nan" not in text.lower() and "None" not in text and "62.0" not in text


def test_csv_without_units_keeps_whole_number_columns_as_integers():
    frame = pd.DataFrame(
        {"sessions": [62.0, np.nan], "ratio": [0.5, np.nan], "id": [1, 2], "text": ["a", None]}
    )
    assert exports.to_csv_bytes(frame).decode("utf-8-sig").splitlines() == [
        "sessions,ratio,id,text",
        "62,0.5,1,a",
        ",,2,",
    ]


def test_dates_and_team_times_are_written_as_dates():
    frame = pd.DataFrame(
        {
            "day": [dt.date(2026, 11, 2), None],
            "at": pd.Series(pd.to_datetime(["2026-11-02 20:15", None])).dt.tz_localize("Asia/Shanghai"),
        }
    )
    sheet = read_back(exports.to_xlsx_bytes({"s": frame}))["s"]
    assert sheet["A2"].value == dt.datetime(2026, 11, 2) and sheet["A2"].number_format == "yyyy-mm-dd"
    assert sheet["B2"].value == dt.datetime(2026, 11, 2, 20, 15)  # the team's wall time, no zone shift
    assert sheet["A3"].value is None and sheet["B3"].value is None
    assert exports.to_csv_bytes(frame).decode("utf-8-sig").splitlines()[1:] == [
        "2026-11-02,2026-11-02 20:15:00",
        ",",
    ]


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown export unit"):
        exports.to_csv_bytes(typed_frame(), {"成交金额": "usd"})


def hyperlinks_in(data: bytes) -> list[str]:
    """Every <hyperlink> element and relationship in the workbook's XML (sheets and their rels)."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            xml = z.read(name).decode("utf-8")
            if "<hyperlink" in xml or "relationships/hyperlink" in xml:
                found.append(name)
    return found


def test_user_text_never_becomes_a_link_or_a_formula():
    frame = pd.DataFrame({"标题": list(HOSTILE), "http://header.example": range(len(HOSTILE))})
    data = exports.to_xlsx_bytes({"案例": frame})
    assert hyperlinks_in(data) == []
    sheet = read_back(data)["案例"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(c.hyperlink is None and c.data_type == "s" for c in cells)
    assert [c.value for c in cells] == [exports.neutralise(v) for v in HOSTILE]
    assert cells[0].value == "external:c:\\windows\\system32\\calc.exe"  # literally, as typed
    assert sheet["B1"].value == "http://header.example" and sheet["B1"].hyperlink is None


def test_sheet_names_are_made_valid_and_unique():
    frame = pd.DataFrame({"a": [1]})
    book = read_back(exports.to_xlsx_bytes({"a/b:c?" + "x" * 40: frame, "A/B:C?" + "X" * 40: frame}))
    assert book.sheetnames == ["a_b_c_" + "x" * 25, "A_B_C_" + "X" * 23 + "_2"]


def test_case_titled_like_a_file_link_exports_literally(engine, users):
    from lib import cases as cs
    from tests.cases.case_data import MANAGER, STAFF, case_input

    titles = [HOSTILE[0], HOSTILE[1], HOSTILE[2]]
    ids = []
    for title in titles:
        case_id = cs.create_case(engine, STAFF, case_input(title, background="见 http://wiki.example/复盘"))
        cs.transition(engine, STAFF, case_id, "submit")
        cs.transition(engine, MANAGER, case_id, "publish")
        ids.append(case_id)
    data = cs.cases_xlsx([cs.get_case(engine, STAFF, i) for i in ids], "zh")
    assert hyperlinks_in(data) == []
    sheet = read_back(data)["案例"]
    assert [c.value for c in column(sheet, "标题")] == titles
    assert all(c.hyperlink is None for row in sheet.iter_rows() for c in row)
    assert [c.value for c in column(sheet, "编号")] == ids and column(sheet, "编号")[0].number_format == "0"
