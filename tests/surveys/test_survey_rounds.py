"""Rounds (draft -> open -> closed), editable questions, home-page prompt, scorecard feed, trend, CLI."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, insert, select, update
from survey_data import PERIOD, answer, closed_round_with, dept_ids, link_user, make_respondents, open_round

from lib import cli, surveys
from lib.core.db import write
from lib.core.models import AuditLog, Person, SurveyParticipation, SurveyRound, SurveySubmission, Target, User


def test_round_lifecycle_and_questions(engine):
    make_respondents(engine, {"运营部": 3, "技术部": 2})
    round_id = surveys.create_round(engine, " 11 月协作调查 ", PERIOD, "t_manager")
    (info,) = surveys.list_rounds(engine)
    assert (info.name, info.status) == ("11 月协作调查", "draft")
    assert [q.key for q in info.questions] == ["responsiveness", "communication", "handoff", "overall"]
    assert info.questions[0].label("zh") == "响应速度"
    edited = [q.__dict__ for q in info.questions[:3]] + [
        {"key": "trust", "zh": "信任度", "en": "Trust"},
        {"key": None, "zh": float("nan"), "en": None},  # an empty row left by the data editor
    ]
    surveys.update_questions(engine, round_id, edited, "t_manager")
    assert [q.key for q in surveys.list_rounds(engine)[0].questions][-1] == "trust"
    surveys.open_round(engine, round_id, "t_manager")
    res = surveys.round_results(engine, round_id)
    assert res.eligible == {dept_ids(engine)["运营部"]: 3, dept_ids(engine)["技术部"]: 2}
    with pytest.raises(surveys.SurveyError) as exc:
        surveys.update_questions(engine, round_id, edited, "t_manager")
    assert exc.value.code == "not_draft"
    other = surveys.create_round(engine, "12 月", "2026-12", "t_manager")
    with pytest.raises(surveys.SurveyError) as exc:
        surveys.open_round(engine, other, "t_manager")
    assert exc.value.code == "another_open" and exc.value.params == {"name": "11 月协作调查"}
    surveys.close_round(engine, round_id, "t_manager")
    with pytest.raises(surveys.SurveyError) as exc:
        surveys.close_round(engine, round_id, "t_manager")
    assert exc.value.code == "not_open"
    with pytest.raises(surveys.SurveyError) as exc:
        surveys.open_round(engine, round_id, "t_manager")  # closed rounds never reopen
    assert exc.value.code == "not_draft"
    with engine.connect() as conn:
        actions = conn.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
    assert actions[-4:] == [
        "survey_questions",
        "survey_round_open",
        "survey_round_create",
        "survey_round_close",
    ]


@pytest.mark.parametrize(
    ("rows", "code", "params"),
    [
        ([{"key": "Bad Key", "zh": "x", "en": "x"}], "bad_question_key", {"row": 1, "value": "Bad Key"}),
        (
            [{"key": "a", "zh": "甲", "en": "A"}, {"key": "b", "zh": "", "en": "B"}],
            "bad_question_label",
            {"row": 2, "field": "zh"},
        ),
        (
            [{"key": "a", "zh": "甲", "en": "A"}, {"key": "a", "zh": "乙", "en": "B"}],
            "duplicate_question",
            {"row": 2},
        ),
        ([], "question_count", {"value": 0}),
    ],
)
def test_bad_questions_name_the_row(rows, code, params):
    with pytest.raises(surveys.SurveyError) as exc:
        surveys.parse_questions(rows)
    assert exc.value.code == code and params.items() <= exc.value.params.items()


@pytest.mark.parametrize(
    ("name", "period", "code"), [("", PERIOD, "bad_name"), ("x", "2026-13", "bad_period")]
)
def test_bad_round_input(engine, name, period, code):
    with pytest.raises(surveys.SurveyError) as exc:
        surveys.create_round(engine, name, period, "t_manager")
    assert exc.value.code == code
    assert surveys.list_rounds(engine) == ()


def test_open_round_for_home_page(engine):
    user_id = make_respondents(engine, {"客服部": 1})["客服部"][0]
    assert surveys.open_round_for(engine, user_id) is None
    round_id = open_round(engine, name="十一月")
    assert surveys.open_round_for(engine, user_id) == (round_id, "十一月")
    answer(engine, round_id, user_id)
    assert surveys.open_round_for(engine, user_id) is None


def test_no_invitation_for_who_may_not_answer(engine, users):
    """The home page's invitation follows the rule submit applies: a roster person with a department."""
    round_id = open_round(engine)
    with engine.connect() as conn:
        ids = dict(conn.execute(select(User.username, User.id)).all())
    no_person = ids[users["manager"]]
    assert not surveys.may_answer(engine, no_person) and surveys.open_round_for(engine, no_person) is None
    with write(engine) as conn:  # a roster person without a department
        person = conn.execute(insert(Person).values(name="无部门", active=True)).inserted_primary_key[0]
        conn.execute(update(User).where(User.id == no_person).values(person_id=person))
    assert not surveys.may_answer(engine, no_person) and surveys.open_round_for(engine, no_person) is None
    with pytest.raises(surveys.SurveyError) as refused:  # and submit refuses the same user
        surveys.submit(engine, round_id, no_person, {})
    assert refused.value.code == "no_department"
    user_id = link_user(engine, users["staff"], "客服部")
    assert surveys.may_answer(engine, user_id) and surveys.open_round_for(engine, user_id)[0] == round_id


def test_department_scores_and_trend(engine):
    october = closed_round_with(engine, {"运营部": 5, "技术部": 2}, score=3)
    with write(engine) as conn:
        conn.execute(update(SurveyRound).where(SurveyRound.id == october).values(period="2026-10"))
    november = closed_round_with(engine, {"运营部": 6}, score=5)
    assert november != october
    scores = surveys.department_scores(engine, "2026-10")
    # 客服部 was rated by all 7 (3.0); 运营部 only by the 2 of 技术部 (hidden); 技术部 by the 5 of 运营部,
    # the next-smallest rated group, hidden too so that 运营部 cannot be worked out from the round total.
    assert scores == {"主播部": 3.0, "运营部": None, "技术部": None, "内容部": 3.0, "客服部": 3.0}
    assert surveys.department_scores(engine, PERIOD)["客服部"] == 5.0
    assert set(surveys.department_scores(engine, "2026-09").values()) == {None}
    trend = surveys.trend(engine)
    cs = trend[trend["department"] == "客服部"]
    assert cs["period"].tolist() == ["2026-10", "2026-11"] and cs["mean"].tolist() == [3.0, 5.0]
    assert set(trend[trend["period"] == "2026-10"]["department"]) == {"主播部", "内容部", "客服部"}


def test_target_comes_from_targets_table(engine):
    round_id = closed_round_with(engine, {"运营部": 5})
    assert surveys.round_results(engine, round_id).target == 4.5
    with write(engine) as conn:
        conn.execute(
            Target.__table__.insert().values(
                metric="collab_satisfaction",
                scope_kind="all",
                scope_value="",
                month_from="2026-11",
                kind="at_least",
                value=4.2,
                period="month",
                set_at=__import__("datetime").datetime(2026, 11, 1),
            )
        )
    assert surveys.round_results(engine, round_id).target == 4.2


def test_cli_survey_results_json(engine, capsys):
    small = closed_round_with(engine, {"运营部": 4})
    assert cli.main(["survey-results", "--round", str(small), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (
        data["available"]
        and data["total"] == {"shown": False}
        and data["thresholds"] == {"k": 5, "comment_k": 10}
    )
    assert all(
        not g["shown"] and "responses" not in g for g in data["rated"] + data["raters"] + data["pairs"]
    )
    big = closed_round_with(engine, {"技术部": 6}, score=5)
    assert cli.main(["survey-results", "--round", str(big), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"]["responses"] == 6 and data["total"]["mean"] == 5.0
    cs = next(g for g in data["rated"] if g["department"] == "客服部")
    assert cs["distribution"]["all"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1.0} and "responses" not in cs
    # Users per department frozen at opening: the 4 of 运营部 (no answer here: hidden) and the 6 of 技术部.
    assert data["response_rates"] == [
        {"department": "运营部", "shown": False},
        {"department": "技术部", "shown": True, "responses": 6, "users": 6, "rate": 1.0},
    ]
    assert data["comments"] == {"shown": False}
    assert cli.main(["survey-results", "--round", "999"]) == 2
    assert "No survey round with id 999" in capsys.readouterr().err


def test_demo_rounds_show_suppressed_results(engine):
    make_respondents(engine, {"主播部": 6, "运营部": 5, "技术部": 3, "内容部": 3, "客服部": 3})
    written = surveys.load_demo_rounds(engine, ["2026-09", "2026-10"], seed=7)
    rounds = surveys.list_rounds(engine)
    assert [r.period for r in rounds] == ["2026-10", "2026-09"] and {r.status for r in rounds} == {"closed"}
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(SurveySubmission)).scalar_one()
        participation = conn.execute(select(func.count()).select_from(SurveyParticipation)).scalar_one()
    assert stored == written and 20 <= written <= 40 and participation == 0
    res = surveys.round_results(engine, rounds[0].id)
    older = surveys.round_results(engine, rounds[1].id)
    assert res.total.n + older.total.n == written
    assert any(f.shown for f in res.rated.values())
    assert not res.raters[dept_ids(engine)["技术部"]].shown  # at most 3 answers: hidden


@pytest.mark.parametrize("value", ["99999999999999999999999", "2147483648", "0", "-3", "abc"])
def test_cli_bad_round_answers_with_a_message(engine, capsys, value):
    with pytest.raises(SystemExit) as exc:
        cli.main(["survey-results", "--round", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--round" in err and "Traceback" not in err and value in err
    with pytest.raises(surveys.SurveyError) as refused:
        surveys.round_results(engine, int(value) if value.lstrip("-").isdigit() else 0)
    assert refused.value.code == "no_round"


def test_cli_text_output_of_a_closed_round(engine, capsys):
    round_id = closed_round_with(engine, {"技术部": 6, "运营部": 2}, score=5)
    assert cli.main(["survey-results", "--round", str(round_id)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "responses 8, mean 5.00 (target 4.5)"
    assert "  客服部: 5.00" in out and "  技术部: hidden" in out  # 技术部 rated by the 2 of 运营部 only


def test_target_ties_resolved_by_the_one_resolver(engine, capsys):
    """Two company-wide rows from the same month: the later set wins (lib.targets.resolve), not the
    higher id; the page's results and the CLI show that same value."""
    import datetime as dt

    from lib import targets

    round_id = closed_round_with(engine, {"运营部": 5})
    values = [(4.0, dt.datetime(2026, 11, 5)), (4.2, dt.datetime(2026, 11, 1))]  # the older one inserted last
    with write(engine) as conn:
        for value, set_at in values:
            conn.execute(
                Target.__table__.insert().values(
                    metric="collab_satisfaction",
                    scope_kind="all",
                    scope_value="",
                    month_from="2026-11",
                    kind="at_least",
                    value=value,
                    period="month",
                    set_at=set_at,
                )
            )
    resolved = targets.resolve(targets.load_targets(engine), "collab_satisfaction", PERIOD, {})
    assert resolved.value == 4.0
    assert surveys.round_results(engine, round_id).target == resolved.value
    assert cli.main(["survey-results", "--round", str(round_id), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["target"] == resolved.value
