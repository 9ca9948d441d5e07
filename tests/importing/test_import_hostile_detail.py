"""Hostile detail imports (issue 25, items 1-5): text longer than its column is refused at preview with
row, column and limit on every database; product ids and source names are normalised so a lookalike
repeat is a duplicate row; trend minutes past the session's end and conflicting account lines are
refused; implausible figures are notes counted in the import's JSON; stray cells right of the header are
refused on every row, the first included."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
import sqlalchemy as sa
from import_helpers import DOUYIN, csv_bytes, douyin_lines, snapshot

from lib import importing
from lib.cli import main
from lib.core.models import SessionProduct, SessionSource
from lib.importing.lengths import COLUMNS, text_limit
from lib.importing.profiles import FIELDS
from lib.importing.resolve_detail import TREND_GRACE_MINUTES
from tests.review.review_data import DETAIL, XY_1102, import_sessions, session_ids

PRODUCTS = "products_douyin_2026-11-02_2026-11-08.csv"
SOURCES = "sources_douyin_2026-11-02_2026-11-08.csv"
TREND_XY = "trend_xyjd2021_20261102_2000.csv"  # 20:00 to 00:13 the next day (253 minutes)


@pytest.fixture
def stored(engine):
    import_sessions(engine)
    return session_ids(engine)


def _lines(name: str) -> list[str]:
    return (DETAIL / name).read_bytes().decode("utf-8-sig").splitlines()


def _with_cell(line: str, index: int, value: str) -> str:
    cells = line.split(",")
    cells[index] = value
    return ",".join(cells)


def _refused(engine, name: str, data: bytes) -> list[tuple]:
    """The file refused by the dry run and by the import alike, nothing written: its errors."""
    before = snapshot(engine)
    dry = importing.import_bytes(engine, data, name, username="t", dry_run=True)
    report = importing.import_bytes(engine, data, name, username="t")
    assert not report.ok and report.batch_id is None and not dry.ok
    assert snapshot(engine) == before
    out = [(e["row"], e["column"], e["code"], e["reason"]) for e in report.as_dict("en")["errors"]]
    assert out == [(e["row"], e["column"], e["code"], e["reason"]) for e in dry.as_dict("en")["errors"]]
    return out


# --- 1. too long for its column ------------------------------------------------------------------------


def test_every_text_field_is_bounded_by_its_model_column():
    for kind, fields in FIELDS.items():
        for name, ftype in fields.items():
            if ftype in ("text", "phone"):
                assert name in COLUMNS[kind], (kind, name)
    assert text_limit("session_products", "product_id") == 64  # lib.core.models: String(64)
    assert text_limit("session_products", "product_name") == 255
    assert text_limit("session_sources", "source") == 64
    assert text_limit("sessions", "host_name") == 128
    assert text_limit("incidents", "description") is None  # Text: no limit but the upload's


def test_too_long_is_refused_at_preview_with_row_column_and_limit(engine, stored):
    products = _lines(PRODUCTS)
    products[1] = _with_cell(products[1], 2, "P" * 300)
    products[2] = _with_cell(products[2], 3, "名" * 5000)
    errors = _refused(engine, PRODUCTS, csv_bytes(products))
    assert [e[:3] for e in errors] == [(2, "商品ID", "too_long"), (3, "商品名称", "too_long")]
    assert errors[0][3].endswith("Too long: at most 64 characters, this has 300.")
    assert errors[1][3].endswith("Too long: at most 255 characters, this has 5000.")

    sources = _lines(SOURCES)
    sources[1] = _with_cell(sources[1], 2, "s" * 80)
    errors = _refused(engine, SOURCES, csv_bytes(sources))
    assert [e[:3] for e in errors] == [(2, "流量来源", "too_long")]
    assert errors[0][3].endswith("at most 64 characters, this has 80.")

    sessions = douyin_lines()
    sessions[1] = _with_cell(sessions[1], 0, "林" * 300)  # 主播昵称
    errors = _refused(engine, DOUYIN, csv_bytes(sessions))
    assert [e[:3] for e in errors] == [(2, "主播昵称", "too_long")]
    assert errors[0][3].endswith("at most 128 characters, this has 300.")


# --- 2. product ids and source names normalised --------------------------------------------------------


def test_lookalike_product_ids_and_sources_are_the_same_key(engine, stored):
    products = _lines(PRODUCTS)
    assert products[1].split(",")[2] == "3712052"
    products.append(_with_cell(products[1], 2, "3712052\u200b"))
    errors = _refused(engine, PRODUCTS, csv_bytes(products))
    assert [e[:3] for e in errors] == [(len(products), "商品ID", "duplicate_row")]

    products = _lines(PRODUCTS)
    products.append(_with_cell(products[1], 2, "３７１２０５２"))  # full width
    assert [e[:3] for e in _refused(engine, PRODUCTS, csv_bytes(products))] == [
        (len(products), "商品ID", "duplicate_row")
    ]

    sources = _lines(SOURCES)
    assert sources[1].split(",")[2] == "推荐feed"
    sources.append(_with_cell(sources[1], 2, "推荐\u200bfeed"))
    assert [e[:3] for e in _refused(engine, SOURCES, csv_bytes(sources))] == [
        (len(sources), "流量来源", "duplicate_row")
    ]

    # alone, the lookalike spelling is stored as the real id and name
    products = _lines(PRODUCTS)
    products[1] = _with_cell(products[1], 2, "３７１２０５２\u200b")
    sources = _lines(SOURCES)
    sources[1] = _with_cell(sources[1], 2, "\u200e推荐\u200bfeed")
    for name, lines in ((PRODUCTS, products), (SOURCES, sources)):
        report = importing.import_bytes(engine, csv_bytes(lines), name, username="t")
        assert report.ok, report.problems
    sid = stored[XY_1102]
    with engine.connect() as conn:
        ids = set(conn.scalars(sa.select(SessionProduct.product_id).where(SessionProduct.session_id == sid)))
        names = set(conn.scalars(sa.select(SessionSource.source).where(SessionSource.session_id == sid)))
    assert "3712052" in ids and not any("\u200b" in i or "３" in i for i in ids)
    assert "推荐feed" in names and not any("\u200b" in n or "\u200e" in n for n in names)


# --- 3. trend minutes outside their session, conflicting account lines ---------------------------------


def test_trend_rows_after_the_sessions_end_are_refused(engine, stored):
    lines = _lines(TREND_XY)
    lines.append("19:59,100,10,5,1,2,0,0,0.0")  # rolls over to 19:59 the next day: minute 1,439
    errors = _refused(engine, TREND_XY, csv_bytes(lines))
    assert [e[:3] for e in errors] == [(len(lines), "时间", "trend_minute_after_end")]
    assert errors[0][3] == (
        f"row {len(lines)} · column “时间” · value “19:59:00”: This time is more than {TREND_GRACE_MINUTES} "
        "minutes after the session (2026-11-02 20:00 – 2026-11-03 00:13) ended: not part of it."
    )

    lines = _lines(TREND_XY)
    assert lines[-1].startswith("00:12,")
    first = len(lines) + 1
    for minute in range(13, 10 * 60 + 1):  # 00:13 ... 10:00 the next morning
        lines.append(f"{minute // 60:02d}:{minute % 60:02d},100,10,5,1,2,0,0,0.0")
    errors = _refused(engine, TREND_XY, csv_bytes(lines))
    assert {e[2] for e in errors} == {"trend_minute_after_end"}
    # 00:13 ... 00:18 lie within the stated tolerance (end 00:13 + 5 minutes); 00:19 on are refused
    assert errors[0][0] == first + 6 and errors[-1][0] == len(lines)
    assert len(errors) == 10 * 60 - 19 + 1


def test_trend_rows_within_the_tolerance_are_kept(engine, stored):
    lines = _lines(TREND_XY)
    lines.append("00:18,100,10,5,1,2,0,0,0.0")  # end 00:13 + 5 minutes
    report = importing.import_bytes(engine, csv_bytes(lines), TREND_XY, username="t")
    assert report.ok and report.inserted == 254, report.problems


def test_trend_naming_two_accounts_is_refused(engine, stored):
    lines = _lines(TREND_XY)
    assert lines[0] == "直播间:小雨家电旗舰店(xyjd2021)"
    lines.insert(0, "抖音号:jjhw888")  # another account's session starts 2026-11-02 20:00 too
    errors = _refused(engine, TREND_XY, csv_bytes(lines))
    assert [e[:3] for e in errors] == [(2, None, "detail_trend_conflicting_account")]
    assert errors[0][3].endswith(
        "The lines above the header name different accounts (jjhw888、xyjd2021): cannot tell which "
        "session this is."
    )
    # the same account twice, however written, is no conflict
    lines[0] = "抖音号:ｘｙｊｄ２０２１"
    report = importing.import_bytes(engine, csv_bytes(lines), TREND_XY, username="t", dry_run=True)
    assert report.ok, report.problems


# --- 4. implausible relations: notes, counted in the import's JSON -------------------------------------


def test_implausible_figures_are_counted_notes(engine, stored, tmp_path, capsys):
    products = _lines(PRODUCTS)
    assert products[1].split(",")[8:10] == ["1568", "221"]  # exposure, clicks
    products[1] = _with_cell(products[1], 9, "2000")  # clicks above exposure
    assert products[2].split(",")[12] == "9056.12"
    products[2] = _with_cell(products[2], 13, "9999.00")  # refunds above GMV
    sources = _lines(SOURCES)
    sources[1] = _with_cell(sources[1], 4, "4951216.00")  # fifty times the session's ¥99,024.32
    (tmp_path / PRODUCTS).write_bytes(csv_bytes(products))
    (tmp_path / SOURCES).write_bytes(csv_bytes(sources))

    preview = importing.preview(engine, csv_bytes(products), PRODUCTS)
    assert preview.ok and [(w.row, w.code) for w in preview.warnings] == [
        (2, "implausible_clicks_above_exposure"),
        (3, "implausible_refund_above_gmv"),
    ]
    assert preview.warnings[0].message("en") == (
        "row 2 · column “商品点击人数”: Note: 2,000 clicks, more than the exposure of 1,568 (column “商品曝光人数”)."
    )
    preview = importing.preview(engine, csv_bytes(sources), SOURCES)
    assert preview.ok and [(w.row, w.code) for w in preview.warnings] == [
        (2, "implausible_above_session_gmv")
    ]

    for dry in (["--dry-run"], []):
        code = main(["import", str(tmp_path / PRODUCTS), str(tmp_path / SOURCES), "--lang", "en", *dry])
        out = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
        assert code == 0, out
        assert [(r["warning_count"], r["warning_codes"]) for r in out] == [
            (2, {"implausible_clicks_above_exposure": 1, "implausible_refund_above_gmv": 1}),
            (1, {"implausible_above_session_gmv": 1}),
        ]
        assert [r["batch_id"] is None for r in out] == [bool(dry)] * 2


# --- 5. stray cells right of the header, on any row ----------------------------------------------------


@pytest.mark.parametrize("index", [1, 4])
def test_stray_cells_are_refused_on_every_row(engine, stored, index):
    products = _lines(PRODUCTS)
    products[index] += ",stray"
    errors = _refused(engine, PRODUCTS, csv_bytes(products))
    assert [e[:3] for e in errors] == [(index + 1, None, "extra_fields")]


def test_stray_cells_in_a_spreadsheet_are_refused(engine, stored):
    book = openpyxl.Workbook()
    sheet = book.active
    for number, line in enumerate(_lines(PRODUCTS)):
        cells = line.split(",")
        sheet.append(cells + (["stray"] if number == 1 else []))
    buffer = io.BytesIO()
    book.save(buffer)
    errors = _refused(engine, "products.xlsx", buffer.getvalue())
    assert [e[:3] for e in errors] == [(2, None, "extra_fields")]


def test_a_session_list_notes_its_implausible_figures_too(engine):
    lines = douyin_lines()
    header = lines[0].split(",")
    refund, gmv = header.index("直播间退款金额"), header.index("直播间成交金额")
    clicks, exposure = header.index("直播间商品点击人数"), header.index("直播间商品曝光人数")
    cells = lines[1].split(",")
    cells[refund] = str(float(cells[gmv]) + 1)
    cells[clicks] = str(int(cells[exposure]) + 1)
    lines[1] = ",".join(cells)
    report = importing.import_bytes(engine, csv_bytes(lines), DOUYIN, username="t")
    assert report.ok and report.inserted == 14
    assert [(w.row, w.column, w.code) for w in report.warnings] == [
        (2, "直播间商品点击人数", "implausible_clicks_above_exposure"),
        (2, "直播间退款金额", "implausible_refund_above_gmv"),
    ]
