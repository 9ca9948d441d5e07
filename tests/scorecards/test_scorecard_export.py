"""The scorecard XLSX carries each column's unit: a KPI's actual and target in its metric's unit,
achievement as a percentage, points and total as scores, rank as an integer."""

from __future__ import annotations

import io

import openpyxl

from lib import scorecards as sc
from lib.core import exports


def test_scorecard_xlsx_has_number_formats_by_unit(imported):
    cards = sc.score_month(imported, "2026-11", "host")
    data = exports.to_xlsx_bytes(sc.export_sheets(cards, "zh"), sc.export_units(cards, "zh"))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["主播"]
    header = [c.value for c in sheet[1]]
    rows = {
        r[header.index("姓名")].value: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2)
    }
    card = next(c for c in cards if c.person == "孙佳怡")
    cells = rows["孙佳怡"]
    kpi = {k["metric"]: k for k in card.kpis}

    def cell(metric: str, part: str):
        return cells[f"{sc.kpi_name(metric, 'zh')} · {part}"]

    assert cell("gmv_achievement", "实际").number_format == "0.00%"
    assert cell("gmv_achievement", "实际").value == round(kpi["gmv_achievement"]["actual"], 6)
    assert cell("viewers", "达成率").number_format == "0.00%"
    assert cell("viewers", "达成率").value == round(kpi["viewers"]["achievement"], 6)
    assert cell("viewers", "实际").number_format == "#,##0"
    assert cell("viewers", "实际").value == round(kpi["viewers"]["actual"])  # 36,672 / 7 -> 5,239
    assert (
        cell("avg_watch_seconds", "目标").number_format == '#,##0" s"'
        and cell("avg_watch_seconds", "目标").value == 90
    )
    assert cell("viewers", "得分").number_format == "0.00"
    assert cells["总分"].number_format == "0.00" and cells["总分"].value == round(
        card.total, 2
    )  # the table shows 2 decimals
    assert cells["排名"].value == card.rank and isinstance(cells["排名"].value, int)
    assert cells["排名"].number_format == "0"
