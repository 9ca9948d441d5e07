"""Scorecards use the schedule's figures where a plan exists (source "computed", with the counts) and keep
the manual figure otherwise (source "manual")."""

import json

import pytest

from lib import importing, plan, scorecards
from lib.core import db
from lib.core.models import ManualMetric, Person
from tests.plan.helpers import held, planned


def _kpi(cards, person, metric):
    card = next(c for c in cards if c["person"] == person)
    return next(k for k in card["kpis"] if k["metric"] == metric)


@pytest.fixture
def roster(engine, samples):
    for name in ("roster.csv", "manual_metrics_2026-10.csv"):
        assert importing.import_bytes(engine, (samples / name).read_bytes(), name, username="t").ok
    with engine.connect() as conn:
        return dict(conn.execute(Person.__table__.select().with_only_columns(Person.name, Person.id)).all())


def test_computed_beats_manual_where_a_plan_exists(engine, roster, cli_here, clock_at):
    clock_at("2026-12-02T09:00:00")
    with db.write(engine) as conn:  # a hand-typed November figure the plan replaces
        conn.execute(
            ManualMetric.__table__.insert().values(
                month="2026-11", person_id=roster["吴昊"], metric="schedule_accuracy", value=0.5
            )
        )
    own = {"ops_owner": "吴昊", "content_owner": "彭诗涵"}
    on_time = planned(engine, "2026-11-10 19:00", 120, account="a", **own)
    planned(engine, "2026-11-11 19:00", 120, account="a", **own)  # held an hour short
    planned(engine, "2026-11-12 19:00", 120, account="a", **own)  # never held
    planned(engine, "2026-11-12 10:00", 120, account="b", host="王可", ops_owner="郑思远")  # not 吴昊's
    held(engine, "2026-11-10 19:02", 121, account="a")
    held(engine, "2026-11-11 19:00", 60, account="a")
    clock_at("2026-11-08T12:00:00")
    with db.write(engine) as conn:
        plan.record_script(conn, on_time, "approved", "彭诗涵")  # on time; the other two never approved
    clock_at("2026-12-02T09:00:00")
    out = cli_here("scorecard", "--month", "2026-11", "--json")
    cards = json.loads(out.stdout)
    accuracy = _kpi(cards, "吴昊", "schedule_accuracy")
    assert accuracy["source"] == "computed" and (accuracy["planned"], accuracy["held_as_planned"]) == (3, 1)
    assert accuracy["actual"] == pytest.approx(1 / 3)
    scripts = _kpi(cards, "彭诗涵", "script_on_time")
    assert scripts["source"] == "computed" and scripts["actual"] == pytest.approx(1 / 3)
    other = _kpi(cards, "郑思远", "schedule_accuracy")
    assert other["source"] == "computed" and (other["planned"], other["held_as_planned"]) == (1, 0)
    assert _kpi(cards, "冯雅婷", "schedule_accuracy")["source"] == "manual"  # owns nothing planned
    card = next(c for c in scorecards.score_month(engine, "2026-11") if c.person == "吴昊")
    frame = scorecards.card_frame(card, "zh").set_index("KPI")
    assert frame.loc["排期准确率", "数据来源"] == "排期计算"
    assert (
        scorecards.card_frame(card, "en").set_index("KPI").loc["Schedule accuracy", "Source"]
        == "From the schedule"
    )


def test_a_month_without_a_plan_keeps_the_manual_figure(engine, roster, cli_here, clock_at):
    clock_at("2026-12-02T09:00:00")
    planned(engine, "2026-11-10 19:00", 120, account="a", ops_owner="吴昊")  # another month's plan
    cards = json.loads(cli_here("scorecard", "--month", "2026-10", "--json").stdout)
    accuracy = _kpi(cards, "吴昊", "schedule_accuracy")
    assert accuracy["source"] == "manual" and accuracy["actual"] == pytest.approx(0.919)
    assert "planned" not in accuracy
    assert _kpi(cards, "彭诗涵", "script_on_time") == _kpi(cards, "彭诗涵", "script_on_time") | {
        "source": "manual"
    }
