"""Scoring tables (cap, at-most, between, no-data rescaling, grade bands at their edges, ranks) and
definitions: validation, versioning by month (an edit never changes a month already scored)."""

from __future__ import annotations

import datetime as dt

import pytest

from lib import scorecards as sc
from lib.core.db import write
from lib.core.models import ManualMetric, Person, Position

CAP = 1.2


@pytest.mark.parametrize(
    ("target", "actual", "achievement", "points"),
    [
        (("at_least", 100.0, None), 100.0, 1.0, 35.0),  # met exactly
        (("at_least", 100.0, None), 50.0, 0.5, 17.5),
        (("at_least", 100.0, None), 120.0, 1.2, 42.0),  # at the cap
        (("at_least", 100.0, None), 300.0, 3.0, 42.0),  # above the cap: capped at 120 %
        (("at_most", 30.0, None), 30.0, 1.0, 35.0),  # response time: lower is better
        (("at_most", 30.0, None), 60.0, 0.5, 17.5),
        (("at_most", 30.0, None), 20.0, 1.5, 42.0),  # faster than target, capped
        (("at_most", 30.0, None), 0.0, 1.0, 35.0),  # an instant answer meets it
        (("between", 2.0, 4.0), 3.0, 1.0, 35.0),  # inside the band
        (("between", 2.0, 4.0), 2.0, 1.0, 35.0),  # on its edges
        (("between", 2.0, 4.0), 4.0, 1.0, 35.0),
        (("between", 2.0, 4.0), 1.0, 0.5, 17.5),  # under: actual / low
        (("between", 2.0, 4.0), 8.0, 0.5, 17.5),  # over: high / actual
        (("at_least", 100.0, None), None, None, None),  # no data: no points, never 0
        (None, 80.0, None, None),  # no target: left out too
    ],
)
def test_score_kpi(target, actual, achievement, points):
    s = sc.score_kpi(35, target, actual, CAP)
    assert s.achievement == pytest.approx(achievement) if achievement is not None else s.achievement is None
    assert s.points == pytest.approx(points) if points is not None else s.points is None


@pytest.mark.parametrize(
    ("pairs", "total", "rescaled"),
    [
        ([(35, 35.0), (65, 65.0)], 100.0, False),
        ([(35, 42.0), (65, 32.5)], 74.5, False),
        ([(35, 35.0), (65, None)], 100.0, True),  # 35 of 35 weight with data: 100, not 35
        ([(40, 20.0), (30, None), (30, 30.0)], 50 / 70 * 100, True),
        ([(50, None), (50, None)], None, False),  # nothing to score: no total, not 0
        ([(50, 0.0), (50, None)], 0.0, True),  # a real zero stays zero
    ],
)
def test_total_rescales_over_weights_with_data(pairs, total, rescaled):
    got, was_rescaled = sc.total_of(pairs)
    assert (got == pytest.approx(total) if total is not None else got is None) and was_rescaled == rescaled


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (120, "S"),
        (110, "S"),
        (109.999, "A"),
        (100, "A"),
        (99.99, "B"),
        (85, "B"),
        (84.99, "C"),
        (70, "C"),
        (69.99, "D"),
        (0, "D"),
        (None, None),
    ],
)
def test_grade_bands_at_their_edges(total, grade):
    assert sc.grade_of(total) == grade


def test_grade_bands_from_definition():
    bands = (("S", 120.0), ("A", 105.0), ("B", 90.0), ("C", 60.0))
    assert [sc.grade_of(x, bands) for x in (120, 119, 105, 95, 60, 59)] == ["S", "A", "A", "B", "C", "D"]


def test_ranks_share_ties_and_skip_no_data():
    assert sc.ranks([90.0, None, 100.0, 90.0, 80.0]) == [2, None, 1, 2, 4]


def test_defaults_sum_to_100_and_validate():
    for pos in sc.POSITIONS:
        d = sc.Definition(pos, "2030-01", sc.DEFAULTS[pos])
        sc.validate_definition(d, today=dt.date(2030, 1, 1))
        assert sum(k.weight for k in d.kpis) == 100


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"kpis": sc.kpi_defs(("viewers", 50), ("gmv_achievement", 40))}, "weights_sum"),
        ({"kpis": sc.kpi_defs(("viewers", 50), ("viewers", 50))}, "duplicate"),
        ({"kpis": sc.kpi_defs(("nonsense", 100))}, "metric"),
        ({"kpis": sc.kpi_defs(("viewers", 0), ("gmv_achievement", 100))}, "weight"),
        ({"kpis": sc.kpi_defs(("viewers", 100, ("between", 4.0, 2.0)))}, "target"),
        ({"cap": 0.9}, "cap"),
        ({"bands": (("S", 100.0), ("A", 100.0), ("B", 85.0), ("C", 70.0))}, "bands"),
        ({"month_from": "2029-12"}, "past_month"),
        ({"month_from": "2030-13"}, "month"),
    ],
)
def test_bad_definitions_refused_with_the_field(change, code):
    base = {"position": "host", "month_from": "2030-01", "kpis": sc.DEFAULTS["host"]}
    d = sc.Definition(**{**base, **change})
    with pytest.raises(sc.ScorecardError) as err:
        sc.validate_definition(d, today=dt.date(2030, 1, 15))
    assert err.value.code == code


def _customer_service(engine, values: dict[str, dict[str, float]]) -> int:
    with write(engine) as conn:
        pos = conn.execute(Position.__table__.select().where(Position.key == "customer_service")).first()
        pid = conn.execute(
            Person.__table__.insert().values(name="韩雪", position_id=pos.id, active=True)
        ).inserted_primary_key[0]
        for month, metrics in values.items():
            for metric, value in metrics.items():
                conn.execute(
                    ManualMetric.__table__.insert().values(
                        month=month, person_id=pid, metric=metric, value=value
                    )
                )
    return pid


def test_edit_keeps_last_month_unchanged(engine):
    figures = {"cs_response_seconds": 40.0, "cs_resolution_rate": 0.9, "customer_satisfaction": 4.5}
    _customer_service(engine, {"2026-10": figures, "2026-11": figures})
    before = sc.score_month(engine, "2026-10")[0]
    # 40 s against ≤ 30 s: 30/40 = 0.75 × 30 = 22.5; the other two exactly met: 35 + 35
    assert before.total == pytest.approx(92.5) and before.definition_from == sc.DEFAULTS_FROM
    new = sc.Definition(
        "customer_service",
        "2026-11",
        sc.kpi_defs(("cs_response_seconds", 60), ("cs_resolution_rate", 20), ("customer_satisfaction", 20)),
        1.0,
    )
    sc.save_definition(engine, "t_admin", new, today=dt.date(2026, 11, 3))
    after_oct = sc.score_month(engine, "2026-10")[0]
    nov = sc.score_month(engine, "2026-11")[0]
    assert after_oct.public() == before.public()
    assert after_oct.definition_from == sc.DEFAULTS_FROM
    assert nov.definition_from == "2026-11" and nov.total == pytest.approx(0.75 * 60 + 20 + 20)
    # October cannot be edited any more once November has begun
    with pytest.raises(sc.ScorecardError) as err:
        sc.save_definition(
            engine,
            "t_admin",
            sc.Definition("customer_service", "2026-10", new.kpis),
            today=dt.date(2026, 11, 3),
        )
    assert err.value.code == "past_month"
    assert sc.score_month(engine, "2026-10")[0].public() == before.public()
    # a second edit of the same month replaces the first, still leaving October alone
    sc.save_definition(
        engine,
        "t_admin",
        sc.Definition("customer_service", "2026-11", sc.DEFAULTS["customer_service"]),
        today=dt.date(2026, 11, 20),
    )
    assert sc.score_month(engine, "2026-11")[0].total == pytest.approx(92.5)
    assert len(sc.load_definitions(engine)) == 1


def test_no_data_month_has_no_total_and_no_rank(engine):
    _customer_service(engine, {"2026-10": {"cs_resolution_rate": 0.99}})
    card = sc.score_month(engine, "2026-09")[0]
    assert card.total is None and card.grade is None and card.rank is None
    assert [k["status"] for k in card.kpis] == ["no_data"] * 3
    oct_card = sc.score_month(engine, "2026-10")[0]
    # only resolution rate has data: 0.99 / 0.9 = 1.1 -> rescaled to 110 points, not 35 × 1.1 = 38.5
    assert oct_card.rescaled and oct_card.total == pytest.approx(110.0) and oct_card.grade == "S"


def test_quarter_rollup_and_promotion(engine):
    met = {"cs_response_seconds": 30.0, "cs_resolution_rate": 0.9, "customer_satisfaction": 4.5}
    high = {"cs_response_seconds": 25.0, "cs_resolution_rate": 0.99, "customer_satisfaction": 4.95}
    _customer_service(engine, {"2026-04": met, "2026-05": high, "2026-07": high, "2026-08": met})
    q2 = sc.quarter_scores(engine, "2026-Q2").iloc[0]
    may = sc.score_month(engine, "2026-05")[0].total
    assert q2["2026-06"] is None or q2["2026-06"] != q2["2026-06"]  # June has no data: not counted as 0
    assert may == pytest.approx(113.0)  # 30/25 capped at 1.2 × 30 + 1.1 × 35 + 1.1 × 35
    assert q2["quarter"] == pytest.approx(106.5) and q2["grade"] == "A"
    sc.set_promotion_bar(engine, "t_admin", 100)
    assert list(sc.promotion_flags(engine, "2026-Q3")["person"]) == ["韩雪"]
    sc.set_promotion_bar(engine, "t_admin", 106.6)
    assert sc.promotion_flags(engine, "2026-Q3").empty  # Q2 and Q3 are both 106.5
    sc.set_promotion_bar(engine, "t_admin", 100)
    assert sc.promotion_flags(engine, "2026-Q2").empty  # Q1 has no data: not "above the bar"
    with pytest.raises(sc.ScorecardError):
        sc.set_promotion_bar(engine, "t_admin", -1)


def test_editor_rows_become_a_definition_or_name_the_row():
    nan = float("nan")
    rows = [
        {"metric": "viewers", "weight": 60.0, "kind": None, "value": nan, "value_high": nan},
        {
            "metric": "gmv_achievement",
            "weight": 40,
            "kind": "at_least",
            "value": 90,
            "value_high": nan,
        },  # 90 %
    ]
    d = sc.definition_from_rows("host", " 2030-01 ", rows, 110.0, sc.DEFAULT_BANDS)
    assert d.month_from == "2030-01" and d.cap == pytest.approx(1.1)
    assert d.kpis == sc.kpi_defs(("viewers", 60), ("gmv_achievement", 40, ("at_least", 0.9, None)))
    sc.validate_definition(d, today=dt.date(2030, 1, 1))
    no_metric = [rows[0], {"metric": None, "weight": 40.0}]
    with pytest.raises(sc.ScorecardError) as err:
        sc.definition_from_rows("host", "2030-01", no_metric, 120.0, sc.DEFAULT_BANDS)
    assert (err.value.code, err.value.params["row"]) == ("metric", 2)
    no_value = [{"metric": "viewers", "weight": 100.0, "kind": "at_least", "value": nan}]
    with pytest.raises(sc.ScorecardError) as err:
        sc.definition_from_rows("host", "2030-01", no_value, 120.0, sc.DEFAULT_BANDS)
    assert (err.value.code, err.value.params["row"]) == ("target", 1)


def test_manual_entry_refusal_is_a_coded_error_shown_inert(engine):
    with pytest.raises(sc.ManualEntryError) as err:
        sc.save_manual_metric(engine, "t_manager", "2026-1*", 1, "cs_resolution_rate", 0.9)
    assert err.value.code == "month"
    assert err.value.message("en") == "Month is not YYYY-MM: 2026-1*"
    assert sc.error_text(err.value, "en") == "Month is not YYYY-MM: 2026\\-1\\*"  # Markdown-inert
