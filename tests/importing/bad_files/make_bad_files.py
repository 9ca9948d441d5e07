"""Writes the bad-file corpus of the importer tests into this folder (run it again after changing it):

    .venv/bin/python tests/importing/bad_files/make_bad_files.py

Each file is a real upload an attacker or a broken export could produce: impossible numbers (inf, NaN,
1e308, a 23-digit count), implausible values (durations, dates decades away), a 2 KB workbook declaring
A1:XFD1048576, over-wide sheets and CSV lines, and names hiding zero-width or bidi control characters.
Each is small; tests/importing/test_import_bad_files.py expects an exact message for each.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = (
    "主播昵称,主播抖音号,直播开始时间,直播结束时间,直播时长(分钟),直播间曝光人数,直播间观看人数,直播间观看次数,"
    "最高在线人数,平均在线人数,人均观看时长(分钟),评论次数,新增粉丝数,取关粉丝数,直播间商品曝光人数,"
    "直播间商品点击人数,直播间成交订单数,直播间成交金额,直播间成交人数,直播间退款金额,观看-成交率(人数)"
)
# the first session of the Douyin sample, field by field (row 2 of every file below)
ROW = {
    "主播昵称": "林晓雨",
    "主播抖音号": "xyjd2021",
    "直播开始时间": "2026/11/02 20:00:00",
    "直播结束时间": "2026/11/03 00:13:00",
    "直播时长(分钟)": "253",
    "直播间曝光人数": "14719",
    "直播间观看人数": "3314",
    "直播间观看次数": "4329",
    "最高在线人数": "335",
    "平均在线人数": "125",
    "人均观看时长(分钟)": "1.53",
    "评论次数": "1726",
    "新增粉丝数": "92",
    "取关粉丝数": "3",
    "直播间商品曝光人数": "2253",
    "直播间商品点击人数": "638",
    "直播间成交订单数": "128",
    "直播间成交金额": "99024.32",
    "直播间成交人数": "114",
    "直播间退款金额": "7686.18",
    "观看-成交率(人数)": "0.0344",
}

# file name -> the fields of row 2 that differ from ROW
CSV_FILES: dict[str, dict[str, str]] = {
    "gmv_inf.csv": {"直播间成交金额": "inf"},
    "gmv_infinity.csv": {"直播间成交金额": "Infinity"},
    "gmv_nan.csv": {"直播间成交金额": "NaN"},
    "viewers_1e308.csv": {"直播间观看人数": "1e308"},
    "viewers_23_digits.csv": {"直播间观看人数": "99999999999999999999999"},
    "comments_5e9.csv": {"评论次数": "5000000000"},
    "gmv_negative_inf.csv": {"直播间成交金额": "-inf"},
    "duration_9999_minutes.csv": {"直播时长(分钟)": "9999", "直播结束时间": "-"},
    "session_three_days.csv": {"直播结束时间": "2026/11/05 20:00:00", "直播时长(分钟)": "-"},
    "watch_longer_than_session.csv": {"人均观看时长(分钟)": "300"},
    "dates_in_2066.csv": {"直播开始时间": "2066/11/02 20:00:00", "直播结束时间": "2066/11/03 00:13:00"},
    "zero_width_host.csv": {"主播昵称": "林\u200b晓雨"},
    "bidi_override_host.csv": {"主播昵称": "\u202e林晓雨\u202c", "主播抖音号": "xyjd2021\u2066"},
}


def csv_text(changes: dict[str, str]) -> str:
    row = {**ROW, **changes}
    return HEADER + "\n" + ",".join(row[h] for h in HEADER.split(",")) + "\n"


def xlsx(sheet_xml: str) -> bytes:
    """A minimal, valid workbook around one worksheet's XML (what a hand-crafted attack looks like)."""
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def sheet(dimension: str, rows_xml: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    )


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


XLSX_FILES: dict[str, bytes] = {
    # the 2 KB workbook: declares A1:XFD1048576, one real cell in the last row
    "dimension_bomb.xlsx": xlsx(
        sheet("A1:XFD1048576", f'<row r="1048576">{inline("A1048576", "主播昵称")}</row>')
    ),
    # same declaration, 100 columns of a real header in row 1 and one cell in the last row
    "dimension_bomb_100_columns.xlsx": xlsx(
        sheet(
            "A1:XFD1048576",
            '<row r="1">'
            + "".join(
                inline(f"{_col}1", f"列{n}")
                for n, _col in enumerate(
                    [chr(65 + i // 26 - 1) + chr(65 + i % 26) if i >= 26 else chr(65 + i) for i in range(100)]
                )
            )
            + "</row>"
            + f'<row r="1048576">{inline("A1048576", "x")}</row>',
        )
    ),
    # a header row with one more cell far right, in the last column Excel has
    "cell_in_column_xfd.xlsx": xlsx(
        sheet("A1:XFD2", f'<row r="1">{inline("A1", "主播昵称")}{inline("XFD1", "x")}</row>')
    ),
}

OTHER_FILES: dict[str, str] = {
    # a title line of 2,000 commas above a real header
    "csv_2000_columns.csv": "," * 2000 + "\n" + csv_text({}),
}


def main() -> None:
    for name, changes in CSV_FILES.items():
        (HERE / name).write_text(csv_text(changes), encoding="utf-8")
    for name, text in OTHER_FILES.items():
        (HERE / name).write_text(text, encoding="utf-8")
    for name, data in XLSX_FILES.items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
