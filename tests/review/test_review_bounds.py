"""Issue 25 item 15: a session with a huge product list (150,000 rows made its review page take 12.6 s)
is read a bounded part at a time: Top 5 and each page of the products table are ORDER BY ... LIMIT in
SQL, the shelf times the first WINDOWS_SHOWN, the dip's products the first few; the figures are those
of the whole list (shares of the whole GMV, the same order). Timings: tests/bench/bench_review_products."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from lib import review as rv
from lib.core.db import write
from lib.core.models import LiveSession, SessionProduct
from tests.conftest import app_test
from tests.review.review_data import XY_1102, load_review_week

EXTRA = 260  # products added to XY_1102 (7 of its own): more than 5 pages of 50 and WINDOWS_SHOWN


@pytest.fixture
def big(engine, users):
    week = load_review_week(engine)
    sid = week[XY_1102]
    with write(engine) as conn:
        start = conn.execute(sa.select(LiveSession.started_at).where(LiveSession.id == sid)).scalar_one()
        conn.execute(
            sa.insert(SessionProduct),
            [
                {
                    "session_id": sid,
                    "product_id": f"X{i:05d}",
                    "name": f"加购商品 {i}",
                    "first_on_shelf": start + dt.timedelta(seconds=37 * i),
                    "exposure": 1000 + i,
                    "clicks": 100,
                    "orders": i % 7,
                    "gmv": None if i % 50 == 0 else float((i * 7919) % 5000),  # ties and missing GMV
                }
                for i in range(EXTRA)
            ],
        )
    return sid


def product_selects(engine):
    """Every SELECT on session_products run while the block is open (a list filled by an event hook)."""
    seen: list[str] = []

    def hook(conn, cursor, statement, parameters, context, executemany):
        if "session_products" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", hook)
    return seen, lambda: sa.event.remove(engine, "before_cursor_execute", hook)


def bounded(statement: str) -> bool:
    upper = statement.upper()
    aggregate = ("COUNT(" in upper or "SUM(" in upper) and "GROUP BY" not in upper
    return "LIMIT" in upper or aggregate


def test_pages_of_the_products_are_the_whole_list_in_slices(engine, big):
    whole = rv.products(engine, big)
    assert len(whole) == EXTRA + 7
    assert (
        whole["gmv"].isna().sum() == len(range(0, EXTRA, 50))
        and whole["gmv"].iloc[-1] != whole["gmv"].iloc[-1]
    )
    seen, stop = product_selects(engine)
    try:
        top = rv.top_products(engine, big)
        pages = [rv.products(engine, big, rv.PRODUCTS_PAGE, n * rv.PRODUCTS_PAGE) for n in range(6)]
        windows = rv.product_windows(engine, big)
    finally:
        stop()
    assert seen and all(bounded(s) for s in seen), [s for s in seen if not bounded(s)]
    assert len(top) == rv.TOP_N and len(pages[0]) == rv.PRODUCTS_PAGE and len(pages[-1]) == EXTRA + 7 - 250
    pd.testing.assert_frame_equal(top, whole.head(rv.TOP_N), check_dtype=False)
    pd.testing.assert_frame_equal(pd.concat(pages, ignore_index=True), whole, check_dtype=False)  # shares too
    assert len(windows) == rv.WINDOWS_SHOWN and windows["shelf_minute"].is_monotonic_increasing
    full = rv.product_windows(engine, big, limit=None)
    pd.testing.assert_frame_equal(windows, full.head(rv.WINDOWS_SHOWN))


def test_the_review_page_reads_a_bounded_part_of_a_huge_product_list(engine, big):
    seen, stop = product_selects(engine)
    try:
        at = app_test("pages/session_detail.py", "t_manager")
        at.query_params["session"] = str(big)
        at.run()
    finally:
        stop()
    assert not at.exception
    assert seen and all(bounded(s) for s in seen), [s for s in seen if not bounded(s)]
    tables = {len(d.value) for d in at.dataframe}
    assert max(tables) <= max(rv.PRODUCTS_PAGE, rv.WINDOWS_SHOWN)  # no table lists every product
    whole = rv.products(engine, big)
    page = at.number_input(key="review_products_page")
    assert page.value == 1 and page.max == -(-(EXTRA + 7) // rv.PRODUCTS_PAGE)
    at = page.set_value(3).run()
    shown = next(d.value for d in at.dataframe if len(d.value) == rv.PRODUCTS_PAGE and "排名" not in d.value)
    names = whole["name"].iloc[2 * rv.PRODUCTS_PAGE : 3 * rv.PRODUCTS_PAGE].tolist()
    assert shown.iloc[:, 1].tolist() == names or shown.iloc[:, 0].tolist() == names
