"""Write-once form submissions and optimistic versions (no Streamlit here; the page side is lib/form_ui.py).

A form gets a token when it is rendered; the write that the form triggers records the token in
`form_submissions` inside its own transaction, first. The token is the primary key, so a second submission
of the same form (a double tap, a rerun, a second process) fails on the key and its transaction writes
nothing. A refused edit based on an older version carries who changed the row and when.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lib.core.db import now
from lib.core.models import AuditLog, FormSubmission, User

FS = FormSubmission.__table__


class AlreadySubmitted(Exception):
    """This form's token was already used by a write that committed."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


class StaleEdit(Exception):
    """The row changed since the editor loaded it; `by` and `at` name the change (either may be None)."""

    def __init__(self, by: str | None, at: dt.datetime | None) -> None:
        super().__init__(f"stale: changed by {by} at {at}")
        self.by = by
        self.at = at


# A form left open longer than this is treated as a new form: its token may be forgotten (a Streamlit
# session does not live that long), so the table holds about a month of submissions, not all of them.
KEEP_DAYS = 30
_last_prune: dict[str, dt.date] = {}  # per database URL: pruned at most once a day per process


def prune(engine: Engine, keep_days: int = KEEP_DAYS) -> int:
    """Forget the tokens of submissions older than `keep_days` (own short transaction); how many went."""
    cutoff = now() - dt.timedelta(days=keep_days)
    with engine.begin() as conn:
        return int(conn.execute(delete(FS).where(FS.c.created_at < cutoff)).rowcount or 0)


def prune_daily(engine: Engine) -> int:
    """`prune` once a day per process and database (called after a form's write; cheap otherwise)."""
    url, today = engine.url.render_as_string(hide_password=True), now().date()
    if _last_prune.get(url) == today:
        return 0
    _last_prune[url] = today
    return prune(engine)


def new_token() -> str:
    return secrets.token_hex(16)


def claim(conn: Connection, token: str, form: str, username: str | None) -> None:
    """Record `token` in the caller's transaction (call it before the write). A token already recorded,
    or being recorded by a concurrent transaction that then commits, raises AlreadySubmitted; the caller's
    transaction must then end without committing (the `with write()` block does so on the exception)."""
    try:
        conn.execute(insert(FS).values(token=token, form=form, username=username, created_at=now()))
    except IntegrityError:
        raise AlreadySubmitted(token) from None


def record_result(conn: Connection, token: str, result_id: int | None) -> None:
    """Remember what the write made, so a resubmission can point at it."""
    conn.execute(update(FS).where(FS.c.token == token).values(result_id=result_id))


def result_of(engine: Engine, token: str) -> int | None:
    """The id the submission with `token` produced (None when unknown)."""
    with engine.connect() as conn:
        return conn.execute(select(FS.c.result_id).where(FS.c.token == token)).scalar()


def submissions(engine: Engine, form: str) -> int:
    """How many submissions of `form` wrote (for tests and the audit)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(FS).where(FS.c.form == form)).scalar() or 0)


def update_if_version(
    conn: Connection, table: Table, where: ColumnElement[bool], version: int, values: dict[str, Any]
) -> bool:
    """UPDATE the row matching `where` only if its version is still `version`, and bump the version.
    False when no row matched: somebody saved in between (the caller raises its stale error)."""
    result = conn.execute(
        update(table).where(where, table.c.version == version).values(**values, version=table.c.version + 1)
    )
    return result.rowcount == 1


def last_audited_change(conn: Connection, action: str, subject_key: str, subject: str) -> StaleEdit:
    """A StaleEdit naming the last audited `action` on `subject` (its detail has subject_key=subject):
    who did it (display name when known) and when. For rows that keep no "changed by" column."""
    needle = json.dumps({subject_key: subject}, ensure_ascii=False)[
        1:-1
    ]  # '"user": "name"' as audit() writes
    row = conn.execute(
        select(func.coalesce(User.display_name, AuditLog.username).label("by"), AuditLog.at)
        .outerjoin(User, User.username == AuditLog.username)
        .where(AuditLog.action == action, AuditLog.detail.contains(needle, autoescape=True))
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).first()
    return StaleEdit(row.by if row else None, row.at if row else None)
