"""The monthly self-assessment (月度自评表, seed 004): each staff member writes strengths, shortfalls and
next month's plan for a month; their manager reads it and comments. Validate -> write -> audit.

Who may read one: the person (the user linked to them), their manager and admins; nobody else, whatever
the URL. *Their manager*: a user with the access role manager whose roster person is in the person's
team (小组); for a person without a team, in their department. (An admin reads but does not comment.)
The person writes from the month's first day until WRITE_DAYS after it ends; the manager comments until
COMMENT_DAYS after it ends. The audit log records who saved which month and how long each text was,
never the text (it stays where only those three can read it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, and_, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from lib.core import clock, forms
from lib.core.auth import CurrentUser
from lib.core.dates import month_bounds
from lib.core.db import audit, now, write
from lib.core.errors import CodedError
from lib.core.models import Person, SelfAssessment, User
from lib.scorecards.definitions import MONTH_RE

TEXT_MAX = 2000  # characters per field
WRITE_DAYS = 7  # the person edits until the 7th of the following month (end of day)
COMMENT_DAYS = 14  # the manager comments until the 14th of the following month
FIELDS = ("strengths", "shortfalls", "next_plan")
SA = SelfAssessment.__table__


class AssessmentError(CodedError):
    """A refused self-assessment or comment; `code` is a key under scorecards.assess.error."""

    prefix = "scorecards.assess.error"


@dataclass(frozen=True)
class Assessment:
    person_id: int
    month: str
    strengths: str
    shortfalls: str
    next_plan: str
    written_by: str
    written_at: dt.datetime
    manager_comment: str | None
    commented_by: str | None
    commented_at: dt.datetime | None
    version: int


@dataclass(frozen=True)
class Window:
    """What can still be done for a month today."""

    writable: bool  # by the person
    commentable: bool  # by their manager
    write_until: dt.date
    comment_until: dt.date


def window(month: str, today: dt.date | None = None) -> Window:
    if not MONTH_RE.match(month or ""):
        raise AssessmentError("month", value=month)
    start, end = month_bounds(month)
    today = today or clock.today()
    write_until, comment_until = end + dt.timedelta(days=WRITE_DAYS), end + dt.timedelta(days=COMMENT_DAYS)
    return Window(start <= today <= write_until, start <= today <= comment_until, write_until, comment_until)


def _placement(conn: Connection, person_id: int) -> tuple[int | None, int | None] | None:
    row = conn.execute(select(Person.team_id, Person.department_id).where(Person.id == person_id)).first()
    return None if row is None else (row.team_id, row.department_id)


def is_their_manager(conn: Connection, user: CurrentUser, person_id: int) -> bool:
    """The user is a manager in the person's team (or, for a person without a team, department)."""
    if user.role != "manager" or user.person_id is None or user.person_id == person_id:
        return False
    theirs, mine = _placement(conn, person_id), _placement(conn, user.person_id)
    if theirs is None or mine is None:
        return False
    if theirs[0] is not None:
        return theirs[0] == mine[0]
    return theirs[1] is not None and theirs[1] == mine[1]


def can_read(engine: Engine, user: CurrentUser, person_id: int) -> bool:
    if user.role == "admin" or user.person_id == person_id:
        return True
    with engine.connect() as conn:
        return is_their_manager(conn, user, person_id)


def can_comment(engine: Engine, user: CurrentUser, person_id: int) -> bool:
    with engine.connect() as conn:
        return is_their_manager(conn, user, person_id)


def read(engine: Engine, user: CurrentUser, person_id: int, month: str) -> Assessment | None:
    """The person's self-assessment of `month` (None: not written); AssessmentError("forbidden") for
    anyone but the person, their manager and admins."""
    if not can_read(engine, user, person_id):
        raise AssessmentError("forbidden")
    with engine.connect() as conn:
        row = (
            conn.execute(select(SA).where(SA.c.person_id == person_id, SA.c.month == month))
            .mappings()
            .first()
        )
    return None if row is None else Assessment(**{k: row[k] for k in Assessment.__dataclass_fields__})


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise AssessmentError("required", field=field)
    if len(text) > TEXT_MAX:
        raise AssessmentError("too_long", field=field, max=TEXT_MAX, length=len(text))
    return text


def save(
    engine: Engine,
    user: CurrentUser,
    month: str,
    texts: dict[str, str | None],
    version: int = 0,
    token: str | None = None,
    today: dt.date | None = None,
) -> None:
    """Write or rewrite the user's own self-assessment of `month`. `version` is what the form loaded (0:
    none yet): a save in between raises forms.StaleEdit. `token`: the form's write-once token."""
    if user.person_id is None:
        raise AssessmentError("not_linked")
    w = window(month, today)
    if not w.writable:
        raise AssessmentError("closed", month=month, until=w.write_until.isoformat())
    texts_clean = {f: _text(texts.get(f), f) for f in FIELDS}
    values: dict[str, object] = {**texts_clean, "written_by": user.username, "written_at": now()}
    where = and_(SA.c.person_id == user.person_id, SA.c.month == month)
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "self_assessment", user.username)
        stored = conn.execute(select(SA.c.version, SA.c.written_by, SA.c.written_at).where(where)).first()
        if stored is None and version == 0:
            try:  # the unique (person, month) refuses a concurrent first save
                conn.execute(SA.insert().values(person_id=user.person_id, month=month, **values))
            except IntegrityError:
                raise forms.StaleEdit(None, None) from None
        elif stored is None or not forms.update_if_version(conn, SA, where, version, values):
            raise forms.StaleEdit(*(stored[1:] if stored else (None, None)))
        lengths = {f: len(texts_clean[f]) for f in FIELDS}
        audit(conn, user.username, "self_assessment.save", person_id=user.person_id, month=month, **lengths)


def comment(
    engine: Engine,
    user: CurrentUser,
    person_id: int,
    month: str,
    text: str | None,
    version: int,
    token: str | None = None,
    today: dt.date | None = None,
) -> None:
    """Their manager's comment on a written self-assessment (replacing an earlier comment)."""
    w = window(month, today)
    if not can_comment(engine, user, person_id):
        raise AssessmentError("not_manager")
    if not w.commentable:
        raise AssessmentError("comment_closed", month=month, until=w.comment_until.isoformat())
    body = _text(text, "manager_comment")
    where = and_(SA.c.person_id == person_id, SA.c.month == month)
    values = {"manager_comment": body, "commented_by": user.username, "commented_at": now()}
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "self_assessment_comment", user.username)
        stored = conn.execute(select(SA.c.id, SA.c.commented_by, SA.c.commented_at).where(where)).first()
        if stored is None:
            raise AssessmentError("not_written")
        if not forms.update_if_version(conn, SA, where, version, values):
            raise forms.StaleEdit(stored.commented_by, stored.commented_at)
        audit(
            conn, user.username, "self_assessment.comment", person_id=person_id, month=month, length=len(body)
        )


def display_names(engine: Engine, usernames: set[str]) -> dict[str, str]:
    """Who wrote or commented, as the page names them."""
    with engine.connect() as conn:
        rows = conn.execute(select(User.username, User.display_name).where(User.username.in_(usernames)))
        return {u: d or u for u, d in rows}
