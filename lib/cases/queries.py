"""Reading cases: one case with everything the page shows, owner choices, and the action items overview."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy import case as sql_case

from lib.cases.model import AI, CS, REV, C, Viewer, allowed_actions, can_view, item_overdue, visible
from lib.cases.searching import tags_of
from lib.core.auth import people_names
from lib.core.clock import today as clock_today
from lib.core.models import Person, User

SHOWN_STATUSES = ("submitted", "published")  # action items of these cases are followed up


def get_case(engine: Engine, viewer: Viewer, case_id: int) -> dict[str, Any] | None:
    """The case with tags, session ids, action items (owner names), revisions and version; None when it
    does not exist or this viewer may not see it (the page says "not found" either way)."""
    with engine.connect() as conn:
        row = conn.execute(select(C).where(C.c.id == case_id)).mappings().first()
        if row is None or not can_view(viewer, dict(row)):
            return None
        out = {k: v for k, v in dict(row).items() if k != "search_text"}
        out["tags"] = tags_of(conn, [case_id]).get(case_id, [])
        out["session_ids"] = sorted(
            conn.execute(select(CS.c.session_id).where(CS.c.case_id == case_id)).scalars()
        )
        out["action_items"] = [
            dict(r)
            for r in conn.execute(
                select(AI, Person.name.label("owner"))
                .outerjoin(Person, Person.id == AI.c.owner_person_id)
                .where(AI.c.case_id == case_id)
                .order_by(AI.c.id)
            ).mappings()
        ]
        revs = conn.execute(select(REV).where(REV.c.case_id == case_id).order_by(REV.c.id)).mappings().all()
        out["revisions"] = [{**dict(r), "changes": json.loads(r["changes"])} for r in revs]
        out["author_name"] = people_names(conn, [row["author"]]).get(row["author"], row["author"])
    out["actions"] = allowed_actions(viewer, out)
    return out


def people_choices(engine: Engine) -> list[tuple[int, str]]:
    """Active roster people (id, name) for action-item owners."""
    with engine.connect() as conn:
        return [
            (r.id, r.name)
            for r in conn.execute(
                select(Person.id, Person.name).where(Person.active.is_(True)).order_by(Person.name)
            )
        ]


def _items_query(today: dt.date) -> Any:
    overdue = sql_case(((AI.c.status == "open") & (AI.c.due_on < today), 1), else_=0)  # no NULL: sorts alike
    return (
        select(
            AI.c.id,
            AI.c.case_id,
            AI.c.description,
            AI.c.owner_person_id,
            Person.name.label("owner"),
            AI.c.due_on,
            AI.c.status,
            C.c.title.label("case_title"),
            C.c.status.label("case_status"),
        )
        .join(C, C.c.id == AI.c.case_id)
        .outerjoin(Person, Person.id == AI.c.owner_person_id)
        .order_by(
            overdue.desc(), sql_case((AI.c.due_on.is_(None), 1), else_=0), AI.c.due_on, Person.name, AI.c.id
        )
    )


def _with_overdue(rows: Sequence[Any], today: dt.date) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        d = dict(r)
        d["overdue"] = item_overdue(d, today)
        d["days_left"] = None if d["due_on"] is None else (d["due_on"] - today).days
        out.append(d)
    return out


def action_items_overview(
    engine: Engine,
    viewer: Viewer,
    owner_person_id: int | None = None,
    include_done: bool = False,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Action items of the submitted and published cases this viewer may see: overdue first, then by due
    date (none last), owner."""
    today = today or clock_today()
    query = _items_query(today).where(visible(viewer), C.c.status.in_(SHOWN_STATUSES))
    if owner_person_id is not None:
        query = query.where(AI.c.owner_person_id == owner_person_id)
    if not include_done:
        query = query.where(AI.c.status == "open")
    with engine.connect() as conn:
        return _with_overdue(conn.execute(query).mappings().all(), today)


def action_items_for_user(
    engine: Engine, username: str, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Open action items owned by the roster person linked to this user (submitted or published cases),
    overdue first; [] when the user has no linked person."""
    today = today or clock_today()
    with engine.connect() as conn:
        person_id = conn.execute(select(User.person_id).where(User.username == username)).scalar()
        if person_id is None:
            return []
        query = _items_query(today).where(
            AI.c.owner_person_id == person_id,
            AI.c.status == "open",
            C.c.status.in_(SHOWN_STATUSES),
        )
        return _with_overdue(conn.execute(query).mappings().all(), today)
