"""Anonymous cross-department collaboration surveys: rounds, answers, and results that cannot be traced.

What is stored for an answer (survey_submissions + survey_ratings): a random uuid4, the round, the
respondent's department, the scores given to each rated department and the optional comment. Not stored:
user id, name, IP, time. Participation (survey_participation: round id + user id, nothing else) is
written at once so each user answers once per round; its primary key refuses a second answer even under
concurrent submissions. The answer itself goes, in that same transaction, to survey_answer_buffer (random
id, round, the answer as JSON; no user, no time). In a later, separate transaction, once K answers wait
(or when the round closes), every answer of the round, buffered and already written, is rewritten under
new random ids in random order and the buffer emptied (`_flush`); then the files are scrubbed (`scrub`):
SQLite deletes with secure_delete and checkpoints the -wal with TRUNCATE, PostgreSQL and MariaDB rebuild
the three answer tables (VACUUM FULL / OPTIMIZE TABLE). Afterwards every answer carries the same
transaction (xmin / DB_TRX_ID) and a random place, shared by no participation row. Submissions are not
written to the audit log.

What remains (documented for the page's "what is stored" text):
- Before a flush, the fewer than K buffered answers were written in the same transaction as their
  participation rows (SQLite -wal frames, PostgreSQL xmin, InnoDB trx id): someone reading the database
  files during that window can match those few answers with the accounts that just answered.
- A scrub can be incomplete: SQLite cannot truncate the -wal while another connection holds a read
  snapshot (the next flush retries); server-side logs are beyond the app (PostgreSQL WAL segments and
  archives, MariaDB redo/undo logs and binlog, statement logging): keep statement logging off and database
  access to the people who run it.
- An answer must carry the respondent's department: a reader of the raw tables and the roster can narrow
  an answer down to the participants of that department in that round (to one person when only one
  answered). The pages never show such groups.

Results are only computed for closed rounds (watching live numbers change would single out the last
answer). Every figure is a group of responses; a group with fewer than K responses (setting, default
5, never below 3) shows neither scores nor counts, and complementary suppression (`suppress`) hides
further figures until no hidden figure, and no sum of hidden cells under K people, can be solved for from
the shown ones (rows, columns, round total, their score distributions). Filters are shown only when they
are sums of shown groups. Rated departments show no response count; means are rounded to 2 decimals and
distributions are shares in whole percent. The trend shows each closed round's shown figures only; a
closed round never changes (no answer after closing, no reopening).
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import re
import secrets
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from lib import targets
from lib.core import clock, i18n
from lib.core.db import audit, get_setting, set_setting, write
from lib.core.errors import CodedError
from lib.core.metrics import metric
from lib.core.models import (
    Department,
    Person,
    SurveyAnswerBuffer,
    SurveyParticipation,
    SurveyRating,
    SurveyRound,
    SurveySubmission,
    User,
)

DEFAULT_QUESTIONS: tuple[dict[str, str], ...] = (
    {"key": "responsiveness", "zh": "响应速度", "en": "Responsiveness"},
    {"key": "communication", "zh": "沟通效率", "en": "Communication"},
    {"key": "handoff", "zh": "交付质量", "en": "Handoff quality"},
    {"key": "overall", "zh": "总体满意度", "en": "Overall satisfaction"},
)
SCORES = (1, 2, 3, 4, 5)
DEFAULT_K = 5  # SPEC: groups under 5 responses show nothing
MIN_K = 3  # SPEC: the threshold may never go below 3
DEFAULT_COMMENT_K = 10  # comments are more identifying than means: a higher bar
K_SETTING = "survey_min_responses"
COMMENT_K_SETTING = "survey_min_comment_responses"
MAX_COMMENT_CHARS = 2000
MAX_QUESTIONS = 8
TREND_ROUNDS = 12  # closed rounds shown in the trend
TARGET_METRIC = "collab_satisfaction"
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_random = secrets.SystemRandom()


def _t(key: str, **params: object) -> str:
    """The session's language, until the surveys package's present code takes `lang` (house, step 2)."""
    from lib.web.i18n import t

    return t(key, **params)


class SurveyError(CodedError):
    """A user-facing refusal; `code` is an i18n key under survey.error, `params` fill it."""

    prefix = "survey.error"


@dataclass(frozen=True)
class Question:
    key: str
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class RoundInfo:
    id: int
    name: str
    period: str
    status: str  # draft / open / closed
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Thresholds:
    k: int
    comment_k: int


# --- settings -----------------------------------------------------------------------------------------


def _as_int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _thresholds(conn: Connection) -> Thresholds:
    k = max(MIN_K, _as_int(get_setting(conn, K_SETTING), DEFAULT_K))
    return Thresholds(k, max(k, _as_int(get_setting(conn, COMMENT_K_SETTING), DEFAULT_COMMENT_K)))


def thresholds(engine: Engine) -> Thresholds:
    """K for scores and counts, and the comment threshold (never below K, K never below MIN_K)."""
    with engine.connect() as conn:
        return _thresholds(conn)


def set_thresholds(engine: Engine, k: int, comment_k: int, actor: str) -> None:
    if int(k) < MIN_K:
        raise SurveyError("k_too_low", min=MIN_K, value=k)
    if int(comment_k) < int(k):
        raise SurveyError("comment_k_too_low", k=k, value=comment_k)
    with write(engine) as conn:
        set_setting(conn, K_SETTING, str(int(k)))
        set_setting(conn, COMMENT_K_SETTING, str(int(comment_k)))
        audit(conn, actor, "survey_thresholds", k=int(k), comment_k=int(comment_k))


# --- rounds -------------------------------------------------------------------------------------------


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


def _round_info(row) -> RoundInfo:
    questions = tuple(Question(q["key"], q["zh"], q["en"]) for q in json.loads(row.questions))
    return RoundInfo(row.id, row.name, row.period, row.status, questions)


def _validate_round(name: str, period: str) -> tuple[str, str]:
    name, period = (name or "").strip(), (period or "").strip()
    if not name or len(name) > 128:
        raise SurveyError("bad_name", value=name)
    if not _PERIOD_RE.match(period):
        raise SurveyError("bad_period", value=period)
    return name, period


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
        round_id = conn.execute(
            insert(SurveyRound).values(
                name=name,
                period=period,
                status="draft",
                questions=json.dumps([q.__dict__ for q in parsed], ensure_ascii=False),
                created_by=actor,
            )
        ).inserted_primary_key[0]
        audit(conn, actor, "survey_round_create", round_id=round_id, name=name, period=period)
    return int(round_id)


def _round_row(conn: Connection, round_id: int, lock: bool = False):
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


def update_questions(
    engine: Engine, round_id: int, questions: Iterable[Mapping[str, object]], actor: str
) -> None:
    parsed = parse_questions(questions)
    with write(engine) as conn:
        if _round_row(conn, round_id, lock=True).status != "draft":
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
        row = _round_row(conn, round_id, lock=True)
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
        if _round_row(conn, round_id, lock=True).status != "open":
            raise SurveyError("not_open")
        _flush(conn, round_id, 0)  # every answer is in the results from the moment the round closes
        conn.execute(update(SurveyRound).where(SurveyRound.id == round_id).values(status="closed"))
        audit(conn, actor, "survey_round_close", round_id=round_id)
    scrub(engine)


def list_rounds(engine: Engine) -> tuple[RoundInfo, ...]:
    """All rounds, newest period first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(SurveyRound.__table__).order_by(SurveyRound.period.desc(), SurveyRound.id.desc())
        ).all()
    return tuple(_round_info(r) for r in rows)


def current_round(engine: Engine) -> RoundInfo | None:
    """The open round, if any."""
    with engine.connect() as conn:
        row = conn.execute(
            select(SurveyRound.__table__).where(SurveyRound.status == "open").order_by(SurveyRound.id.desc())
        ).first()
    return None if row is None else _round_info(row)


def open_round_for(engine: Engine, user_id: int) -> tuple[int, str] | None:
    """An open round this user has not answered yet (for the home page), as (round id, name)."""
    answered = select(SurveyParticipation.round_id).where(SurveyParticipation.user_id == user_id)
    with engine.connect() as conn:
        row = conn.execute(
            select(SurveyRound.id, SurveyRound.name)
            .where(SurveyRound.status == "open", SurveyRound.id.not_in(answered))
            .order_by(SurveyRound.id.desc())
        ).first()
    return None if row is None else (int(row.id), row.name)


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


def _participation(round_id: int, user_id: int):
    return select(SurveyParticipation.user_id).where(
        SurveyParticipation.round_id == round_id, SurveyParticipation.user_id == user_id
    )


def has_answered(engine: Engine, round_id: int, user_id: int) -> bool:
    with engine.connect() as conn:
        return conn.execute(_participation(round_id, user_id)).first() is not None


def _has_answered(conn: Connection, round_id: int, user_id: int) -> bool:
    """The polite pre-check inside the submitting transaction (the primary key is the real guard)."""
    return conn.execute(_participation(round_id, user_id)).first() is not None


def departments(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Department.id, Department.name).order_by(Department.id)).all())


def respondent_department(engine: Engine, user_id: int) -> tuple[int, str]:
    """The department a user answers for: users.person_id -> people.department_id; else SurveyError."""
    with engine.connect() as conn:
        return _respondent_department(conn, user_id)


def _respondent_department(conn: Connection, user_id: int) -> tuple[int, str]:
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


# --- answering ----------------------------------------------------------------------------------------


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
            row = _round_row(conn, round_id, lock=True)  # serialises the round's submissions
            if row.status != "open":
                raise SurveyError("not_open")
            own_department, _ = _respondent_department(conn, user_id)
            ratings = _validated_ratings(answers, _round_info(row).questions, own_department, names)
            if _has_answered(conn, round_id, user_id):
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


def _flush(conn: Connection, round_id: int, min_batch: int) -> int:
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
    written = {
        row.id: {"from": row.from_department_id, "comment": row.comment, "ratings": []}
        for row in conn.execute(select(s.id, s.from_department_id, s.comment).where(s.round_id == round_id))
    }
    ids = select(s.id).where(s.round_id == round_id)
    for row in conn.execute(
        select(r.submission_id, r.to_department_id, r.question, r.score).where(r.submission_id.in_(ids))
    ):
        written[row.submission_id]["ratings"].append((row.to_department_id, row.question, row.score))
    batch = buffered + list(written.values())
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
    conn.execute(delete(SurveyAnswerBuffer).where(SurveyAnswerBuffer.round_id == round_id))
    conn.execute(delete(r).where(r.submission_id.in_(ids)))
    conn.execute(delete(s).where(s.round_id == round_id))
    conn.execute(insert(s), subs)
    conn.execute(insert(r), rats)
    return len(buffered)


def flush_answers(engine: Engine, round_id: int) -> int:
    """Write out the round's buffer when it holds K or more answers (its own transaction)."""
    with write(engine) as conn:
        if _round_row(conn, round_id, lock=True).status != "open":
            return 0
        return _flush(conn, round_id, _thresholds(conn).k)


ANSWER_TABLES = ("survey_answer_buffer", "survey_ratings", "survey_submissions")


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
    except DBAPIError:
        pass


# --- suppression --------------------------------------------------------------------------------------
#
# The published figures of a round form a two-way table: cells (rater department, rated department), row
# figures (how a department rates the others), column figures (how a department is rated) and the round
# total. Every figure's score counts are the sum of its cells' score counts, so what a reader can derive
# from the shown figures is exactly the linear span of the table's lines (row f: its cells minus its row
# figure; column t: its cells minus its column figure; the margin row and column: the column or row
# figures minus the total). Seen as a graph (nodes: rows, columns and the two margins; one edge per hidden
# figure), a hidden figure can be worked out if and only if its edge is a bridge (it lies on no cycle of
# hidden figures). The response counts of rater departments form a second, one-line system: the round's
# count is the sum of theirs.

Entry = tuple[str, object]  # ("cell", (rater, rated)) | ("row", rater) | ("col", rated)
_MARGIN = None  # the node of the margin row / margin column
_COST = {"cell": 1, "row": 1, "col": 3}  # rated-department figures feed scorecards: hide them last


@dataclass
class Suppression:
    """Hidden groups: the round total, rater rows (their figures), rated columns, (rater, rated) cells,
    and rater response counts (`counts`, always within `rows`)."""

    total: bool
    rows: set[int]
    cols: set[int]
    cells: set[tuple[int, int]]
    counts: set[int] = field(default_factory=set)


def _ends(entry: Entry) -> tuple[tuple[str, object], tuple[str, object]]:
    kind, key = entry
    if kind == "cell":
        return ("r", key[0]), ("c", key[1])
    if kind == "row":
        return ("r", key), ("c", _MARGIN)
    return ("r", _MARGIN), ("c", key)


def _connected(edges: Iterable[Entry], start: tuple[str, object], goal: tuple[str, object]) -> bool:
    graph: dict[tuple, list[tuple]] = defaultdict(list)
    for entry in edges:
        a, b = _ends(entry)
        graph[a].append(b)
        graph[b].append(a)
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        for nxt in graph[node]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def bridges(hidden: set[Entry]) -> list[Entry]:
    """Hidden figures that the shown ones determine (edges on no cycle of hidden figures)."""
    ordered = sorted(hidden, key=repr)
    return [e for e in ordered if not _connected([h for h in ordered if h != e], *_ends(e))]


def _cheapest_path(costs: Mapping[Entry, int], hidden: set[Entry], avoid: Entry) -> list[Entry] | None:
    """Dijkstra between the ends of `avoid` over every figure but it (hidden ones cost nothing)."""
    graph: dict[tuple, list[tuple[int, Entry, tuple]]] = defaultdict(list)
    for entry, cost in costs.items():
        if entry != avoid:
            a, b = _ends(entry)
            weight = 0 if entry in hidden else cost
            graph[a].append((weight, entry, b))
            graph[b].append((weight, entry, a))
    start, goal = _ends(avoid)
    best: dict[tuple, int] = {start: 0}
    back: dict[tuple, tuple[tuple, Entry]] = {}
    heap: list[tuple[int, str, tuple]] = [(0, repr(start), start)]
    while heap:
        dist, _, node = heapq.heappop(heap)
        if node == goal:
            path = []
            while node != start:
                node, entry = back[node]
                path.append(entry)
            return path
        if dist > best.get(node, dist):
            continue
        for weight, entry, nxt in sorted(graph[node], key=lambda x: (x[0], repr(x[1]))):
            if dist + weight < best.get(nxt, dist + weight + 1):
                best[nxt] = dist + weight
                back[nxt] = (node, entry)
                heapq.heappush(heap, (dist + weight, repr(nxt), nxt))
    return None


def _complete(members: Mapping[object, int], hidden: set, k: int) -> bool:
    """One line of the response counts: hidden members are none, or two or more with k between them."""
    shown = sorted((n, repr(m), m) for m, n in members.items() if m not in hidden)
    inside = [members[m] for m in members if m in hidden]
    changed = False
    while inside and shown and (len(inside) < 2 or sum(inside) < k):
        n, _, m = shown.pop(0)
        hidden.add(m)
        inside.append(n)
        changed = True
    return changed


_ENUMERATE_MAX = 16  # free 0/1 combinations searched exhaustively (2**16 at most)


def _rref(matrix: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form (floats; the table's coefficients are 0/1) and its pivot columns."""
    m = matrix.astype(float).copy()
    pivots: list[int] = []
    r = 0
    for c in range(m.shape[1]):
        if r == m.shape[0]:
            break
        p = r + int(np.argmax(np.abs(m[r:, c])))
        if abs(m[p, c]) < 1e-9:
            continue
        m[[r, p]] = m[[p, r]]
        m[r] /= m[r, c]
        others = np.arange(m.shape[0]) != r
        m[others] -= np.outer(m[others, c], m[r])
        pivots.append(c)
        r += 1
    return m[:r], pivots


def _shown_matrix(
    cells: list[tuple[int, int]], hidden: set[Entry], order: list[tuple[int, int]]
) -> np.ndarray:
    """One row per shown figure (total, rows, columns, cells) over the cells in `order`."""
    index = {c: i for i, c in enumerate(order)}
    groups = [cells]
    groups += [[c for c in cells if c[0] == f] for f in {c[0] for c in cells} if ("row", f) not in hidden]
    groups += [[c for c in cells if c[1] == t] for t in {c[1] for c in cells} if ("col", t) not in hidden]
    groups += [[c] for c in cells if ("cell", c) not in hidden]
    out = np.zeros((len(groups), len(order)))
    for i, group in enumerate(groups):
        out[i, [index[c] for c in group]] = 1
    return out


def _derivable(cells: list[tuple[int, int]], hidden: set[Entry], found: set[tuple[int, int]]) -> bool:
    """Whether the sum of the cells in `found` follows from the shown figures."""
    matrix = _shown_matrix(cells, hidden, cells)
    wanted = np.array([[1.0 if c in found else 0.0 for c in cells]])
    return np.linalg.matrix_rank(np.vstack([matrix, wanted])) == np.linalg.matrix_rank(matrix)


def _small_derived(
    cells: Mapping[tuple[int, int], int],
    hidden: set[Entry],
    k: int,
    people: Callable[[set[tuple[int, int]]], int],
) -> set[tuple[int, int]] | None:
    """A set of hidden cells whose sum follows from the shown figures but that holds fewer than k people
    (the empty set when there are too many combinations to search); None when there is none. Such a set
    holds only cells under k (its people number at least its largest cell), so only those are searched."""
    small = sorted(c for c, n in cells.items() if n < k and ("cell", c) in hidden)
    if not small:
        return None
    rest = sorted(c for c in cells if c not in small)
    order = (
        [c for c in rest if ("cell", c) not in hidden] + [c for c in rest if ("cell", c) in hidden] + small
    )
    rows, pivots = _rref(_shown_matrix(list(cells), hidden, order))
    first = len(order) - len(small)
    basis = rows[[i for i, p in enumerate(pivots) if p >= first]][:, first:]
    if len(basis) > _ENUMERATE_MAX:
        return set()
    if not len(basis):
        return None
    combos = np.array(list(itertools.product((0.0, 1.0), repeat=len(basis)))[1:])
    sums = combos @ basis
    binary = np.all(np.isclose(sums, 0) | np.isclose(sums, 1), axis=1)
    for vector in sums[binary]:
        found = {small[j] for j in np.flatnonzero(np.isclose(vector, 1))}
        if people(found) < k:
            return found
    return None


def suppress(
    total: int,
    rows: Mapping[int, int],
    cols: Mapping[int, int],
    cells: Mapping[tuple[int, int], int],
    k: int,
    signatures: Mapping[tuple[int, frozenset[int]], int] | None = None,
) -> Suppression:
    """Primary suppression (groups under k) plus complementary suppression, so that no hidden figure can
    be worked out from the shown ones and every sum of hidden cells that can be worked out along one line
    of the table holds k or more responses.

    `rows`: responses per rater department; `cols`: responses rating each department; `cells`: responses
    per (rater, rated); `signatures`: (rater, set of rated departments) -> responses, to count the people
    behind several cells of one row (without it the largest cell is the bound, which is safe)."""
    if total < k:
        return Suppression(True, set(rows), set(cols), set(cells), set(rows))

    def people(rater: int, rated: set[int]) -> int:
        if signatures is None:
            return max((cells[(rater, t)] for t in rated if (rater, t) in cells), default=0)
        return sum(n for (f, sig), n in signatures.items() if f == rater and sig & rated)

    def people_in(found: set[tuple[int, int]]) -> int:
        return sum(people(f, {t for ff, t in found if ff == f}) for f in {c[0] for c in found})

    counts: set[int] = {f for f, n in rows.items() if n < k}
    _complete(rows, counts, k)  # the response counts: the round count is their sum
    costs: dict[Entry, int] = {("cell", c): _COST["cell"] * n for c, n in cells.items()}
    costs.update({("row", f): _COST["row"] * n for f, n in rows.items()})
    costs.update({("col", t): _COST["col"] * n for t, n in cols.items()})
    hidden: set[Entry] = {("cell", c) for c, n in cells.items() if n < k}
    hidden |= {("col", t) for t, n in cols.items() if n < k}
    hidden |= {("row", f) for f in counts}

    def hide_cheapest(line: Iterable[Entry]) -> bool:
        shown = sorted((costs[e], repr(e), e) for e in line if e not in hidden)
        if not shown:
            return False
        hidden.add(shown[0][2])
        return True

    def small_line() -> bool:
        """Hide one more figure in the first line whose hidden cells are known together but hold < k."""
        for f in sorted(rows):
            if ("row", f) not in hidden:
                inside = {t for (ff, t) in cells if ff == f and ("cell", (ff, t)) in hidden}
                if inside and people(f, inside) < k:
                    return hide_cheapest(("cell", c) for c in cells if c[0] == f)
        for t in sorted(cols):
            if ("col", t) not in hidden:
                inside = sum(n for c, n in cells.items() if c[1] == t and ("cell", c) in hidden)
                if inside and inside < k:
                    return hide_cheapest(("cell", c) for c in cells if c[1] == t)
        hidden_rows = [f for f in rows if ("row", f) in hidden]
        if hidden_rows and sum(rows[f] for f in hidden_rows) < k:
            return hide_cheapest(("row", f) for f in rows)
        hidden_cols = {t for t in cols if ("col", t) in hidden}
        if hidden_cols and sum(people(f, hidden_cols) for f in rows) < k:
            return hide_cheapest(("col", t) for t in cols)
        return False

    while True:
        if small_line():
            continue
        found = bridges(hidden)
        if found:
            path = _cheapest_path(costs, hidden, found[0])
            if path is None:  # nothing can shield it without the round total: show nothing
                return Suppression(True, set(rows), set(cols), set(cells), set(rows))
            hidden.update(path)
            continue
        # Sums across several lines (e.g. total - a column - a row): hide the cheapest figure that breaks it.
        leak = _small_derived(cells, hidden, k, people_in)
        if leak is None:
            break
        shown = sorted((costs[e], repr(e), e) for e in costs if e not in hidden)
        if not shown:
            return Suppression(True, set(rows), set(cols), set(cells), set(rows))
        if leak:
            breaking = [e for _, _, e in shown if not _derivable(list(cells), hidden | {e}, leak)]
        else:  # too many combinations to search: fewer shown margins, fewer combinations
            breaking = [e for _, _, e in shown if e[0] != "cell"]
        hidden.add(breaking[0] if breaking else shown[0][2])
    return Suppression(
        False,
        {f for f in rows if ("row", f) in hidden},
        {t for t in cols if ("col", t) in hidden},
        {c for c in cells if ("cell", c) in hidden},
        counts,
    )


# --- results ------------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One group's result; when hidden, nothing but `shown=False`."""

    shown: bool
    n: int | None = None  # responses in the group; None where it would reveal another group's size
    mean: float | None = None  # all questions
    question_means: dict[str, float] = field(default_factory=dict)
    distribution: dict[str, tuple[float, ...]] = field(default_factory=dict)  # "all"/question -> shares 1..5

    def mean_for(self, question: str | None) -> float | None:
        return self.mean if question is None else self.question_means.get(question)


HIDDEN = Figure(False)


@dataclass
class RoundResults:
    round: RoundInfo
    thresholds: Thresholds
    available: bool  # False while the round is not closed
    departments: dict[int, str]
    target: float
    total: Figure
    rated: dict[int, Figure]  # how each department is rated by the others
    raters: dict[int, Figure]  # how each department rates the others (and its response count)
    pairs: dict[tuple[int, int], Figure]  # (rater, rated)
    eligible: dict[int, int]  # users per rater department when the round opened
    filtered: Figure | None = None  # the figure for the requested rater/rated filter
    responses: dict[int, int | None] = field(default_factory=dict)  # per rater department; None = hidden
    comments_shown: bool = False


def _figure(dist: Mapping[tuple[str, int], int], n: int | None) -> Figure:
    """Means re-divided from score sums; `dist` maps (question, score) to a count. Means are rounded to
    2 decimals and the distribution is given as shares in whole percent, so neither pins down the size
    of a group whose count is not shown (n=None)."""
    per_q: dict[str, list[int]] = defaultdict(lambda: [0] * len(SCORES))
    for (question, score), count in dist.items():
        per_q[question][score - 1] += count
    total = [sum(v[i] for v in per_q.values()) for i in range(len(SCORES))]

    def mean(counts: list[int]) -> float | None:
        ratings = sum(counts)
        return (
            round(sum(s * c for s, c in zip(SCORES, counts, strict=True)) / ratings, 2) if ratings else None
        )

    def shares(counts: list[int]) -> tuple[float, ...]:
        ratings = sum(counts) or 1
        return tuple(round(c / ratings, 2) for c in counts)

    return Figure(
        True,
        n,
        mean(total),
        {q: mean(v) for q, v in per_q.items()},
        {"all": shares(total), **{q: shares(v) for q, v in per_q.items()}},
    )


def collab_target(engine: Engine, period: str) -> float:
    """The company-wide collaboration target for a month, from the one target resolver (lib.targets)."""
    row = targets.resolve(targets.load_targets(engine), TARGET_METRIC, period, {})
    default = metric(TARGET_METRIC).default_target
    return float(row.value) if row is not None else float(default[1] if default else 4.5)


def round_results(
    engine: Engine, round_id: int, raters: tuple[int, ...] = (), rated: tuple[int, ...] = ()
) -> RoundResults:
    """All figures of a closed round after suppression; `raters`/`rated` filter (empty = all)."""
    s, r = SurveySubmission, SurveyRating
    joined = select().select_from(r).join(s, s.id == r.submission_id).where(s.round_id == round_id)
    with engine.connect() as conn:
        info = _round_info(_round_row(conn, round_id))
    target = collab_target(engine, info.period)
    with engine.connect() as conn:
        th = _thresholds(conn)
        names = dict(conn.execute(select(Department.id, Department.name).order_by(Department.id)).all())
        eligible = {int(d): n for d, n in json.loads(_round_row(conn, round_id).eligible or "{}").items()}
        empty = RoundResults(info, th, False, names, target, HIDDEN, {}, {}, {}, eligible)
        if info.status != "closed":
            return empty
        dist_rows = conn.execute(
            joined.add_columns(
                s.from_department_id, r.to_department_id, r.question, r.score, func.count()
            ).group_by(s.from_department_id, r.to_department_id, r.question, r.score)
        ).all()
        cell_n = conn.execute(
            joined.add_columns(
                s.from_department_id, r.to_department_id, func.count(s.id.distinct())
            ).group_by(s.from_department_id, r.to_department_id)
        ).all()
        col_n = conn.execute(
            joined.add_columns(r.to_department_id, func.count(s.id.distinct())).group_by(r.to_department_id)
        ).all()
        row_n = conn.execute(
            select(s.from_department_id, func.count())
            .where(s.round_id == round_id)
            .group_by(s.from_department_id)
        ).all()
        signature_rows = conn.execute(
            joined.add_columns(s.id, s.from_department_id, r.to_department_id).group_by(
                s.id, s.from_department_id, r.to_department_id
            )
        ).all()
        filter_n = None
        if raters or rated:
            q = joined.add_columns(func.count(s.id.distinct()))
            if raters:
                q = q.where(s.from_department_id.in_(raters))
            if rated:
                q = q.where(r.to_department_id.in_(rated))
            filter_n = int(conn.execute(q).scalar_one())
    rows = {int(f): int(n) for f, n in row_n}
    cols = {int(t): int(n) for t, n in col_n}
    cells = {(int(f), int(t)): int(n) for f, t, n in cell_n}
    total_n = sum(rows.values())
    rated_by: dict[str, tuple[int, set[int]]] = {}
    for sid, f, t in signature_rows:
        rated_by.setdefault(sid, (int(f), set()))[1].add(int(t))
    signatures: dict[tuple[int, frozenset[int]], int] = defaultdict(int)
    for f, ts in rated_by.values():
        signatures[(f, frozenset(ts))] += 1
    sup = suppress(total_n, rows, cols, cells, th.k, signatures)
    dist: dict[tuple[int, int], dict[tuple[str, int], int]] = defaultdict(dict)
    for f, t, question, score, count in dist_rows:
        dist[(int(f), int(t))][(question, int(score))] = int(count)

    def combine(keys: Iterable[tuple[int, int]], n: int) -> Figure:
        merged: dict[tuple[str, int], int] = defaultdict(int)
        for key in keys:
            for qs, count in dist.get(key, {}).items():
                merged[qs] += count
        return _figure(merged, n)

    res = RoundResults(info, th, True, names, target, HIDDEN, {}, {}, {}, eligible)
    res.comments_shown = not sup.total and total_n >= th.comment_k
    if sup.total:
        res.filtered = HIDDEN if filter_n is not None else None
        return res
    res.total = combine(cells, total_n)
    res.raters = {
        f: HIDDEN if f in sup.rows else combine([c for c in cells if c[0] == f], n) for f, n in rows.items()
    }
    res.responses = {f: None if f in sup.counts else n for f, n in rows.items()}
    # A rated department's count is not shown: total minus it is the size of that department's own
    # (possibly hidden) group of respondents, who cannot rate themselves.
    res.rated = {t: HIDDEN if t in sup.cols else combine([c for c in cells if c[1] == t], None) for t in cols}
    res.pairs = {c: HIDDEN if c in sup.cells else combine([c], n) for c, n in cells.items()}
    if filter_n is not None:
        res.filtered = _filtered(res, sup, cells, raters, rated, filter_n, th.k, combine)
    return res


def _filtered(res, sup, cells, raters, rated, n, k, combine) -> Figure:
    """A filter's figure is shown only when it is a sum of shown groups (so subtracting shown figures
    never yields a hidden one) and it has k or more responses itself."""
    chosen = [c for c in cells if (not raters or c[0] in raters) and (not rated or c[1] in rated)]
    if n < k or not chosen:
        return HIDDEN
    if not rated:
        parts_shown = all(f not in sup.rows for f in {c[0] for c in chosen})
    elif not raters:
        parts_shown = all(t not in sup.cols for t in {c[1] for c in chosen})
    else:
        parts_shown = all(c not in sup.cells for c in chosen)
    return combine(chosen, None if rated else n) if parts_shown else HIDDEN


def round_comments(engine: Engine, round_id: int) -> tuple[str, ...] | None:
    """The comments of a closed round in random order, or None below the comment threshold."""
    with engine.connect() as conn:
        th = _thresholds(conn)
        if _round_row(conn, round_id).status != "closed":
            return None
        n = conn.execute(select(func.count()).where(SurveySubmission.round_id == round_id)).scalar_one()
        if n < th.comment_k:
            return None
        texts = list(
            conn.execute(
                select(SurveySubmission.comment).where(
                    SurveySubmission.round_id == round_id, SurveySubmission.comment.is_not(None)
                )
            ).scalars()
        )
    _random.shuffle(texts)
    return tuple(texts)


def department_scores(engine: Engine, period: str) -> dict[str, float | None]:
    """Collaboration satisfaction per department for a month (scorecards): the mean of all ratings the
    department received in the latest closed round of that period; None when hidden or no round."""
    names = departments(engine)
    with engine.connect() as conn:
        round_id = conn.execute(
            select(SurveyRound.id)
            .where(SurveyRound.period == period, SurveyRound.status == "closed")
            .order_by(SurveyRound.id.desc())
        ).scalar()
    out: dict[str, float | None] = {name: None for name in names.values()}
    if round_id is None:
        return out
    res = round_results(engine, int(round_id))
    for dept_id, fig in res.rated.items():
        out[names[dept_id]] = fig.mean if fig.shown else None
    return out


def trend(engine: Engine, question: str | None = None) -> pd.DataFrame:
    """Shown department means of the last closed rounds: period, round, department, mean."""
    with engine.connect() as conn:
        ids = (
            conn.execute(
                select(SurveyRound.id)
                .where(SurveyRound.status == "closed")
                .order_by(SurveyRound.period.desc(), SurveyRound.id.desc())
                .limit(TREND_ROUNDS)
            )
            .scalars()
            .all()
        )
    records = []
    for round_id in reversed(ids):
        res = round_results(engine, round_id)
        for dept_id, fig in res.rated.items():
            value = fig.mean_for(question) if fig.shown else None
            if value is not None:
                records.append(
                    {
                        "period": res.round.period,
                        "round": res.round.name,
                        "department": res.departments[dept_id],
                        "mean": value,
                    }
                )
    return pd.DataFrame(records, columns=["period", "round", "department", "mean"])


# --- frames, JSON and charts for the page and the CLI -------------------------------------------------


def rated_frame(res: RoundResults, question: str | None = None) -> pd.DataFrame:
    """One row per rated department: mean (NaN when hidden) and gap to target (counts: see round_results)."""
    records = []
    for dept_id, name in res.departments.items():
        fig = res.rated.get(dept_id)
        if fig is None:
            continue
        mean = fig.mean_for(question) if fig.shown else None
        records.append(
            {
                "department": name,
                "shown": fig.shown,
                "mean": mean,
                "gap": None if mean is None else round(mean - res.target, 2),
                "meets_target": None if mean is None else mean >= res.target,
            }
        )
    return pd.DataFrame(records, columns=["department", "shown", "mean", "gap", "meets_target"])


def shown_groups(res: RoundResults) -> dict[str, Figure]:
    """Shown rated departments, then shown (rater → rated) pairs, by label: for the distribution picker."""
    names = res.departments
    out = {names[d]: fig for d, fig in sorted(res.rated.items()) if fig.shown}
    out.update({f"{names[a]} → {names[b]}": fig for (a, b), fig in sorted(res.pairs.items()) if fig.shown})
    return out


def pair_frame(res: RoundResults, question: str | None = None) -> pd.DataFrame:
    """The (rater, rated) matrix in long form; hidden cells keep their place with no numbers."""
    records = [
        {
            "rater": res.departments[f],
            "rated": res.departments[t],
            "shown": fig.shown,
            "responses": fig.n if fig.shown else None,
            "mean": fig.mean_for(question) if fig.shown else None,
        }
        for (f, t), fig in sorted(res.pairs.items())
    ]
    return pd.DataFrame(records, columns=["rater", "rated", "shown", "responses", "mean"])


def response_frame(res: RoundResults) -> pd.DataFrame:
    """Response rate per rater department: responses / users when the round opened (shown groups only)."""
    records = []
    for dept_id, name in res.departments.items():
        responses = res.responses.get(dept_id)
        users = res.eligible.get(dept_id)
        if dept_id not in res.responses and not users:
            continue
        shown = responses is not None
        rate = responses / users if shown and users else None
        records.append(
            {
                "department": name,
                "shown": shown,
                "responses": responses,
                "users": users,
                "rate": rate,
            }
        )
    return pd.DataFrame(records, columns=["department", "shown", "responses", "users", "rate"])


def display_table(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Text cells for st.dataframe: numbers formatted, hidden groups marked, headers translated."""
    formats = {"mean": "{:.2f}", "gap": "{:+.2f}", "rate": "{:.0%}", "responses": "{:.0f}", "users": "{:.0f}"}
    hidden = _t("survey.results.hidden")
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        fmt = formats.get(column)
        values = frame[column]
        if fmt is not None:
            values = values.map(lambda v, fmt=fmt: fmt.format(v) if pd.notna(v) else "")
        elif column == "meets_target":
            values = values.map(lambda v: "" if v is None or pd.isna(v) else ("✓" if v else "✗"))
        if column not in ("department", "rater", "rated", "users"):
            values = values.where(frame["shown"].astype(bool), hidden)
        out[_t(f"survey.results.{column}")] = values.astype(str)
    return out


def rounds_table(rounds: tuple[RoundInfo, ...]) -> pd.DataFrame:
    """The round list for the management tab, headers and status translated."""
    return pd.DataFrame(
        [
            {
                _t("survey.rounds.name"): r.name,
                _t("survey.rounds.period"): r.period,
                _t("survey.rounds.status"): _t(f"survey.rounds.status_{r.status}"),
            }
            for r in rounds
        ]
    )


def _fig_json(fig: Figure) -> dict:
    if not fig.shown:
        return {"shown": False}
    return {
        "shown": True,
        **({"responses": fig.n} if fig.n is not None else {}),
        "mean": fig.mean,
        "questions": fig.question_means,
        "distribution": {k: dict(zip(map(str, SCORES), v, strict=True)) for k, v in fig.distribution.items()},
    }


def results_json(res: RoundResults) -> dict:
    """The CLI's JSON: the same suppressed figures as the page; comments only as "shown"/count."""
    names = res.departments
    rate = response_frame(res)
    return {
        "round": {
            "id": res.round.id,
            "name": res.round.name,
            "period": res.round.period,
            "status": res.round.status,
        },
        "available": res.available,
        "thresholds": {"k": res.thresholds.k, "comment_k": res.thresholds.comment_k},
        "target": res.target,
        "total": _fig_json(res.total),
        "rated": [{"department": names[d], **_fig_json(f)} for d, f in sorted(res.rated.items())],
        "raters": [{"department": names[d], **_fig_json(f)} for d, f in sorted(res.raters.items())],
        "pairs": [
            {"rater": names[a], "rated": names[b], **_fig_json(f)} for (a, b), f in sorted(res.pairs.items())
        ],
        "response_rates": [
            {"department": r.department, "shown": bool(r.shown)}
            | ({"responses": int(r.responses), "users": r.users, "rate": r.rate} if r.shown else {})
            for r in rate.itertuples()
        ],
        "comments": {"shown": res.comments_shown},
    }


def pair_heatmap(res: RoundResults, question: str | None = None) -> alt.Chart:
    """Heat map of the pair matrix: colour = mean (1–5), hidden cells grey with a marker."""
    frame = pair_frame(res, question)
    hidden = _t("survey.results.hidden")
    data = frame.assign(label=frame["mean"].map(lambda v: f"{v:.2f}" if pd.notna(v) else hidden))
    base = alt.Chart(data).encode(
        x=alt.X("rated:N", title=_t("survey.results.rated"), axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("rater:N", title=_t("survey.results.rater")),
    )
    rect = base.mark_rect().encode(
        color=alt.condition(
            "datum.shown",
            alt.Color(
                "mean:Q",
                scale=alt.Scale(domain=[1, 5], domainMid=res.target, scheme="redyellowgreen"),
                title=None,
            ),
            alt.value("#d9d9d9"),
        ),
        tooltip=["rater:N", "rated:N", alt.Tooltip("mean:Q", format=".2f"), "responses:Q"],
    )
    return (rect + base.mark_text(fontSize=13).encode(text="label:N")).properties(height=alt.Step(44))


def _target_rule(target: float) -> alt.Chart:
    return alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[6, 4]).encode(y="target:Q")


def target_bars(frame: pd.DataFrame, target: float) -> alt.Chart:
    """Shown department means as bars (green when on target) with the target as a dashed rule."""
    bars = (
        alt.Chart(frame[frame["shown"] & frame["mean"].notna()])
        .mark_bar()
        .encode(
            x=alt.X("department:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("mean:Q", scale=alt.Scale(domain=[0, 5]), title=_t("survey.results.mean")),
            color=alt.condition(alt.datum.meets_target, alt.value("#2e7d32"), alt.value("#c62828")),
            tooltip=["department:N", alt.Tooltip("mean:Q", format=".2f")],
        )
    )
    return bars + _target_rule(target)


def distribution_chart(shares: tuple[float, ...]) -> alt.Chart:
    """Share of each score 1–5 (whole percent)."""
    data = pd.DataFrame({"score": list(SCORES), "share": list(shares)})
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("score:O", title=_t("survey.results.score"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title=_t("survey.results.share"), axis=alt.Axis(format="%")),
            tooltip=["score", alt.Tooltip("share:Q", format=".0%")],
        )
    )


def trend_chart(frame: pd.DataFrame, target: float) -> alt.Chart:
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("mean:Q", scale=alt.Scale(domain=[1, 5]), title=_t("survey.results.mean")),
            color=alt.Color("department:N", title=None),
            tooltip=["round:N", "department:N", alt.Tooltip("mean:Q", format=".2f")],
        )
    )
    return lines + _target_rule(target)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(value: object) -> str:
    """User-entered text (round names, department names, refused values) made inert inside markdown."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def message(exc: SurveyError, lang: str = i18n.DEFAULT_LANGUAGE, questions: Iterable[Question] = ()) -> str:
    """A refusal in the user's language (question keys shown as their text), escaped for markdown."""
    params = dict(exc.params)
    labels = {q.key: q.label(lang) for q in questions}
    if params.get("question") in labels:
        params["question"] = labels[params["question"]]
    return i18n.translate(f"survey.error.{exc.code}", lang, **{k: md(v) for k, v in params.items()})


DEMO_COMMENTS = (
    "希望需求变更能提前一天同步，临时改脚本太赶。",
    "直播前的设备检查清单很有用，建议固定下来。",
    "商品信息表经常最后一刻才定稿，影响主播准备。",
    "客服和场控的交接可以再清楚一点，谁回复哪类问题。",
    "技术支持响应很快，点赞。",
    "复盘会能不能控制在 30 分钟内。",
)


def load_demo_rounds(engine: Engine, periods: Iterable[str], seed: int = 42, actor: str = "demo") -> int:
    """Demo data only: a closed round per period, answered by about 85% of each department's active
    roster people. Demo people have no logins, so the answers are written without participation rows;
    a round's `eligible` counts roster people. Returns the number of answers written."""
    rng = random.Random(seed)
    names = departments(engine)
    with engine.connect() as conn:
        sizes = dict(
            conn.execute(
                select(Person.department_id, func.count())
                .where(Person.active.is_(True), Person.department_id.is_not(None))
                .group_by(Person.department_id)
            ).all()
        )
    mood = {d: rng.uniform(3.7, 4.5) for d in names}
    written = 0
    for step, period in enumerate(periods):
        round_id = create_round(engine, f"{period} 跨部门协作满意度", period, actor)
        subs, rats = [], []
        for dept, size in sizes.items():
            for _ in range(size):
                if rng.random() > 0.85:
                    continue
                sid = str(uuid.uuid4())
                comment = rng.choice(DEMO_COMMENTS) if rng.random() < 0.4 else None
                subs.append({"id": sid, "round_id": round_id, "from_department_id": dept, "comment": comment})
                for other in names:
                    if other != dept:
                        for q in DEFAULT_QUESTIONS:
                            score = min(5, max(1, round(rng.gauss(mood[other] + 0.08 * step, 0.6))))
                            rats.append(
                                {
                                    "submission_id": sid,
                                    "to_department_id": other,
                                    "question": q["key"],
                                    "score": score,
                                }
                            )
        with write(engine) as conn:
            conn.execute(
                update(SurveyRound)
                .where(SurveyRound.id == round_id)
                .values(status="closed", eligible=json.dumps({str(d): int(n) for d, n in sizes.items()}))
            )
            if subs:
                conn.execute(insert(SurveySubmission), subs)
                conn.execute(insert(SurveyRating), rats)
        written += len(subs)
    return written


def today_period() -> str:
    return clock.today().strftime("%Y-%m")
