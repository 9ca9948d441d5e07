"""Round workflows: draft (with editable questions) -> open (one at a time) -> closed (for good), and the
anonymity thresholds. Each validates, writes in one transaction and leaves an audit entry."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from sqlalchemy import Engine, func, insert, select, update

from lib.core import clock, forms
from lib.core.dates import month_of
from lib.core.db import audit, inserted_id, set_setting, write
from lib.core.models import Person, SurveyRound, User
from lib.surveys.answering import flush_in, scrub
from lib.surveys.model import (
    COMMENT_K_SETTING,
    DEFAULT_QUESTIONS,
    K_SETTING,
    MAX_QUESTIONS,
    MIN_K,
    Question,
    SurveyError,
)
from lib.surveys.queries import round_row

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def set_thresholds(engine: Engine, k: int, comment_k: int, actor: str, token: str | None = None) -> None:
    """The anonymity thresholds (the settings page's); `token`: the form's write-once token."""
    if int(k) < MIN_K:
        raise SurveyError("k_too_low", min=MIN_K, value=k)
    if int(comment_k) < int(k):
        raise SurveyError("comment_k_too_low", k=k, value=comment_k)
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "settings", actor)
        set_setting(conn, K_SETTING, str(int(k)))
        set_setting(conn, COMMENT_K_SETTING, str(int(comment_k)))
        audit(conn, actor, "survey_thresholds", k=int(k), comment_k=int(comment_k))


def _text(value: object) -> str:
    """A cell of the question editor as text (None and NaN of an empty new row become "")."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def parse_questions(rows: Iterable[Mapping[str, object]]) -> tuple[Question, ...]:
    """Validate edited questions (key, zh, en); the message names the row and the field."""
    out: list[Question] = []
    for number, row in enumerate(rows, start=1):
        values = {f: _text(row.get(f)) for f in ("key", "zh", "en")}
        if not any(values.values()):
            continue  # an empty row left by the editor
        if not _KEY_RE.match(values["key"]):
            raise SurveyError("bad_question_key", row=number, value=values["key"])
        for lang in ("zh", "en"):
            if not values[lang] or len(values[lang]) > 64:
                raise SurveyError("bad_question_label", row=number, field=lang, value=values[lang])
        if any(q.key == values["key"] for q in out):
            raise SurveyError("duplicate_question", row=number, value=values["key"])
        out.append(Question(**values))
    if not 1 <= len(out) <= MAX_QUESTIONS:
        raise SurveyError("question_count", max=MAX_QUESTIONS, value=len(out))
    return tuple(out)


def _validate_round(name: str, period: str) -> tuple[str, str]:
    name, period = (name or "").strip(), (period or "").strip()
    if not name or len(name) > 128:
        raise SurveyError("bad_name", value=name)
    if not _PERIOD_RE.match(period):
        raise SurveyError("bad_period", value=period)
    return name, period


def today_period() -> str:
    """The current month as a round period (the new-round form's default)."""
    return month_of(clock.today())


def create_round(
    engine: Engine,
    name: str,
    period: str,
    actor: str,
    questions: Iterable[Mapping[str, object]] | None = None,
) -> int:
    """A draft round with SPEC's questions (or the given ones); questions stay editable until it opens."""
    name, period = _validate_round(name, period)
    parsed = parse_questions(questions if questions is not None else DEFAULT_QUESTIONS)
    with write(engine) as conn:
        inserted = conn.execute(
            insert(SurveyRound).values(
                name=name,
                period=period,
                status="draft",
                questions=json.dumps([q.__dict__ for q in parsed], ensure_ascii=False),
                created_by=actor,
            )
        )
        round_id = inserted_id(inserted)
        audit(conn, actor, "survey_round_create", round_id=round_id, name=name, period=period)
    return int(round_id)


def update_questions(
    engine: Engine, round_id: int, questions: Iterable[Mapping[str, object]], actor: str
) -> None:
    parsed = parse_questions(questions)
    with write(engine) as conn:
        if round_row(conn, round_id, lock=True).status != "draft":
            raise SurveyError("not_draft")
        conn.execute(
            update(SurveyRound)
            .where(SurveyRound.id == round_id)
            .values(questions=json.dumps([q.__dict__ for q in parsed], ensure_ascii=False))
        )
        audit(conn, actor, "survey_questions", round_id=round_id, questions=[q.key for q in parsed])


def open_round(engine: Engine, round_id: int, actor: str) -> None:
    """Open a draft (one open round at a time) and freeze how many users each department has."""
    with write(engine) as conn:
        row = round_row(conn, round_id, lock=True)
        if row.status != "draft":
            raise SurveyError("not_draft")
        other = conn.execute(select(SurveyRound.name).where(SurveyRound.status == "open")).first()
        if other is not None:
            raise SurveyError("another_open", name=other.name)
        eligible = conn.execute(
            select(Person.department_id, func.count())
            .select_from(User)
            .join(Person, Person.id == User.person_id)
            .where(User.active.is_(True), Person.department_id.is_not(None))
            .group_by(Person.department_id)
        ).all()
        conn.execute(
            update(SurveyRound)
            .where(SurveyRound.id == round_id)
            .values(status="open", eligible=json.dumps({str(d): int(n) for d, n in eligible}))
        )
        audit(conn, actor, "survey_round_open", round_id=round_id)


def close_round(engine: Engine, round_id: int, actor: str) -> None:
    """Close an open round for good (reopening would let results be differenced across answers)."""
    with write(engine) as conn:
        if round_row(conn, round_id, lock=True).status != "open":
            raise SurveyError("not_open")
        flush_in(conn, round_id, 0)  # every answer is in the results from the moment the round closes
        conn.execute(update(SurveyRound).where(SurveyRound.id == round_id).values(status="closed"))
        audit(conn, actor, "survey_round_close", round_id=round_id)
    scrub(engine)
