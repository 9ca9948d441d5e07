"""Issue 20 on the KPI page: the ranking's money and counts with thousands separators, money to the cent
down its column; the tiles in 万 with the exact figure in their help."""

from __future__ import annotations

import json

from lib.core.metrics import metric
from tests.kpis.test_kpi_pages import WEEK, help_of, money


def _column_formats(at, column: str) -> dict[str, str]:
    """{header: number format} of the table that has `column`."""
    table = next(d for d in at.dataframe if column in d.value.columns)
    config = json.loads(table.proto.columns or "{}")
    return {
        str(conf.get("label") or name.removeprefix("col:")): (conf.get("type_config") or {}).get("format")
        for name, conf in config.items()
    }


def test_the_ranking_writes_thousands_separators(run_page, truth):
    at = run_page("kpis", "manager", query=WEEK)
    assert not at.exception
    formats = _column_formats(at, "查看")
    assert formats[metric("gmv").name("zh")] == "¥%,.2f"  # ¥1,207,253.00, not ¥1207253.00
    assert formats[metric("avg_order_value").name("zh")] == "¥%,.2f"
    assert formats[metric("viewers").name("zh")] == "%,d"
    assert formats[metric("orders").name("zh")] == "%,d"


def test_tiles_read_wan_with_the_exact_figure_in_their_help(run_page, truth):
    at = run_page("kpis", "manager", query=WEEK)
    total = sum(s["gmv"] for s in truth["truth"])
    gmv = next(m for m in at.metric if m.label == "成交金额")
    assert gmv.value == money(total) and gmv.value.endswith("万")
    assert f"¥{total:,.0f}" in help_of(at, "成交金额")
    en = run_page("kpis", "manager", query=WEEK, lang="en")
    assert next(m for m in en.metric if m.label == "GMV").value == f"¥{total:,.0f}"
