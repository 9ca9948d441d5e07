"""Who may see which session (the rule: lib.core.access.may_see_session), read from the database: the
review page, a case pre-filled from a session and the upload preview's notes all ask these."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, select

from lib import kpis
from lib.core import access
from lib.core.models import LiveSession

LS = LiveSession.__table__


def may_see_session(engine: Engine, session_id: int, role: str | None, person_id: int | None) -> bool:
    """True when the session exists and this user (role, roster person) may see it."""
    with engine.connect() as conn:
        found = conn.execute(select(LS.c.host_person_id).where(LS.c.id == session_id)).first()
    return found is not None and access.may_see_session(role, person_id, found.host_person_id)


def visible_sessions(
    engine: Engine, session_ids: Iterable[int], role: str | None, person_id: int | None
) -> frozenset[int]:
    """The sessions among `session_ids` this user may see (those that exist)."""
    wanted = sorted({int(i) for i in session_ids})
    if not wanted:
        return frozenset()
    with engine.connect() as conn:
        rows = conn.execute(select(LS.c.id, LS.c.host_person_id).where(LS.c.id.in_(wanted))).all()
    return frozenset(r.id for r in rows if access.may_see_session(role, person_id, r.host_person_id))


def pickable_sessions(
    engine: Engine, role: str | None, person_id: int | None, limit: int = 200, lang: str = "zh"
) -> list[tuple[int, str]]:
    """(id, label) of the latest sessions this user may see, for a session picker."""
    if access.sees_every_session(role):
        return kpis.recent_sessions(engine, limit, lang)
    if person_id is None or not access.may_see_session(role, person_id, person_id):
        return []
    return kpis.recent_sessions(engine, limit, lang, hosted_by=person_id)
