"""The weekly report as files: XLSX (lib.core.exports: formula-safe, no links) and PDF (fpdf2 with a
Chinese font; the home page's daily-GMV chart rendered from its own Altair spec by vl-convert)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from sqlalchemy import Engine

from lib import kpis
from lib.core.exports import to_xlsx_bytes
from lib.core.formatting import format_metric
from lib.notify.model import NotifyError
from lib.notify.weekly import TABLE_METRICS, Weekly, weekly_frames, weekly_message

FONT_ENV = "LIVEOPS_CJK_FONT"  # a .ttf/.otf/.ttc with Simplified Chinese glyphs
FONT_CANDIDATES = (  # (path, index in a collection: Noto CJK's Simplified Chinese face)
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
PAGE_ROWS = 40  # rows of a table in the PDF; the workbook has all


def weekly_xlsx(report: Weekly, lang: str) -> bytes:
    return to_xlsx_bytes(weekly_frames(report, lang))


def _font() -> tuple[str, int]:
    chosen = os.environ.get(FONT_ENV, "").strip()
    if chosen:
        return chosen, 0
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return path, index
    raise NotifyError("no_cjk_font", env=FONT_ENV)


def _table_rows(report: Weekly, lang: str) -> dict[str, list[list[str]]]:
    """Each table of the report as text, every figure written by the one formatter."""
    out: dict[str, list[list[str]]] = {}
    frames = weekly_frames(report, lang)
    for (name, frame), rows in zip(frames.items(), (report.hosts, report.rooms, None, None), strict=True):
        if frame.empty:
            continue
        text = [[str(c) for c in frame.columns]]
        if rows is None:
            text += [
                ["—" if v is None else str(v) for v in values] for values in frame.itertuples(index=False)
            ]
        else:
            for r in rows:
                target = (r.get("targets") or {}).get("gmv")
                cells = [str(r["group"]), *(format_metric(k, r.get(k), lang) for k in TABLE_METRICS)]
                cells += [format_metric("gmv", target["value"] if target else None, lang)]
                cells += [format_metric("gmv_achievement", target["achievement"] if target else None, lang)]
                text.append(cells)
        out[name] = text[: PAGE_ROWS + 1]
    return out


def weekly_pdf(engine: Engine, report: Weekly, lang: str) -> bytes:
    """The report as a PDF: the message's lines, the daily-GMV chart, the per-host and per-room tables."""
    import vl_convert as vlc
    from fpdf import FPDF

    path, index = _font()
    pdf = FPDF()
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.add_font("cjk", "B", path, collection_font_number=index)  # table headings ask for bold
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    message = weekly_message(engine, report, lang)
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 9, message.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    for line in message.lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    daily = kpis.daily_gmv(engine, dt.datetime.combine(report.end, dt.time(23, 59)))  # the week's last day
    if not daily.empty:
        png = vlc.vegalite_to_png(kpis.daily_gmv_chart(daily, lang).to_json(), scale=2)
        pdf.image(png, w=180)
    for name, rows in _table_rows(report, lang).items():
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(0, 8, name, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=8)
        with pdf.table(text_align="LEFT") as table:
            for cells in rows:
                table.row(cells)
    return bytes(pdf.output())
