"""The KPI ranking's CSV/XLSX downloads carry the catalogue's units: money, rates, counts, durations."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd

from lib import kpis
from lib.core import exports
from lib.core.metrics import METRICS

WEEK = kpis.Filters(dt.date(2026, 11, 2), dt.date(2026, 11, 8))


def ranking(engine, lang: str = "zh") -> pd.DataFrame:
    view = kpis.kpi_view(engine, WEEK, "day", "platform")
    return kpis.ranking_for_export(view.ranking, "platform", lang)


def test_xlsx_of_the_ranking_has_number_formats_by_unit(engine, truth):
    frame = ranking(engine)
    sheet = openpyxl.load_workbook(
        io.BytesIO(exports.to_xlsx_bytes({"排行": frame}, kpis.ranking_export_units("zh")))
    )["排行"]
    header = [c.value for c in sheet[1]]
    cells = {name: [row[header.index(name)] for row in sheet.iter_rows(min_row=2)] for name in header}
    expected = {
        "cny": "¥#,##0.00",
        "pct": "0.00%",
        "count": "#,##0",
        "people": "#,##0",
        "s": '#,##0" s"',
        "h": '#,##0.00" h"',
    }
    for key in kpis.RANK_COLUMNS:
        unit = METRICS[key].unit
        for cell in cells[METRICS[key].name("zh")]:
            assert cell.value is None or cell.number_format == expected[unit], (key, cell.number_format)
    assert [c.value for c in cells["直播场次"]] == [14, 7, 9]
    name = {k: METRICS[k].name("zh") for k in ("viewers", "buyers", "gmv", "conversion_rate")}
    assert all(
        isinstance(c.value, int) for k in ("viewers", "buyers") for c in cells[name[k]] if c.value is not None
    )
    gmv = [c.value for c in cells[name["gmv"]]]
    assert gmv == [round(v, 2) for v in frame[name["gmv"]]]
    assert round(sum(gmv), 2) == round(sum(s["gmv"] for s in truth["truth"]), 2)
    rates = [c.value for c in cells[name["conversion_rate"]]]
    assert all(0 < r < 1 for r in rates) and rates == [round(v, 6) for v in frame[name["conversion_rate"]]]
    assert all(c.value is None or c.number_format == "0.00%" for c in cells["GMV 达成率"])


def test_csv_of_the_ranking_writes_counts_as_integers(engine, truth):
    frame = ranking(engine)
    text = exports.to_csv_bytes(frame, kpis.ranking_export_units("zh")).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(back.columns) == list(frame.columns)
    assert list(back["直播场次"]) == ["14", "7", "9"]
    for key in ("viewers", "buyers", "orders"):
        assert all(v.isdigit() for v in back[METRICS[key].name("zh")]), key
    gmv = METRICS["gmv"].name("zh")
    assert all(v == f"{g:.2f}" for v, g in zip(back[gmv], frame[gmv], strict=True))
    assert ".0," not in text and "nan" not in text.lower()


def test_units_follow_the_language(engine, truth):
    units = kpis.ranking_export_units("en")
    assert units["GMV"] == "cny" and set(units) <= set(ranking(engine, "en").columns)
