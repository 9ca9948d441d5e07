"""The weekly report as XLSX (read back) and PDF (rendered to PNG with pdftoppm; Chinese glyphs need a CJK
font: `apt-get install fonts-noto-cjk poppler-utils`, as .ci/run does)."""

from __future__ import annotations

import datetime as dt
import subprocess

import openpyxl
import pytest

from lib import kpis, notify
from lib.demo import load_demo
from tests.e2e.conftest import ARTIFACTS


@pytest.fixture
def week(engine, clock_at):
    clock_at("2026-12-04T18:00:00")
    load_demo(engine, months=2, sessions=600, seed=7)
    return notify.weekly_report(engine, dt.date(2026, 12, 4))


def test_weekly_xlsx_has_the_hosts_figures(engine, week, tmp_path):
    path = tmp_path / "week.xlsx"
    path.write_bytes(notify.weekly_xlsx(week, "zh"))
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["按主播"].iter_rows(values_only=True))
    assert rows[0][:2] == ("主播", "成交金额")
    hosts = kpis.group_rows(engine, kpis.Filters(week.start, week.end), "host")
    assert len(rows) - 1 == len(hosts)
    by_host = {str(r[0]): r[1] for r in rows[1:]}
    for h in hosts:
        assert by_host[str(h["group"])] == pytest.approx(h["gmv"])


def test_weekly_pdf_renders_with_chinese_text_and_the_chart(engine, week, tmp_path):
    pdf = notify.weekly_pdf(engine, week, "zh")
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "week.pdf"
    path.write_bytes(pdf)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(path), str(ARTIFACTS / "notify-weekly")],
        check=True,
    )
    png = next(ARTIFACTS.glob("notify-weekly*.png"))
    assert png.stat().st_size > 20_000  # a page with text, a chart and tables (an empty page is ~1 KB)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "周报 2026-11-30 – 2026-12-04" in text and "按主播" in text
