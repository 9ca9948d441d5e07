"""Answering a round: participation, the answer buffer and its flushes, and the scrub of the files.

What is stored for an answer (survey_submissions + survey_ratings): a random uuid4, the round, the
respondent's department, the scores given to each rated department and the optional comment. Not stored:
user id, name, IP, time. Participation (survey_participation: round id + user id, nothing else) is
written at once so each user answers once per round; its primary key refuses a second answer even under
concurrent submissions. The answer itself goes, in that same transaction, to survey_answer_buffer (random
id, round, the answer as JSON; no user, no time). In a later, separate transaction, once K answers wait
(or when the round closes), every answer of the round, buffered and already written, is rewritten under
new random ids in random order and the buffer emptied (`flush_in`); then the files are scrubbed (`scrub`):
SQLite deletes with secure_delete and checkpoints the -wal with TRUNCATE, PostgreSQL and MariaDB rebuild
the three answer tables (VACUUM FULL / OPTIMIZE TABLE). Afterwards every answer carries the same
transaction (xmin / DB_TRX_ID) and a random place, shared by no participation row. Submissions are not
written to the audit log. What remains is listed in the package's docstring.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Mapping

from sqlalchemy import Connection, Engine, Select, delete, func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from lib.core.db import write
from lib.core.models import (
    SurveyAnswerBuffer,
    SurveyParticipation,
    SurveyRating,
    SurveyRound,
    SurveySubmission,
)
from lib.surveys.model import MAX_COMMENT_CHARS, SCORES, Question, SurveyError
from lib.surveys.queries import (
    departments,
    respondent_department_in,
    round_info,
    round_row,
    thresholds_in,
)

ANSWER_TABLES = ("survey_answer_buffer", "survey_ratings", "survey_submissions")
_random = secrets.SystemRandom()


# --- participation ------------------------------------------------------------------------------------


def _participation(round_id: int, user_id: int) -> Select:
    return select(SurveyParticipation.user_id).where(
        SurveyParticipation.round_id == round_id, SurveyParticipation.user_id == user_id
    )


def has_answered(engine: Engine, round_id: int, user_id: int) -> bool:
    with engine.connect() as conn:
        return conn.execute(_participation(round_id, user_id)).first() is not None


def answered_in(conn: Connection, round_id: int, user_id: int) -> bool:
    """The polite pre-check inside the submitting transaction (the primary key is the real guard)."""
    return conn.execute(_participation(round_id, user_id)).first() is not None


def response_count(engine: Engine, round_id: int) -> int:
    """How many have answered the round (what a respondent sees after answering)."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(SurveyParticipation)
                .where(SurveyParticipation.round_id == round_id)
            ).scalar_one()
        )


def may_answer(engine: Engine, user_id: int) -> bool:
    """Whether this user may answer survey rounds: the rule `submit` applies (a roster person with a
    department, lib.surveys.queries.respondent_department_in); the home page invites only such users."""
    with engine.connect() as conn:
        return may_answer_in(conn, user_id)


def may_answer_in(conn: Connection, user_id: int) -> bool:
    try:
        respondent_department_in(conn, user_id)
    except SurveyError:
        return False
    return True


def open_round_for(engine: Engine, user_id: int) -> tuple[int, str] | None:
    """An open round this user may answer and has not answered yet (the home page's invitation), as
    (round id, name)."""
    answered = select(SurveyParticipation.round_id).where(SurveyParticipation.user_id == user_id)
    with engine.connect() as conn:
        if not may_answer_in(conn, user_id):
            return None
        row = conn.execute(
            select(SurveyRound.id, SurveyRound.name)
            .where(SurveyRound.status == "open", SurveyRound.id.not_in(answered))
            .order_by(SurveyRound.id.desc())
        ).first()
    return None if row is None else (int(row.id), row.name)


# --- submitting ---------------------------------------------------------------------------------------


def _validated_ratings(
    answers: Mapping[int, Mapping[str, int | None]],
    questions: tuple[Question, ...],
    own_department: int,
    names: Mapping[int, str],
) -> list[tuple[int, str, int]]:
    """(rated department, question, score) rows; a department left wholly blank means "no contact"."""
    keys = [q.key for q in questions]
    rows: list[tuple[int, str, int]] = []
    for dept_id, scores in answers.items():
        if dept_id not in names or dept_id == own_department:
            raise SurveyError("bad_department", value=dept_id)
        given = {k: scores.get(k) for k in keys}
        if all(v is None for v in given.values()):
            continue
        missing = [q.key for q in questions if given[q.key] is None]
        if missing:
            raise SurveyError("incomplete", department=names[dept_id], question=missing[0])
        for key, score in given.items():
            if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
                raise SurveyError("bad_score", department=names[dept_id], question=key, value=score)
            rows.append((int(dept_id), key, int(score)))
    if not rows:
        raise SurveyError("nothing_rated")
    return rows


def submit(
    engine: Engine,
    round_id: int,
    user_id: int,
    answers: Mapping[int, Mapping[str, int | None]],
    comment: str | None = None,
) -> None:
    """Record that the user answered and put the answer in the round's buffer (one transaction); a second
    answer of the same user to the same round raises SurveyError("already_answered"), also when both
    race. In a separate transaction afterwards, a buffer holding K or more answers is written out."""
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT_CHARS:
        raise SurveyError("comment_too_long", max=MAX_COMMENT_CHARS, value=len(comment))
    names = departments(engine)
    try:
        with write(engine) as conn:
            row = round_row(conn, round_id, lock=True)  # serialises the round's submissions
            if row.status != "open":
                raise SurveyError("not_open")
            own_department, _ = respondent_department_in(conn, user_id)
            ratings = _validated_ratings(answers, round_info(row).questions, own_department, names)
            if answered_in(conn, round_id, user_id):
                raise SurveyError("already_answered")
            conn.execute(insert(SurveyParticipation).values(round_id=round_id, user_id=user_id))
            answer = {"from": own_department, "comment": comment, "ratings": ratings}
            conn.execute(
                insert(SurveyAnswerBuffer).values(
                    id=str(uuid.uuid4()), round_id=round_id, answer=json.dumps(answer, ensure_ascii=False)
                )
            )
    except IntegrityError:
        # The participation primary key refused a concurrent second answer: nothing was stored.
        if has_answered(engine, round_id, user_id):
            raise SurveyError("already_answered") from None
        raise
    try:
        if flush_answers(engine, round_id):
            scrub(engine)
    except DBAPIError:
        pass  # the answer is saved in the buffer; the next flush or the closing writes it out


# --- flushing and scrubbing ---------------------------------------------------------------------------


def _written_answers(conn: Connection, round_id: int) -> list[dict]:
    """The round's answers already in survey_submissions + survey_ratings, in the buffer's JSON shape."""
    s, r = SurveySubmission, SurveyRating
    written = {
        row.id: {"from": row.from_department_id, "comment": row.comment, "ratings": []}
        for row in conn.execute(select(s.id, s.from_department_id, s.comment).where(s.round_id == round_id))
    }
    ids = select(s.id).where(s.round_id == round_id)
    for row in conn.execute(
        select(r.submission_id, r.to_department_id, r.question, r.score).where(r.submission_id.in_(ids))
    ):
        written[row.submission_id]["ratings"].append((row.to_department_id, row.question, row.score))
    return list(written.values())


def flush_in(conn: Connection, round_id: int, min_batch: int) -> int:
    """When the round's buffer holds at least `min_batch` answers (and one or more), rewrite all of the
    round's answers, the buffered ones and those already written, under new random ids in random order:
    batches leave no trace (every answer carries this transaction and a random place), so neither the
    last batch nor the one left over at closing can be matched with the participants of its time.
    Returns how many buffered answers were moved."""
    buffered = [
        json.loads(a)
        for a in conn.execute(
            select(SurveyAnswerBuffer.answer).where(SurveyAnswerBuffer.round_id == round_id)
        ).scalars()
    ]
    if not buffered or len(buffered) < min_batch:
        return 0
    s, r = SurveySubmission, SurveyRating
    batch = buffered + _written_answers(conn, round_id)
    _random.shuffle(batch)
    subs, rats = [], []
    for answer in batch:
        sid = str(uuid.uuid4())
        subs.append(
            {
                "id": sid,
                "round_id": round_id,
                "from_department_id": answer["from"],
                "comment": answer["comment"],
            }
        )
        rats += [
            {"submission_id": sid, "to_department_id": d, "question": q, "score": s}
            for d, q, s in answer["ratings"]
        ]
    _random.shuffle(rats)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")  # deleted rows are zeroed in the file
    ids = select(s.id).where(s.round_id == round_id)
    conn.execute(delete(SurveyAnswerBuffer).where(SurveyAnswerBuffer.round_id == round_id))
    conn.execute(delete(r).where(r.submission_id.in_(ids)))
    conn.execute(delete(s).where(s.round_id == round_id))
    conn.execute(insert(s), subs)
    conn.execute(insert(r), rats)
    return len(buffered)


def flush_answers(engine: Engine, round_id: int) -> int:
    """Write out the round's buffer when it holds K or more answers (its own transaction)."""
    with write(engine) as conn:
        if round_row(conn, round_id, lock=True).status != "open":
            return 0
        return flush_in(conn, round_id, thresholds_in(conn).k)


def scrub(engine: Engine) -> None:
    """After a flush, drop what the database files still hold of the rows it deleted: SQLite's -wal
    (checkpoint, then truncate), PostgreSQL's dead tuples and MariaDB's freed records (each answer table
    rebuilt into a new file: VACUUM FULL / OPTIMIZE TABLE; they are small)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # busy readers: the next flush retries
        return
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            postgresql = engine.dialect.name == "postgresql"
            # A long reader must not hold up an answer that is already saved: give up, the next flush retries.
            conn.exec_driver_sql(
                "SET lock_timeout = '5s'" if postgresql else "SET SESSION lock_wait_timeout = 5"
            )
            for table in ANSWER_TABLES:
                if postgresql:
                    conn.exec_driver_sql(f"VACUUM FULL {table}")
                else:
                    conn.exec_driver_sql(f"OPTIMIZE TABLE {table}").all()
            if postgresql:
                _revacuum_empty_buffer(conn)
    except DBAPIError:
        pass


def _revacuum_empty_buffer(conn: Connection, attempts: int = 3) -> None:
    """An empty answer buffer whose file still has pages kept dead tuples that another backend's snapshot
    (e.g. a connection still starting up) could see during VACUUM FULL: try again a moment later."""
    for _ in range(attempts):
        empty = not conn.exec_driver_sql("SELECT 1 FROM survey_answer_buffer LIMIT 1").first()
        pages = conn.exec_driver_sql("SELECT pg_relation_size('survey_answer_buffer')").scalar()
        if not empty or not pages:
            return
        time.sleep(0.2)
        conn.exec_driver_sql("VACUUM FULL survey_answer_buffer")
