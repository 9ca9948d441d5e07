"""The 场控's and the data analyst's KPIs and host growth, each on hand-made data, through the scorecard
command (`source` said for each KPI) and the card."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from sqlalchemy import insert, select

from lib import importing, plan, rollups, scorecards
from lib.core import db
from lib.core.auth import add_user
from lib.core.models import (
    ImportBatch,
    ImportChange,
    Incident,
    ManualMetric,
    Person,
    Position,
    SessionProduct,
)
from tests.conftest import TEST_PASSWORD
from tests.plan.helpers import held, planned

T = dt.datetime.fromisoformat


def _kpi(cards: list[dict], person: str, metric: str) -> dict:
    card = next(c for c in cards if c["person"] == person)
    return next(k for k in card["kpis"] if k["metric"] == metric)


@pytest.fixture
def roster(engine, samples) -> dict[str, int]:
    for name in ("roster.csv", "manual_metrics_2026-10.csv"):
        assert importing.import_bytes(engine, (samples / name).read_bytes(), name, username="t").ok
    with engine.connect() as conn:
        return dict(conn.execute(select(Person.name, Person.id)).all())


# --- 场控 ---------------------------------------------------------------------------------------------


def test_field_control_from_the_plan(engine, roster, cli_here, clock_at):
    clock_at("2026-12-02T09:00:00")
    fc = {"floor_manager": "何佳琪"}
    planned(engine, "2026-11-10 19:00", 120, account="a", **fc)  # held 5 min late: on time
    planned(engine, "2026-11-11 19:00", 120, account="a", **fc)  # held 20 min late: matched, not on time
    planned(engine, "2026-11-12 19:00", 120, account="a", **fc)  # never held: not on time
    cancelled = planned(engine, "2026-11-13 19:00", 120, account="a", **fc)  # cancelled: not counted
    planned(engine, "2026-11-14 19:00", 120, account="a", floor_manager="别人")  # someone else's
    with db.write(engine) as conn:
        plan.set_status(conn, cancelled, "cancelled", "t_manager")
    counts = {"comments": 300, "likes": 500, "shares": 20, "viewers": 1000}
    first = held(engine, "2026-11-10 19:05", 120, account="a", **counts)
    held(engine, "2026-11-11 19:20", 100, account="a", comments=100, likes=100, shares=0, viewers=1000)
    held(engine, "2026-11-14 19:00", 120, account="a", comments=9999, likes=1, shares=1, viewers=1)
    with db.write(engine) as conn:
        for minute in (10, 40):
            conn.execute(
                insert(Incident).values(
                    session_id=first,
                    category="网络中断",
                    severity="simple",
                    detected_at=T("2026-11-10 19:00") + dt.timedelta(minutes=minute),
                )
            )
    cards = json.loads(cli_here("scorecard", "--month", "2026-11", "--json").stdout)
    on_time = _kpi(cards, "何佳琪", "field_start_on_time")
    assert on_time["source"] == "computed" and (on_time["planned"], on_time["started_on_time"]) == (3, 1)
    assert on_time["actual"] == pytest.approx(1 / 3) and on_time["target"] == pytest.approx(0.95)
    incidents = _kpi(cards, "何佳琪", "field_incidents_per_10")
    assert (incidents["sessions"], incidents["incidents"]) == (2, 2) and incidents["source"] == "computed"
    assert incidents["actual"] == pytest.approx(10.0) and incidents["achievement"] == pytest.approx(0.1)
    rate = _kpi(cards, "何佳琪", "field_interaction_rate")
    assert rate["actual"] == pytest.approx((820 + 200) / 2000) and rate["target"] == pytest.approx(0.70)
    collab = _kpi(cards, "何佳琪", "collab_satisfaction")
    assert collab["source"] == "survey" and collab["actual"] is None  # no survey round: no data, not 0
    card = next(c for c in scorecards.score_month(engine, "2026-11") if c.person == "何佳琪")
    frame = scorecards.card_frame(card, "zh").set_index("KPI")
    assert (
        frame.loc["准时开播率", "实际"] == "33.3%"
        and frame.loc["场控场次问题数（每 10 场）", "实际"] == "10.00"
    )
    assert frame.loc["准时开播率", "说明"] == "排期 3 场，准时 1 场"
    assert frame.loc["场控场次问题数（每 10 场）", "说明"] == "2 场，问题 2 个"


def test_field_control_without_a_plan_keeps_the_manual_figure(engine, roster, cli_here, clock_at):
    clock_at("2026-12-02T09:00:00")
    with db.write(engine) as conn:
        conn.execute(
            insert(ManualMetric).values(
                month="2026-10", person_id=roster["何佳琪"], metric="field_start_on_time", value=0.9
            )
        )
    cards = json.loads(cli_here("scorecard", "--month", "2026-10", "--json").stdout)
    on_time = _kpi(cards, "何佳琪", "field_start_on_time")
    assert on_time["source"] == "manual" and on_time["actual"] == pytest.approx(0.9)
    for metric in ("field_incidents_per_10", "field_interaction_rate"):
        k = _kpi(cards, "何佳琪", metric)
        assert (k["source"], k["actual"], k["points"], k["status"]) == ("computed", None, None, "no_data")


# --- 数据分析 ------------------------------------------------------------------------------------------


def _upload(engine, at: str, username: str, session_ids: list[int], table: str = "live_sessions") -> None:
    with db.write(engine) as conn:
        batch = conn.execute(
            insert(ImportBatch).values(
                created_at=T(at), username=username, file_name="f.csv", sha256=at, kind="sessions"
            )
        ).inserted_primary_key[0]
        action = "insert" if table == "live_sessions" else "update"
        for sid in session_ids:
            conn.execute(
                insert(ImportChange).values(batch_id=batch, table_name=table, row_id=sid, action=action)
            )


def test_data_uploaded_within_its_deadlines(engine, roster, users, cli_here, clock_at):
    clock_at("2026-12-02T09:00:00")
    with db.write(engine) as conn:
        add_user(conn, "gaoyuan", TEST_PASSWORD, "staff", person_id=roster["高远"])
    # ends 11-10 21:00; uploaded 21:40 (Tuesday): within the hour and the week
    s1 = held(engine, "2026-11-10 19:00", None, account="a", ended_at=T("2026-11-10 21:00"))
    # ends 11-11 21:00 (by its length); its detail came at 21:30, its row with the weekly file on Monday
    s2 = held(engine, "2026-11-11 19:00", 120, account="a")
    # ends 11-12 21:00; uploaded the Tuesday after: both deadlines missed
    s3 = held(engine, "2026-11-12 19:00", 120, account="a")
    s4 = held(engine, "2026-11-13 19:00", 120, account="a")  # uploaded by someone else: not the analyst's
    _upload(engine, "2026-11-10 21:40", "gaoyuan", [s1])
    _upload(engine, "2026-11-11 21:30", "gaoyuan", [s2], table=SessionProduct.__tablename__)
    _upload(engine, "2026-11-16 23:59", "gaoyuan", [s2])
    _upload(engine, "2026-11-17 09:00", "gaoyuan", [s3])
    _upload(engine, "2026-11-13 21:10", "t_manager", [s4])
    cards = json.loads(cli_here("scorecard", "--month", "2026-11", "--json").stdout)
    k = _kpi(cards, "高远", "data_on_time")
    assert k["source"] == "computed" and (k["deadlines"], k["deadlines_met"]) == (6, 4)
    assert k["actual"] == pytest.approx(4 / 6) and k["target"] == pytest.approx(1.0)
    accuracy = _kpi(cards, "高远", "report_accuracy")
    assert (accuracy["source"], accuracy["actual"], accuracy["status"]) == ("manual", None, "no_data")
    card = next(c for c in scorecards.score_month(engine, "2026-11") if c.person == "高远")
    frame = scorecards.card_frame(card, "zh").set_index("KPI")
    assert frame.loc["数据上传及时率", "数据来源"] == "上传记录计算"
    assert frame.loc["报表准确率", "数据来源"] == "手工录入" and frame.loc["报表准确率", "实际"] == "暂无数据"


def test_report_accuracy_is_typed_by_a_manager(engine, roster):
    scorecards.save_manual_metric(engine, "t_manager", "2026-10", roster["高远"], "report_accuracy", 0.97)
    card = next(c for c in scorecards.score_month(engine, "2026-10") if c.person == "高远")
    k = next(k for k in card.kpis if k["metric"] == "report_accuracy")
    assert k["source"] == "manual" and k["actual"] == pytest.approx(0.97)
    assert k["achievement"] == pytest.approx(0.97 / 0.95)
    data = next(k for k in card.kpis if k["metric"] == "data_on_time")
    assert data["actual"] is None and card.rescaled  # no uploads: left out, never 0


def test_weekly_deadline_is_the_end_of_the_next_monday():
    from lib.scorecards.position_facts import weekly_deadline

    assert weekly_deadline(dt.date(2026, 11, 9)) == T("2026-11-17 00:00")  # Monday's week
    assert weekly_deadline(dt.date(2026, 11, 15)) == T("2026-11-17 00:00")  # its Sunday
    assert weekly_deadline(dt.date(2026, 11, 16)) == T("2026-11-24 00:00")


# --- host growth ----------------------------------------------------------------------------------------


def _host(engine, name: str, hired: str | None) -> int:
    with db.write(engine) as conn:
        position = conn.execute(select(Position.id).where(Position.key == "host")).scalar_one()
        return conn.execute(
            insert(Person).values(
                name=name,
                position_id=position,
                active=True,
                hired_on=None if hired is None else dt.date.fromisoformat(hired),
            )
        ).inserted_primary_key[0]


def _session(engine, pid: int, start: str, viewers: int, buyers: int) -> None:
    held(engine, start, 120, account=f"acct-{pid}", host_person_id=pid, viewers=viewers, buyers=buyers)
    with db.write(engine) as conn:
        rollups.refresh_days(conn, {T(start).date()})


@pytest.fixture
def hosts(engine, clock_at):
    clock_at("2026-12-20T09:00:00")
    ids = {
        "新人": _host(engine, "新人", "2026-09-10"),
        "空月": _host(engine, "空月", "2026-10-25"),  # no sessions in the month hired
        "无日期": _host(engine, "无日期", None),
    }
    _session(engine, ids["新人"], "2026-09-20 19:00", 1000, 20)  # 2 %
    _session(engine, ids["新人"], "2026-09-21 19:00", 1000, 20)
    _session(engine, ids["新人"], "2026-10-05 19:00", 2000, 60)  # 3 %: +50 %
    _session(engine, ids["新人"], "2026-11-05 19:00", 1000, 16)  # 1.6 %: −20 %
    _session(engine, ids["新人"], "2026-12-05 19:00", 1000, 50)  # fourth month: not scored
    for who in ("空月", "无日期"):
        _session(engine, ids[who], "2026-11-06 19:00", 1000, 30)
    return ids


@pytest.mark.parametrize(
    ("month", "person", "actual", "achievement", "status"),
    [
        ("2026-10", "新人", 0.5, 1.5 / 1.3, "ok"),
        ("2026-11", "新人", -0.2, 0.8 / 1.3, "ok"),
        ("2026-09", "新人", None, None, "base_month"),
        ("2026-12", "新人", None, None, "not_new"),
        ("2026-11", "空月", None, None, "no_base"),
        ("2026-11", "无日期", None, None, "no_hire_date"),
    ],
)
def test_host_growth(engine, hosts, cli_here, month, person, actual, achievement, status):
    out = cli_here("scorecard", "--month", month, "--position", "host", "--json").stdout
    assert "NaN" not in out and "nan" not in out
    k = _kpi(json.loads(out), person, "host_growth")
    assert k["status"] == status and k["target"] == pytest.approx(0.30)
    if actual is None:
        assert k["actual"] is None and k["points"] is None and k["achievement"] is None
    else:
        assert k["source"] == "computed" and k["actual"] == pytest.approx(actual)
        assert k["achievement"] == pytest.approx(achievement)
        assert k["points"] == pytest.approx(10 * min(achievement, 1.2), abs=1e-4)
        assert k["base_month"] == "2026-09" and k["base_conversion"] == pytest.approx(0.02)


def test_host_growth_basis_on_the_card(engine, hosts):
    card = next(c for c in scorecards.score_month(engine, "2026-10") if c.person == "新人")
    frame = scorecards.card_frame(card, "zh").set_index("KPI")
    assert frame.loc["主播成长率", "实际"] == "50.0%"
    assert frame.loc["主播成长率", "说明"] == "基准月 2026-09 转化率 2.0%，本月 3.0%"
    assert frame.loc["主播成长率", "数据来源"] == "直播数据计算"


def test_host_growth_not_computable_is_said_on_the_card(engine, hosts):
    card = next(c for c in scorecards.score_month(engine, "2026-11") if c.person == "空月")
    for lang, words in (("zh", "入职首月无场次"), ("en", "not computable")):
        frame = scorecards.card_frame(card, lang)
        text = frame.to_csv()
        assert words in text and "nan" not in text.lower()
    assert card.total is not None and card.rescaled  # the other KPIs still score


@pytest.mark.parametrize(
    ("actual", "achievement"),
    [(0.30, 1.0), (0.0, 1 / 1.3), (0.69, 1.2), (-1.5, 0.0)],
)
def test_growth_achievement_is_the_level_reached(actual, achievement):
    s = scorecards.score_kpi(10, ("at_least", 0.30, None), actual, 1.2, growth=True)
    assert s.capped == pytest.approx(achievement) and not math.isnan(s.points)


def test_a_database_seeded_before_the_new_metrics_scores_with_the_catalogue_default(engine, hosts):
    from lib.core.models import Target

    with db.write(engine) as conn:  # as a database seeded before host growth existed
        conn.execute(Target.__table__.delete().where(Target.metric == "host_growth"))
    card = next(c for c in scorecards.score_month(engine, "2026-10") if c.person == "新人")
    k = next(k for k in card.kpis if k["metric"] == "host_growth")
    assert k["target"] == pytest.approx(0.30) and k["points"] is not None
