"""The scorecards page scores each month once and builds the trend, the quarters, the promotion flags and
the card from those months' cards (lib.web.scorecards_view): on demo data with a plan, each equals what
the separate calls compute (every month scored again), on every database."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import scorecards as sc
from lib.demo import load_demo

NOW = dt.datetime(2026, 12, 7, 12, 0)
MONTH = "2026-11"  # the last full month: the demo's plan covers its last two weeks


def test_shared_months_equal_the_separate_calls(engine, clock_at) -> None:
    clock_at(NOW.isoformat())
    load_demo(engine, months=6, sessions=600, seed=5, now=NOW)
    quarter = sc.quarter_of(MONTH)
    months = {*sc.trend_months(MONTH), *sc.promotion_months(quarter)}
    cards = {m: sc.score_month(engine, m) for m in sorted(months)}
    definitions = sc.load_definitions(engine)

    trend = sc.trend_of({m: cards[m] for m in sc.trend_months(MONTH)})
    pd.testing.assert_frame_equal(trend, sc.trend(engine, MONTH))
    assert trend["total"].notna().sum() > 10  # not vacuous: people with totals over the months
    pd.testing.assert_frame_equal(
        sc.quarter_scores_of(quarter, cards, definitions), sc.quarter_scores(engine, quarter)
    )
    flags = sc.promotion_flags_of(quarter, cards, definitions, sc.promotion_bar(engine))
    pd.testing.assert_frame_equal(flags, sc.promotion_flags(engine, quarter))

    computed = [k for c in cards[MONTH] for k in c.kpis if k["metric"] == "schedule_accuracy"]
    assert any(k["source"] == "computed" and k["planned"] for k in computed)  # the plan was compared
    for card in cards[MONTH]:
        alone = sc.card_for(engine, MONTH, card.person_id)
        assert alone is not None
        assert alone["card"].public() == card.public()
        rows = sc.card_rows(engine, MONTH, card.person_id, tuple(k["metric"] for k in card.kpis))
        assert rows.keys() == alone["rows"].keys()
        for kind, frame in rows.items():
            pd.testing.assert_frame_equal(frame, alone["rows"][kind])
