"""Answering: validation, one answer per user per round (also under concurrent submissions)."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, insert, select
from survey_data import answer, dept_ids, make_respondents, open_round

from lib import surveys
from lib.core.db import now, write
from lib.core.models import (
    AuditLog,
    Person,
    SurveyAnswerBuffer,
    SurveyParticipation,
    SurveyRating,
    SurveySubmission,
    User,
)

OPS, CS, TECH = "运营部", "客服部", "技术部"


def counts(engine) -> tuple[int, int, int]:
    """(answers, scores, participation rows), answers still in the buffer included."""
    with engine.connect() as conn:
        subs, rats, part = (
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (SurveySubmission, SurveyRating, SurveyParticipation)
        )
        buffered = [json.loads(a) for a in conn.execute(select(SurveyAnswerBuffer.answer)).scalars()]
    return subs + len(buffered), rats + sum(len(a["ratings"]) for a in buffered), part


def test_submit_stores_answer_and_participation(engine):
    user_id = make_respondents(engine, {OPS: 1})[OPS][0]
    round_id = open_round(engine)
    assert surveys.open_round_for(engine, user_id) == (round_id, "2026-11 协作满意度")
    answer(engine, round_id, user_id, 5, skip=(CS,), comment="  交接单模板再统一一下  ")
    assert counts(engine) == (1, 3 * 4, 1)  # 3 rated departments x 4 questions
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SurveySubmission)).scalar_one() == 0  # buffered
        (buffered,) = conn.execute(select(SurveyAnswerBuffer.__table__)).all()
    assert set(buffered._mapping) == {"id", "round_id", "answer"}
    assert set(json.loads(buffered.answer)) == {"from", "comment", "ratings"}  # no user, no time
    assert surveys.response_count(engine, round_id) == 1
    assert surveys.has_answered(engine, round_id, user_id)
    assert surveys.open_round_for(engine, user_id) is None
    surveys.close_round(engine, round_id, "t_manager")  # closing writes out what is buffered
    assert counts(engine) == (1, 12, 1)
    with engine.connect() as conn:
        sub = conn.execute(select(SurveySubmission.__table__)).one()
        rated = set(conn.execute(select(SurveyRating.to_department_id)).scalars())
        assert conn.execute(select(func.count()).select_from(SurveyAnswerBuffer)).scalar_one() == 0
    ids = dept_ids(engine)
    assert sub.from_department_id == ids[OPS] and sub.comment == "交接单模板再统一一下"
    assert rated == {ids["主播部"], ids[TECH], ids["内容部"]}


def test_answers_are_written_in_batches_of_k(engine):
    users = make_respondents(engine, {OPS: 7})[OPS]
    round_id = open_round(engine)
    stored = []
    for user_id in users:
        answer(engine, round_id, user_id, 4)
        with engine.connect() as conn:
            stored.append(conn.execute(select(func.count()).select_from(SurveySubmission)).scalar_one())
    assert stored == [0, 0, 0, 0, 5, 5, 5]  # K = 5: nothing until five wait, then all five at once
    surveys.close_round(engine, round_id, "t_manager")
    assert counts(engine) == (7, 7 * 16, 7)


def test_second_answer_is_refused(engine):
    user_id = make_respondents(engine, {OPS: 1})[OPS][0]
    round_id = open_round(engine)
    answer(engine, round_id, user_id, 5)
    with pytest.raises(surveys.SurveyError) as exc:
        answer(engine, round_id, user_id, 1)
    assert exc.value.code == "already_answered"
    assert counts(engine) == (1, 16, 1)


def test_primary_key_refuses_when_the_check_is_raced(engine, monkeypatch):
    """The pre-check is only politeness: with it defeated, the participation key still refuses."""
    user_id = make_respondents(engine, {OPS: 1})[OPS][0]
    round_id = open_round(engine)
    answer(engine, round_id, user_id, 5)
    monkeypatch.setattr(surveys.answering, "answered_in", lambda *a: False)
    with pytest.raises(surveys.SurveyError) as exc:
        answer(engine, round_id, user_id, 1)
    assert exc.value.code == "already_answered"
    assert counts(engine) == (1, 16, 1)  # the second transaction left nothing behind


def test_two_concurrent_submissions_store_one(engine):
    user_id = make_respondents(engine, {OPS: 1})[OPS][0]
    round_id = open_round(engine)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(score: int) -> None:
        barrier.wait()
        try:
            answer(engine, round_id, user_id, score)
            outcomes.append("ok")
        except surveys.SurveyError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=run, args=(s,)) for s in (2, 5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sorted(outcomes) == ["already_answered", "ok"]
    assert counts(engine) == (1, 16, 1)


def test_concurrent_submissions_of_different_users_both_stored(engine):
    users = make_respondents(engine, {OPS: 2, TECH: 2})
    round_id = open_round(engine)
    everyone = users[OPS] + users[TECH]
    barrier = threading.Barrier(len(everyone))
    errors: list[BaseException] = []

    def run(user_id: int) -> None:
        barrier.wait()
        try:
            answer(engine, round_id, user_id, 3)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(u,)) for u in everyone]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert errors == [] and counts(engine) == (4, 4 * 16, 4)


def test_user_without_person_or_department_is_told_why(engine):
    with write(engine) as conn:
        loner = conn.execute(
            insert(User).values(
                username="loner",
                display_name="L",
                role="staff",
                password_hash="x",
                active=True,
                failed_logins=0,
                created_at=now(),
            )
        ).inserted_primary_key[0]
        person = conn.execute(insert(Person).values(name="无部门", active=True)).inserted_primary_key[0]
        nodept = conn.execute(
            insert(User).values(
                username="nodept",
                display_name="N",
                role="staff",
                password_hash="x",
                active=True,
                failed_logins=0,
                created_at=now(),
                person_id=person,
            )
        ).inserted_primary_key[0]
    round_id = open_round(engine)
    ids = dept_ids(engine)
    for user_id, code in ((loner, "no_person"), (nodept, "no_department")):
        with pytest.raises(surveys.SurveyError) as exc:
            surveys.submit(engine, round_id, user_id, {ids[OPS]: {"overall": 5}})
        assert exc.value.code == code
    assert counts(engine) == (0, 0, 0)


@pytest.mark.parametrize(
    ("answers", "code", "params"),
    [
        ({TECH: {"responsiveness": 5}}, "incomplete", {"department": TECH, "question": "communication"}),
        (
            {TECH: {"responsiveness": 6, "communication": 5, "handoff": 5, "overall": 5}},
            "bad_score",
            {"value": 6},
        ),
        ({OPS: {"responsiveness": 5, "communication": 5, "handoff": 5, "overall": 5}}, "bad_department", {}),
        ({TECH: {}}, "nothing_rated", {}),
    ],
)
def test_bad_answers_are_refused_and_nothing_stored(engine, answers, code, params):
    user_id = make_respondents(engine, {OPS: 1})[OPS][0]
    round_id = open_round(engine)
    ids = dept_ids(engine)
    with pytest.raises(surveys.SurveyError) as exc:
        surveys.submit(engine, round_id, user_id, {ids[d]: v for d, v in answers.items()})
    assert exc.value.code == code
    assert params.items() <= exc.value.params.items()
    assert counts(engine) == (0, 0, 0)


def test_comment_limit_and_round_state(engine):
    user_id = make_respondents(engine, {OPS: 1})[OPS][0]
    draft = surveys.create_round(engine, "草稿", "2026-12", "t_manager")
    with pytest.raises(surveys.SurveyError) as exc:
        answer(engine, draft, user_id)
    assert exc.value.code == "not_open"
    round_id = open_round(engine)
    with pytest.raises(surveys.SurveyError) as exc:
        answer(engine, round_id, user_id, comment="长" * (surveys.MAX_COMMENT_CHARS + 1))
    assert exc.value.code == "comment_too_long"
    surveys.close_round(engine, round_id, "t_manager")
    with pytest.raises(surveys.SurveyError) as exc:
        answer(engine, round_id, user_id)
    assert exc.value.code == "not_open"
    assert counts(engine) == (0, 0, 0)


def test_answering_writes_no_audit_entry(engine):
    user_id = make_respondents(engine, {OPS: 1})[OPS][0]
    round_id = open_round(engine)
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(AuditLog)).scalar_one()
    answer(engine, round_id, user_id)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditLog)).scalar_one() == before


def test_concurrent_submissions_across_a_flush(engine):
    """Twelve users at once with K = 5: flushes and table rebuilds run between submissions without a
    lost answer, an error or a deadlock; closing writes out the rest."""
    users = make_respondents(engine, {OPS: 4, TECH: 4, CS: 4})
    round_id = open_round(engine)
    everyone = [u for ids in users.values() for u in ids]
    barrier = threading.Barrier(len(everyone))
    errors: list[BaseException] = []

    def run(user_id: int) -> None:
        barrier.wait()
        try:
            answer(engine, round_id, user_id, 3)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(u,)) for u in everyone]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert errors == []
    with engine.connect() as conn:
        waiting = conn.execute(select(func.count()).select_from(SurveyAnswerBuffer)).scalar_one()
    assert waiting < 5  # every full batch was written out
    surveys.close_round(engine, round_id, "t_manager")
    assert counts(engine) == (12, 12 * 16, 12)


def test_closing_while_users_submit_loses_no_answer(engine):
    """Closing races eight submissions: each one lands before the closing (and is in the results) or
    is refused as "not open"; nothing is left in the buffer of a closed round."""
    users = make_respondents(engine, {OPS: 4, TECH: 4})
    round_id = open_round(engine)
    everyone = [u for ids in users.values() for u in ids]
    barrier = threading.Barrier(len(everyone) + 1)
    outcomes: list[str] = []

    def run(user_id: int) -> None:
        barrier.wait()
        try:
            answer(engine, round_id, user_id, 3)
            outcomes.append("ok")
        except surveys.SurveyError as exc:
            outcomes.append(exc.code)

    def close() -> None:
        barrier.wait()
        surveys.close_round(engine, round_id, "t_manager")

    threads = [threading.Thread(target=run, args=(u,)) for u in everyone] + [threading.Thread(target=close)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert len(outcomes) == 8 and set(outcomes) <= {"ok", "not_open"}
    stored, _, participation = counts(engine)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SurveyAnswerBuffer)).scalar_one() == 0
    assert stored == participation == outcomes.count("ok")
