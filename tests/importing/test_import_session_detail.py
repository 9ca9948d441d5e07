"""Session-detail imports (per-minute trend, product list, traffic sources): the samples import exactly
(compared with truth_session_detail_*.json), bad files are refused row by row with the database left as
it was, a trend before its session is refused naming the session, re-imports change nothing,
reconciliation warnings, other header spellings, undo, the CLI."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from import_helpers import csv_bytes, snapshot

from lib import importing
from lib.cli import main
from lib.core.models import ImportBatch, LiveSession, SessionMinute, SessionProduct, SessionSource
from tests.review.review_data import DETAIL, XY_1102, import_sessions, session_ids, truth, truth_of

PRODUCTS = "products_douyin_2026-11-02_2026-11-08.csv"
SOURCES = "sources_douyin_2026-11-02_2026-11-08.csv"
TREND_XY = "trend_xyjd2021_20261102_2000.csv"  # runs past midnight
BOOK = ("import_batches", "import_changes", "audit_log", "data_version")


def detail_files() -> list[str]:
    return sorted(p.name for p in DETAIL.glob("*.csv"))


def _import(engine, name: str, data: bytes | None = None, **kw) -> importing.ImportReport:
    data = (DETAIL / name).read_bytes() if data is None else data
    return importing.import_bytes(engine, data, name, username="t_manager", **kw)


def _lines(name: str) -> list[str]:
    return (DETAIL / name).read_bytes().decode("utf-8-sig").splitlines()


@pytest.fixture
def stored(engine):
    import_sessions(engine)
    return session_ids(engine)


@pytest.fixture
def manager(engine, users):
    return users["manager"]


def _minute_sums(conn, session_id: int) -> dict[str, float]:
    m = SessionMinute.__table__
    cols = ("online", "entering", "leaving", "comments", "likes", "new_followers", "orders", "gmv_cents")
    row = conn.execute(
        sa.select(sa.func.count(), *(sa.func.sum(m.c[c]) for c in cols)).where(m.c.session_id == session_id)
    ).one()
    return dict(zip(("count", *cols), row, strict=True))


def test_samples_import_exactly(engine, stored):
    for name in detail_files():
        report = _import(engine, name)
        assert report.ok and report.warnings == [], (name, report.problems)
    with engine.connect() as conn:
        for record in truth():
            s = record["session"]
            sid = stored[(s["account"], s["start"])]
            sums = _minute_sums(conn, sid)
            minutes = record["minutes"]
            assert sums["count"] == len(minutes)
            for col in ("online", "entering", "leaving", "comments", "likes", "new_followers", "orders"):
                assert sums[col] == sum(m[col] for m in minutes), (s, col)
            assert sums["gmv_cents"] == round(s["gmv"] * 100)  # minute GMV adds up exactly to the session's
            p = SessionProduct.__table__
            products = {
                r.product_id: (r.gmv, r.orders, r.units, r.clicks, r.explain_seconds, r.first_on_shelf)
                for r in conn.execute(sa.select(p).where(p.c.session_id == sid))
            }
            assert set(products) == {x["product_id"] for x in record["products"]}
            for x in record["products"]:
                got = products[x["product_id"]]
                assert got[:5] == (
                    pytest.approx(x["gmv"]),
                    x["orders"],
                    x["units"],
                    x["clicks"],
                    x["explain_seconds"],
                )
                assert got[5].isoformat(timespec="minutes") == x["first_on_shelf"]
            src = SessionSource.__table__
            viewers = dict(
                conn.execute(sa.select(src.c.source, src.c.viewers).where(src.c.session_id == sid)).all()
            )
            assert viewers == {x["source"]: x["viewers"] for x in record["sources"]}


def test_trend_past_midnight_lands_on_the_next_day(engine, stored):
    assert _import(engine, TREND_XY).ok
    m = SessionMinute.__table__
    with engine.connect() as conn:
        last = conn.execute(
            sa.select(m.c.minute, m.c.online, m.c.gmv_cents)
            .where(m.c.session_id == stored[XY_1102])
            .order_by(m.c.minute.desc())
            .limit(1)
        ).one()
    assert tuple(last) == (252, 178, 0)  # 00:12 the next day is minute 252 of a 20:00 start


def test_trend_before_its_session_is_refused_naming_it(engine):
    before = snapshot(engine)
    report = _import(engine, TREND_XY)
    assert not report.ok and report.batch_id is None
    assert report.problems == [
        "系统中还没有账号 xyjd2021 在 2026-11-02 20:00 开播的场次：请先导入包含该场次的直播场次列表"
        "（如罗盘直播间列表），再导入本文件。"
    ]
    assert "import the session list" in report.as_dict("en")["errors"][0]["reason"]
    assert snapshot(engine) == before


def test_other_spellings_and_full_datetimes(engine, stored):
    lines = _lines(TREND_XY)
    header_at = next(i for i, line in enumerate(lines) if line.startswith("时间,"))
    lines[header_at] = "时间,实时在线人数,进场人数,离场人数,评论次数,点赞次数,新增粉丝数,订单数,成交金额(元)"
    day = "2026/11/02"
    for i in range(header_at + 1, len(lines)):
        if lines[i].startswith("00:"):
            day = "2026/11/03"
        lines[i] = f"{day} {lines[i]}"
    report = _import(engine, "trend_other.csv", csv_bytes(lines))
    assert report.ok and report.inserted == 253, report.problems
    with engine.connect() as conn:
        sums = _minute_sums(conn, stored[XY_1102])
    assert sums["count"] == 253 and sums["gmv_cents"] == 9902432 and sums["orders"] == 128


def _bad(engine, name: str, lines: list[str]) -> list[dict]:
    before = snapshot(engine)
    report = _import(engine, name, csv_bytes(lines))
    assert not report.ok and report.batch_id is None
    assert snapshot(engine) == before
    return [(e["row"], e["column"], e["value"], e["code"]) for e in report.as_dict("en")["errors"]]


def test_bad_trend_rows_refused_with_row_messages(engine, stored):
    lines = _lines(
        TREND_XY
    )  # file line 5 (lines[4]) is 20:00: two lines above the header, a blank, the header
    lines[5] = "20:00,50,11,0,1,3,0,0,0.0"  # line 6: the same minute twice
    lines[6] = "20:02,-5,31,14,2,4,0,0,0.0"  # line 7: negative online
    lines[7] = "25:61,97,24,0,3,6,0,0,0.0"  # line 8: not a time
    lines[8] = "20:04,112,abc,0,3,6,0,0,0.0"  # line 9: not a number
    errors = _bad(engine, "trend_bad.csv", lines)
    assert [(row, column, code) for row, column, _v, code in errors] == [
        (6, "时间", "duplicate_row"),
        (7, "在线人数", "negative"),
        (8, "时间", "bad_time"),
        (9, "进入直播间人数", "bad_number"),
    ]
    # the same minute written two ways (a clock time and a full date-time)
    lines = _lines(TREND_XY)
    lines[5] = "2026/11/02 20:00:00" + lines[5][5:]
    errors = _bad(engine, "trend_dup.csv", lines)
    assert errors == [(6, "时间", "2026-11-02 20:00:00", "detail_duplicate_minute")]


def test_bad_product_and_source_rows_refused(engine, stored):
    lines = _lines(PRODUCTS)
    lines[1] = lines[1].replace("13533.78", "一万")  # GMV not a number
    lines[2] = lines[2].replace(
        "xyjd2021,2026/11/02 20:00:00", "nobody,2026/11/02 20:00:00"
    )  # no such session
    parts = lines[3].split(",")
    parts[2] = ""  # no product id
    lines[3] = ",".join(parts)
    errors = _bad(engine, PRODUCTS, lines)
    rows = {(row, code) for row, _c, _v, code in errors}
    assert (4, "required") in rows, errors
    assert any(row == 2 and col == "成交金额" for row, col, _v, _code in errors), errors
    # the unknown session only shows once the values parse: fix them and it is the one problem left
    lines = _lines(PRODUCTS)
    lines[2] = lines[2].replace("xyjd2021,2026/11/02 20:00:00", "nobody,2026/11/02 20:00:00")
    errors = _bad(engine, PRODUCTS, lines)
    assert errors == [(3, None, "", "detail_no_session")]
    sources = _lines(SOURCES)
    sources[3] = sources[3].replace(",189,", ",-189,")
    assert [(r, c, code) for r, c, _v, code in _bad(engine, SOURCES, sources)] == [
        (4, "观看人数", "negative")
    ]


def test_reimport_changes_nothing(engine, stored):
    for name in detail_files():
        assert _import(engine, name).ok
    before = snapshot(engine, skip=BOOK)
    for name in detail_files():
        report = _import(engine, name)
        assert report.ok and (report.inserted, report.updated) == (0, 0) and report.unchanged > 0
    assert snapshot(engine, skip=BOOK) == before


def test_reconciliation_warning_does_not_refuse(engine, stored):
    lines = _lines(TREND_XY)
    lines[-1] = lines[-1].rsplit(",", 1)[0] + ",100.00"  # the last minute sold ¥100 the totals do not have
    preview = importing.preview(engine, csv_bytes(lines), "trend.csv")
    assert preview.ok
    assert [w.code for w in preview.warnings] == ["reconcile_minutes_gmv"]
    assert preview.warnings[0].message("en") == (
        "Note: the minute GMV of xyjd2021 2026-11-02 20:00 adds up to ¥99,124, the session's GMV is ¥99,024 "
        "(off by ¥100.00; platforms revise figures)."
    )
    report = _import(engine, "trend.csv", csv_bytes(lines))
    assert (
        report.ok
        and report.inserted == 253
        and [w.code for w in report.warnings] == ["reconcile_minutes_gmv"]
    )


def test_undo_restores_the_rows_before(engine, stored, manager):
    sid = stored[XY_1102]
    first = _import(engine, TREND_XY)
    lines = _lines(TREND_XY)
    lines[9] = lines[9].replace("20:05,131,", "20:05,999,")
    second = _import(engine, "trend_revised.csv", csv_bytes(lines))
    assert (second.inserted, second.updated, second.unchanged) == (0, 1, 252)
    m = SessionMinute.__table__

    def online_at_5():
        with engine.connect() as conn:
            stmt = sa.select(m.c.online, m.c.import_batch_id).where(m.c.session_id == sid, m.c.minute == 5)
            return tuple(conn.execute(stmt).one_or_none() or ())

    assert online_at_5() == (999, second.batch_id)
    with pytest.raises(importing.UndoError):  # the revision came later: undo it first
        importing.undo(engine, first.batch_id, manager)
    importing.undo(engine, second.batch_id, manager)
    assert online_at_5() == (131, first.batch_id)
    importing.undo(engine, first.batch_id, manager)
    assert online_at_5() == ()
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(m)).scalar() == 0


def test_session_undo_waits_for_its_detail_and_leaves_no_orphans(engine, manager):
    from import_helpers import DOUYIN, sample_bytes

    sessions = importing.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username="t")
    trend = _import(engine, TREND_XY)
    products = _import(engine, PRODUCTS)
    with pytest.raises(importing.UndoError) as refused:
        importing.undo(engine, sessions.batch_id, manager)
    assert refused.value.code == "undo_later_batch"
    importing.undo(engine, products.batch_id, manager)
    importing.undo(engine, trend.batch_id, manager)
    importing.undo(engine, sessions.batch_id, manager)
    with engine.connect() as conn:
        for table in (LiveSession, SessionMinute, SessionProduct, SessionSource):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0


def test_cli_imports_detail_files_in_order(engine, capsys):
    from import_helpers import DOUYIN, SAMPLES

    code = main(["import", str(DETAIL / TREND_XY), "--lang", "en"])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 1 and out[0]["errors"][0]["code"] == "detail_no_session"
    code = main(["import", str(SAMPLES / DOUYIN), str(DETAIL / TREND_XY), str(DETAIL / PRODUCTS)])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 0
    assert [(r["kind"], r["inserted"], r["warnings"]) for r in out] == [
        ("sessions", 14, []),
        ("session_trend", 253, []),
        ("session_products", 40, []),
    ]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ImportBatch)).scalar() == 3
    assert len(truth_of(XY_1102)["minutes"]) == 253


def _upload_preview_script(path: str) -> None:
    from pathlib import Path

    from lib import importing
    from lib.core.auth import CurrentUser
    from lib.web import upload_view
    from lib.web.ui import engine

    data = Path(path).read_bytes()
    manager = CurrentUser(1, "t_manager", "Test manager", "manager", None)
    upload_view.show_preview(0, importing.preview(engine(), data, Path(path).name), "en", manager)


def test_upload_page_preview_shows_the_reconciliation_note(engine, stored, tmp_path):
    from streamlit.testing.v1 import AppTest

    lines = _lines(TREND_XY)
    lines[-1] = lines[-1].rsplit(",", 1)[0] + ",100.00"
    path = tmp_path / TREND_XY
    path.write_bytes(csv_bytes(lines))
    at = AppTest.from_function(_upload_preview_script, kwargs={"path": str(path)}, default_timeout=30).run()
    assert not at.exception
    assert at.success[0].value  # no errors: the file can be imported
    assert at.warning[0].value == "1 条核对提示（不影响导入）："  # the page's language (default Chinese)
    notes = at.dataframe[-1].value  # after the preview rows
    assert len(notes) == 1 and "adds up to ¥99,124" in notes.iloc[0, -1]
