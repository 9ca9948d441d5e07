"""Writing cases: create, edit (with versions and form tokens), workflow steps and action-item status.

Staff (and managers) write a draft and submit it; a manager publishes it, sends it back to draft with a
comment, or archives it. Every save and every step writes a revision (who, when, {field: [old, new]})
and bumps the case's version, so a save based on an older version is refused (naming who saved in
between, and when) instead of silently overwriting.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from lib.cases.model import (
    AI,
    BODY_FIELDS,
    CS,
    CT,
    EDIT_FIELDS,
    ITEM_STATUSES,
    MAX_COMMENT,
    REV,
    TRANSITIONS,
    C,
    CaseError,
    CaseInput,
    ItemInput,
    Viewer,
    allowed_actions,
    can_edit,
    can_view,
    is_manager,
)
from lib.cases.searching import search_text, tags_of
from lib.cases.validation import check_session_access, clean_text, validate
from lib.core import forms
from lib.core.db import audit, inserted_id, now, write
from lib.core.models import Person, User


def _item_summary(item: dict[str, Any] | ItemInput, names: dict[int, str]) -> str:
    get: Callable[[str], Any] = item.get if isinstance(item, dict) else lambda k: getattr(item, k)
    owner = names.get(get("owner_person_id"), "") if get("owner_person_id") else ""
    due = get("due_on").isoformat() if get("due_on") else ""
    return f"{get('description')} | {owner} | {due} | {get('status')}"


def _revision(conn: Connection, case_id: int, username: str, changes: dict[str, Any]) -> None:
    conn.execute(
        insert(REV).values(
            case_id=case_id,
            at=now(),
            username=username,
            changes=json.dumps(changes, ensure_ascii=False, default=str),
        )
    )


def _names(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(select(Person.id, Person.name)).all())


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def create_case(engine: Engine, viewer: Viewer, data: CaseInput, token: str | None = None) -> int:
    """A new draft by `viewer`; returns its id. A form's `token` makes it happen once (lib.core.forms)."""
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "case_new", viewer.username)
        check_session_access(conn, viewer, data.session_ids)
        case_id = insert_case(conn, viewer.username, data)
        if token:
            forms.record_result(conn, token, case_id)
        return case_id


def insert_case(
    conn: Connection, username: str, data: CaseInput, status: str = "draft", today: dt.date | None = None
) -> int:
    """Validate and insert a case with its tags, sessions, items and first revision (caller's transaction)."""
    data = validate(conn, data, today)
    stamp = now()
    values = {f: getattr(data, f) for f in EDIT_FIELDS}
    inserted = conn.execute(
        insert(C).values(
            **values,
            author=username,
            status=status,
            created_at=stamp,
            updated_at=stamp,
            search_text=search_text(data.title, values, data.tags),
        )
    )
    case_id = inserted_id(inserted)
    _write_links(conn, case_id, data)
    names = _names(conn)
    changes: dict[str, Any] = {f: [None, _jsonable(values[f])] for f in EDIT_FIELDS if values[f]}
    changes["status"] = [None, status]
    if data.tags:
        changes["tags"] = [None, list(data.tags)]
    if data.session_ids:
        changes["sessions"] = [None, list(data.session_ids)]
    if data.action_items:
        changes["action_items"] = [None, [_item_summary(i, names) for i in data.action_items]]
    _revision(conn, case_id, username, changes)
    audit(conn, username, "case_create", case_id=case_id)
    return int(case_id)


def _write_links(conn: Connection, case_id: int, data: CaseInput) -> None:
    for tag in data.tags:
        conn.execute(insert(CT).values(case_id=case_id, tag=tag))
    for sid in data.session_ids:
        conn.execute(insert(CS).values(case_id=case_id, session_id=sid))
    for item in data.action_items:
        conn.execute(
            insert(AI).values(
                case_id=case_id,
                description=item.description,
                status=item.status,
                owner_person_id=item.owner_person_id,
                due_on=item.due_on,
            )
        )


def _locked_row(conn: Connection, case_id: int) -> dict[str, Any]:
    row = conn.execute(select(C).where(C.c.id == case_id).with_for_update()).mappings().first()
    if row is None:
        raise CaseError("not_found", value=case_id)
    return dict(row)


def _stale(conn: Connection, case_id: int) -> CaseError:
    """The refusal of an edit based on an older version, naming the last change (who, when)."""
    last = conn.execute(
        select(func.coalesce(User.display_name, REV.c.username).label("by"), REV.c.at)
        .outerjoin(User, User.username == REV.c.username)
        .where(REV.c.case_id == case_id)
        .order_by(REV.c.id.desc())
        .limit(1)
    ).first()
    by, at = (last.by, last.at) if last else (None, None)
    return CaseError("stale", by=by or "—", at=at.strftime("%Y-%m-%d %H:%M") if at else "—")


def _editable_row(conn: Connection, viewer: Viewer, case_id: int, version: int | None) -> dict[str, Any]:
    """The case locked for an edit by `viewer`, or the refusal (not found, not editable, stale)."""
    row = _locked_row(conn, case_id)
    if not can_view(viewer, row):
        raise CaseError("not_found", value=case_id)
    if not can_edit(viewer, row):
        raise CaseError("cannot_edit", status=row["status"])
    if version is not None and row["version"] != version:
        raise _stale(conn, case_id)
    return row


def _edit_changes(
    conn: Connection, row: dict[str, Any], data: CaseInput, old_items: list[dict[str, Any]]
) -> dict[str, Any]:
    """{field: [old, new]} of an edit, tags, sessions and action items (as summaries) included."""
    case_id = row["id"]
    old_tags = list(
        conn.execute(select(CT.c.tag).where(CT.c.case_id == case_id).order_by(CT.c.tag)).scalars()
    )
    old_sessions = sorted(conn.execute(select(CS.c.session_id).where(CS.c.case_id == case_id)).scalars())
    changes: dict[str, Any] = {
        f: [_jsonable(row[f]), _jsonable(getattr(data, f))]
        for f in EDIT_FIELDS
        if (row[f] or None) != (getattr(data, f) or None)
    }
    if sorted(data.tags) != old_tags:
        changes["tags"] = [old_tags, sorted(data.tags)]
    if sorted(data.session_ids) != old_sessions:
        changes["sessions"] = [old_sessions, sorted(data.session_ids)]
    names = _names(conn)
    before = [_item_summary(i, names) for i in old_items]
    after = [_item_summary(i, names) for i in data.action_items]
    if before != after:
        changes["action_items"] = [before, after]
    return changes


def _replace_links(conn: Connection, case_id: int, data: CaseInput, old_items: list[dict[str, Any]]) -> None:
    conn.execute(delete(CT).where(CT.c.case_id == case_id))
    conn.execute(delete(CS).where(CS.c.case_id == case_id))
    # Items keep their ids (an owner may be marking one done meanwhile); removed ones are deleted.
    kept = {i.id for i in data.action_items if i.id is not None}
    old_ids = {i["id"] for i in old_items}
    conn.execute(delete(AI).where(AI.c.case_id == case_id, AI.c.id.notin_(sorted(kept) or [-1])))
    for item in data.action_items:
        values = {
            "description": item.description,
            "owner_person_id": item.owner_person_id,
            "due_on": item.due_on,
            "status": item.status,
        }
        if item.id is not None and item.id in old_ids:
            conn.execute(update(AI).where(AI.c.id == item.id).values(**values))
        else:
            conn.execute(insert(AI).values(case_id=case_id, **values))
    _write_links(
        conn, case_id, CaseInput(data.title, data.case_date, tags=data.tags, session_ids=data.session_ids)
    )


def update_case(
    engine: Engine,
    viewer: Viewer,
    case_id: int,
    data: CaseInput,
    version: int | None = None,
    token: str | None = None,
) -> None:
    """Save an edit; `version` is the case's version the editor started from: when another save came in
    between, the edit is refused (CaseError "stale", naming who saved and when) and nothing is written.
    A form's `token` makes the save happen once (lib.core.forms)."""
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "case_edit", viewer.username)
        row = _editable_row(conn, viewer, case_id, version)
        linked = tuple(conn.execute(select(CS.c.session_id).where(CS.c.case_id == case_id)).scalars())
        check_session_access(conn, viewer, data.session_ids, keep=linked)
        data = validate(conn, data)
        old_items = [
            dict(r)
            for r in conn.execute(select(AI).where(AI.c.case_id == case_id).order_by(AI.c.id)).mappings()
        ]
        changes = _edit_changes(conn, row, data, old_items)
        if changes:
            values = {f: getattr(data, f) for f in EDIT_FIELDS}
            stamp = {"updated_at": now(), "search_text": search_text(data.title, values, data.tags)}
            # Compared in the UPDATE itself: a save committed since the row was read makes this match nothing.
            if not forms.update_if_version(conn, C, C.c.id == case_id, row["version"], {**values, **stamp}):
                raise _stale(conn, case_id)
            _replace_links(conn, case_id, data, old_items)
            _revision(conn, case_id, viewer.username, changes)
            audit(conn, viewer.username, "case_edit", case_id=case_id, fields=sorted(changes))
        if token:
            forms.record_result(conn, token, case_id)


def _check_step(
    conn: Connection, viewer: Viewer, row: dict[str, Any], action: str, version: int | None
) -> None:
    """Refuse a workflow step this viewer may not take now, or one based on an older version."""
    case_id = row["id"]
    if not can_view(viewer, row):
        raise CaseError("not_found", value=case_id)
    if version is not None and row["version"] != version:
        if row["status"] == TRANSITIONS[action][1]:
            raise forms.AlreadySubmitted(f"case:{case_id}:{version}:{action}")
        raise _stale(conn, case_id)
    if action not in allowed_actions(viewer, row):
        if action in ("publish", "send_back", "archive") and not is_manager(viewer):
            raise CaseError("managers_only", action=action)
        raise CaseError("bad_transition", action=action, status=row["status"])


def transition(
    engine: Engine, viewer: Viewer, case_id: int, action: str, comment: str = "", version: int | None = None
) -> str:
    """Take a workflow step; returns the new status. Send back needs a comment. `version`: the case's
    version the button was shown with; if the case moved since, the step is refused (forms.AlreadySubmitted
    when it already is in the step's status, a repeated tap; else CaseError "stale")."""
    if action not in TRANSITIONS:
        raise CaseError("bad_action", value=action)
    comment = clean_text(comment)
    if len(comment) > MAX_COMMENT:
        raise CaseError("too_long", field="review_comment", max=MAX_COMMENT, length=len(comment))
    with write(engine) as conn:
        row = _locked_row(conn, case_id)
        _check_step(conn, viewer, row, action, version)
        if action == "send_back" and not comment:
            raise CaseError("comment_required")
        new_status = TRANSITIONS[action][1]
        values: dict[str, Any] = {"status": new_status, "updated_at": now()}
        changes: dict[str, Any] = {"status": [row["status"], new_status]}
        if action == "send_back" or (comment and is_manager(viewer)):
            values["review_comment"] = comment or None
            changes["review_comment"] = [row["review_comment"], comment or None]
        elif action == "submit" and row["review_comment"]:
            values["review_comment"] = None  # the author answered the comment by resubmitting
            changes["review_comment"] = [row["review_comment"], None]
        if not forms.update_if_version(conn, C, C.c.id == case_id, row["version"], values):
            raise _stale(conn, case_id)
        _revision(conn, case_id, viewer.username, changes)
        audit(conn, viewer.username, f"case_{action}", case_id=case_id)
    return new_status


def set_item_status(engine: Engine, viewer: Viewer, item_id: int, status: str) -> None:
    """Mark an action item open or done: its owner, the case's author or a manager."""
    if status not in ITEM_STATUSES:
        raise CaseError("bad_item_status", row=1, value=status)
    with write(engine) as conn:
        item = conn.execute(select(AI).where(AI.c.id == item_id)).mappings().first()
        if item is None:
            raise CaseError("item_not_found", value=item_id)
        row = _locked_row(conn, item["case_id"])
        owner = item["owner_person_id"] is not None and item["owner_person_id"] == viewer.person_id
        if not (owner or is_manager(viewer) or row["author"] == viewer.username):
            raise CaseError("item_not_yours", value=item_id)
        if item["status"] == status:
            return
        conn.execute(update(AI).where(AI.c.id == item_id).values(status=status))
        _revision(
            conn, item["case_id"], viewer.username, {f"action_item {item_id}": [item["status"], status]}
        )
        audit(conn, viewer.username, "case_item_status", item_id=item_id, status=status)


def reindex(conn: Connection) -> int:
    """Recompute every case's search text (after rows were written without lib.cases, e.g. by the demo)."""
    rows = conn.execute(select(C.c.id, C.c.title, *(C.c[f] for f in BODY_FIELDS))).mappings().all()
    tags = tags_of(conn, [r["id"] for r in rows])
    for r in rows:
        conn.execute(
            update(C)
            .where(C.c.id == r["id"])
            .values(search_text=search_text(r["title"], dict(r), tags.get(r["id"], [])))
        )
    return len(rows)
