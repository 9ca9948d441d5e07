"""Reads shared by the survey workflows and pages: thresholds, rounds, departments, the respondent's
department. The `*_in(conn, ...)` forms run inside a caller's transaction."""

from __future__ import annotations

import json

from sqlalchemy import Connection, Engine, Row, select, update

from lib.core.db import get_setting
from lib.core.models import Department, Person, SurveyRound, User
from lib.surveys.model import (
    COMMENT_K_SETTING,
    DEFAULT_COMMENT_K,
    DEFAULT_K,
    K_SETTING,
    MIN_K,
    Question,
    RoundInfo,
    SurveyError,
    Thresholds,
)


def _as_int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def thresholds_in(conn: Connection) -> Thresholds:
    k = max(MIN_K, _as_int(get_setting(conn, K_SETTING), DEFAULT_K))
    return Thresholds(k, max(k, _as_int(get_setting(conn, COMMENT_K_SETTING), DEFAULT_COMMENT_K)))


def thresholds(engine: Engine) -> Thresholds:
    """K for scores and counts, and the comment threshold (never below K, K never below MIN_K)."""
    with engine.connect() as conn:
        return thresholds_in(conn)


def round_info(row: Row) -> RoundInfo:
    questions = tuple(Question(q["key"], q["zh"], q["en"]) for q in json.loads(row.questions))
    return RoundInfo(row.id, row.name, row.period, row.status, questions)


def round_row(conn: Connection, round_id: int, lock: bool = False) -> Row:
    """The round's row; `lock` serialises the round's submissions, flushes and closing."""
    if isinstance(round_id, bool) or not isinstance(round_id, int) or not 1 <= round_id < 2**31:
        raise SurveyError("no_round", value=round_id)  # out of the id column's range: no such round
    query = select(SurveyRound.__table__).where(SurveyRound.id == round_id)
    if lock and conn.dialect.name == "sqlite":
        # pysqlite begins the transaction only at the first write, and SQLite has no row locks: write
        # first, so the round's submissions, flushes and closing run one after another.
        conn.execute(update(SurveyRound).where(SurveyRound.id == round_id).values(status=SurveyRound.status))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise SurveyError("no_round", value=round_id)
    return row


def list_rounds(engine: Engine) -> tuple[RoundInfo, ...]:
    """All rounds, newest period first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(SurveyRound.__table__).order_by(SurveyRound.period.desc(), SurveyRound.id.desc())
        ).all()
    return tuple(round_info(r) for r in rows)


def current_round(engine: Engine) -> RoundInfo | None:
    """The open round, if any."""
    with engine.connect() as conn:
        row = conn.execute(
            select(SurveyRound.__table__).where(SurveyRound.status == "open").order_by(SurveyRound.id.desc())
        ).first()
    return None if row is None else round_info(row)


def departments(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return departments_in(conn)


def departments_in(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(select(Department.id, Department.name).order_by(Department.id)).all())


def respondent_department(engine: Engine, user_id: int) -> tuple[int, str]:
    """The department a user answers for: users.person_id -> people.department_id; else SurveyError."""
    with engine.connect() as conn:
        return respondent_department_in(conn, user_id)


def respondent_department_in(conn: Connection, user_id: int) -> tuple[int, str]:
    row = conn.execute(
        select(User.person_id, Person.department_id, Department.name)
        .select_from(User)
        .outerjoin(Person, Person.id == User.person_id)
        .outerjoin(Department, Department.id == Person.department_id)
        .where(User.id == user_id)
    ).first()
    if row is None or row.person_id is None:
        raise SurveyError("no_person")
    if row.department_id is None:
        raise SurveyError("no_department")
    return int(row.department_id), row.name
