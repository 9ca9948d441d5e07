"""A case's input checked and cleaned before any write: every refusal names the field (and the row of an
action item) and the value."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Connection, select

from lib.cases.model import (
    BODY_FIELDS,
    ITEM_STATUSES,
    LS,
    MAX_CATEGORY,
    MAX_COMMENT,
    MAX_ITEMS,
    MAX_SESSIONS,
    MAX_TAG,
    MAX_TAGS,
    MAX_TEXT,
    MAX_TITLE,
    CaseError,
    CaseInput,
    ItemInput,
    Viewer,
)
from lib.core import access
from lib.core.clock import today as clock_today
from lib.core.models import Person
from lib.core.platforms import PLATFORMS

TAG_SPLIT = re.compile(r"[,，、;；\n]+")


def parse_tags(raw: str) -> tuple[str, ...]:
    """Tags from a text box: separated by commas (, ，), 、, semicolons or new lines; a leading # dropped."""
    out: list[str] = []
    for part in TAG_SPLIT.split(raw or ""):
        tag = " ".join(part.strip().lstrip("#").split())
        if tag and tag not in out:
            out.append(tag)
    return tuple(out)


def clean_text(value: str | None) -> str:
    """A body text as stored: Windows line ends as \\n, outer whitespace dropped."""
    return (value or "").replace("\r\n", "\n").strip()


def validate(conn: Connection, data: CaseInput, today: dt.date | None = None) -> CaseInput:
    """The input cleaned, or CaseError naming the field (and row of an action item) and the value."""
    title = _check_header(data, today or clock_today())
    category = " ".join((data.category or "").split()) or None
    if category and len(category) > MAX_CATEGORY:
        raise CaseError("too_long", field="category", max=MAX_CATEGORY, length=len(category))
    body = {f: clean_text(getattr(data, f)) for f in BODY_FIELDS}
    for name, text in body.items():
        if len(text) > MAX_TEXT:
            raise CaseError("too_long", field=name, max=MAX_TEXT, length=len(text))
    if not any(body.values()):
        raise CaseError("body_required")
    return CaseInput(
        title,
        data.case_date,
        data.platform or None,
        category,
        tags=_check_tags(data.tags),
        session_ids=_check_sessions(conn, data.session_ids),
        action_items=validate_items(conn, data.action_items),
        **body,
    )


def _check_header(data: CaseInput, today: dt.date) -> str:
    title = " ".join((data.title or "").split())
    if not title:
        raise CaseError("title_required")
    if len(title) > MAX_TITLE:
        raise CaseError("too_long", field="title", max=MAX_TITLE, length=len(title))
    if data.case_date is None:
        raise CaseError("date_required")
    if data.case_date > today + dt.timedelta(days=1):
        raise CaseError("future_date", value=data.case_date.isoformat())
    if data.platform and data.platform not in PLATFORMS:
        raise CaseError("bad_platform", value=data.platform)
    return title


def _check_tags(raw: tuple[str, ...]) -> tuple[str, ...]:
    tags = tuple(dict.fromkeys(" ".join(t.split()) for t in raw if t.strip()))
    if len(tags) > MAX_TAGS:
        raise CaseError("too_many_tags", max=MAX_TAGS, count=len(tags))
    for tag in tags:
        if len(tag) > MAX_TAG:
            raise CaseError("tag_too_long", value=tag[:20] + "…", max=MAX_TAG)
    return tags


def check_session_access(
    conn: Connection, viewer: Viewer, session_ids: tuple[int, ...], keep: tuple[int, ...] = ()
) -> None:
    """A case shows its sessions' numbers to whoever reads it: staff link only sessions they may see (the
    review page's rule, lib.core.access), besides those the case already links (`keep`). A session they
    may not see is refused like a missing one (it says nothing about whether it exists)."""
    new = [int(s) for s in session_ids if int(s) not in set(keep)]
    if not new or access.sees_every_session(viewer.role):
        return
    hosts = dict(conn.execute(select(LS.c.id, LS.c.host_person_id).where(LS.c.id.in_(new))).all())
    refused = [
        s for s in new if s in hosts and not access.may_see_session(viewer.role, viewer.person_id, hosts[s])
    ]
    if refused:
        raise CaseError("unknown_session", value=refused[0])


def _check_sessions(conn: Connection, raw: tuple[int, ...]) -> tuple[int, ...]:
    sessions = tuple(dict.fromkeys(int(s) for s in raw))
    if len(sessions) > MAX_SESSIONS:
        raise CaseError("too_many_sessions", max=MAX_SESSIONS)
    if sessions:
        found = set(conn.execute(select(LS.c.id).where(LS.c.id.in_(sessions))).scalars())
        missing = [s for s in sessions if s not in found]
        if missing:
            raise CaseError("unknown_session", value=missing[0])
    return sessions


def validate_items(conn: Connection, items: tuple[ItemInput, ...]) -> tuple[ItemInput, ...]:
    """The action items cleaned (blank rows dropped), or CaseError naming the row."""
    out = []
    rows = [i for i in items if (i.description or "").strip() or i.owner_person_id or i.due_on]
    if len(rows) > MAX_ITEMS:
        raise CaseError("too_many_items", max=MAX_ITEMS)
    owners = {i.owner_person_id for i in rows if i.owner_person_id is not None}
    known = set(conn.execute(select(Person.id).where(Person.id.in_(owners))).scalars()) if owners else set()
    for pos, item in enumerate(rows, start=1):
        text = clean_text(item.description)
        if not text:
            raise CaseError("item_description_required", row=pos)
        if len(text) > MAX_COMMENT:
            raise CaseError("item_too_long", row=pos, max=MAX_COMMENT)
        if item.owner_person_id is not None and item.owner_person_id not in known:
            raise CaseError("unknown_owner", row=pos, value=item.owner_person_id)
        if item.status not in ITEM_STATUSES:
            raise CaseError("bad_item_status", row=pos, value=item.status)
        out.append(ItemInput(text, item.owner_person_id, item.due_on, item.status, item.id))
    return tuple(out)
