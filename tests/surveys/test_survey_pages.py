"""AppTest of pages/survey.py and pages/survey_results.py for every access role."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from survey_data import PERIOD, answer, closed_round_with, dept_ids, link_user, make_respondents, open_round

from lib import surveys
from lib.core.i18n import translate
from lib.core.models import SurveyRating, SurveyRound, SurveySubmission


def texts(at) -> str:
    parts = [
        e.value
        for kind in ("info", "warning", "error", "success", "markdown", "caption")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_pages_need_login(run_page):
    for page in ("survey", "survey_results"):
        at = run_page(page)
        assert not at.exception
        assert translate("auth.login_required") in texts(at)
        assert not at.metric and not at.radio


@pytest.mark.parametrize("role", ["admin", "manager", "staff"])
def test_survey_page_without_open_round(run_page, role):
    at = run_page("survey", role)
    assert not at.exception
    assert translate("survey.no_open_round") in texts(at)
    assert "保密" in texts(at)  # the page calls the survey confidential and explains what is stored
    assert "不保存的内容" in at.expander[0].markdown[0].value


def test_staff_without_roster_link_is_told_why(engine, run_page):
    open_round(engine)
    at = run_page("survey", "staff")
    assert not at.exception
    assert translate("survey.error.no_person") in texts(at)
    assert not at.radio


def test_staff_answers_once_on_one_form(engine, run_page, users):
    user_id = link_user(engine, users["staff"], "运营部")
    round_id = open_round(engine)
    ids = dept_ids(engine)
    at = run_page("survey", "staff")
    assert not at.exception
    assert len(at.radio) == 4 * 4  # every other department x 4 questions, nothing pre-selected
    assert all(r.value is None for r in at.radio)
    assert len(at.button) == 1  # one submit
    for dept in ("主播部", "技术部", "内容部"):  # 客服部 left blank: no contact
        for q in surveys.DEFAULT_QUESTIONS:
            at.radio(key=f"survey_{ids[dept]}_{q['key']}").set_value(4)
    at.text_area(key="survey_comment").set_value("希望需求提前一天确认")
    at.button[0].click().run()
    assert not at.exception
    assert translate("survey.thanks", count=1) in texts(at)
    assert not at.radio and not at.metric  # a thank-you and the count, nothing else
    assert surveys.has_answered(engine, round_id, user_id)
    again = run_page("survey", "staff")
    assert translate("survey.already_answered", count=1) in texts(again) and not again.radio
    surveys.close_round(engine, round_id, "t_manager")  # writes out the buffered answer
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SurveySubmission)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(SurveyRating)).scalar_one() == 12


def test_double_submit_saves_once_and_says_submitted(engine, run_page, users, monkeypatch):
    """A second tap whose run passed the "already answered" check before the first one committed: the
    answer is stored once and the page says 已提交, not an error."""
    user_id = link_user(engine, users["staff"], "运营部")
    round_id = open_round(engine)
    ids = dept_ids(engine)
    at = run_page("survey", "staff")
    for q in surveys.DEFAULT_QUESTIONS:
        at.radio(key=f"survey_{ids['技术部']}_{q['key']}").set_value(3)
    answer(engine, round_id, user_id, 3)  # the first tap's run commits first
    monkeypatch.setattr(surveys, "has_answered", lambda *a: False)  # this run checked before that commit
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert translate("survey.submitted_once", count=1) in texts(at)
    assert texts(at).count("已提交") == 1
    assert surveys.response_count(engine, round_id) == 1
    surveys.close_round(engine, round_id, "t_manager")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SurveySubmission)).scalar_one() == 1


def test_partial_department_is_refused_with_its_name(engine, run_page, users):
    link_user(engine, users["staff"], "客服部")
    open_round(engine)
    ids = dept_ids(engine)
    at = run_page("survey", "staff", lang="en")
    at.radio(key=f"survey_{ids['技术部']}_responsiveness").set_value(2)
    at.button[0].click().run()
    assert not at.exception
    assert "技术部 is only partly answered (missing: Communication)" in texts(at)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SurveySubmission)).scalar_one() == 0


def test_results_page_refuses_staff(engine, run_page):
    closed_round_with(engine, {"运营部": 6})
    at = run_page("survey_results", "staff")
    assert not at.exception
    assert translate("auth.no_access") in texts(at)
    assert not at.metric and not at.dataframe


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_results_page_shows_only_enough_answers(engine, run_page, role):
    at = run_page("survey_results", role)
    assert not at.exception and translate("survey.results.no_closed") in texts(at)
    closed_round_with(engine, {"运营部": 4})
    at = run_page("survey_results", role)
    assert not at.exception
    assert translate("survey.results.too_few", k=5) in texts(at)
    assert not at.metric


def test_results_page_with_enough_answers(engine, run_page):
    users = make_respondents(engine, {"运营部": 6, "技术部": 5})
    round_id = open_round(engine)
    for i, user_id in enumerate(users["运营部"] + users["技术部"]):
        answer(engine, round_id, user_id, 5 if i % 2 else 4, comment=f"建议 {i}")
    surveys.close_round(engine, round_id, "t_manager")
    at = run_page("survey_results", "manager")
    assert not at.exception
    assert at.metric[0].value == "11"
    assert at.metric[1].value == "4.45"  # 5 respondents gave 5 and 6 gave 4 everywhere: 49 / 11
    comments = [t.value for t in at.text]
    assert sorted(comments) == sorted(f"建议 {i}" for i in range(11))
    assert "建议" not in "".join(str(df.value) for df in at.dataframe)


def test_manager_creates_opens_and_closes_a_round(engine, run_page):
    at = run_page("survey_results", "manager")
    at.text_input(key="survey_new_name").set_value("十二月协作调查")
    at.text_input(key="survey_new_period").set_value("2026-12")
    at.button[0].click().run()  # the create form's submit
    assert not at.exception
    (info,) = surveys.list_rounds(engine)
    assert (info.name, info.period, info.status) == ("十二月协作调查", "2026-12", "draft")
    at.button(key=f"survey_open_{info.id}").click().run()
    assert not at.exception
    assert surveys.list_rounds(engine)[0].status == "open"
    at.button(key=f"survey_close_{info.id}").click().run()
    with engine.connect() as conn:
        assert conn.execute(select(SurveyRound.status)).scalar_one() == "closed"


def test_admin_sets_thresholds_manager_cannot(engine, run_page):
    at = run_page("survey_results", "manager")
    assert translate("survey.settings.admin_only", k=5, comment_k=10) in texts(at)
    at = run_page("survey_results", "admin")
    at.number_input[0].set_value(2)
    at.button[-1].click().run()
    assert translate("survey.error.k_too_low", min=3, value=2) in texts(at)
    at.number_input[0].set_value(6)
    at.number_input[1].set_value(12)
    at.button[-1].click().run()
    assert not at.exception
    assert surveys.thresholds(engine) == surveys.Thresholds(6, 12)
    assert PERIOD  # the helper module's period stays the default round month
