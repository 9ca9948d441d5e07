"""Case library: post-stream reviews and good-practice cases (seed 004's 亮点 / 不足 / 改进措施 + tasks).

Workflow: staff (and managers) write a draft and submit it; a manager publishes it, sends it back to
draft with a comment, or archives it. Published cases are visible to everybody; drafts, submitted and
archived cases only to their author and to managers (and admins). Every save and every step of the
workflow writes a revision (who, when, {field: [old, new]}) and bumps the case's version, so a save based
on an older version is refused (naming who saved in between, and when) instead of silently overwriting.

Body fields are Markdown written by users: `safe_markdown` makes them inert before display (no raw
HTML, no images, only http(s)/mailto links). Search lives in lib/cases_search.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy import case as sql_case

from lib import kpis
from lib.cases_search import (
    BODY_FIELDS,
    STATUSES,
    CaseQuery,
    Viewer,
    is_manager,
    search,
    search_text,
    tags_of,
    viewer_of,
    visible,
)
from lib.core import forms
from lib.core.db import audit, now, write
from lib.core.errors import CodedError
from lib.core.exports import to_xlsx_bytes
from lib.core.i18n import translate
from lib.core.metrics import METRICS, per_session_from_rows
from lib.core.models import ActionItem, Case, CaseRevision, CaseSession, CaseTag, LiveSession, Person, User

__all__ = ["CaseQuery", "Viewer", "viewer_of", "search", "STATUSES"]

C, CS, CT, AI, REV = (
    Case.__table__,
    CaseSession.__table__,
    CaseTag.__table__,
    ActionItem.__table__,
    CaseRevision.__table__,
)
LS = LiveSession.__table__
EDIT_FIELDS = ("title", "case_date", "platform", "category", *BODY_FIELDS)
ITEM_STATUSES = ("open", "done")
MAX_TITLE = 255
MAX_CATEGORY = 64
MAX_TAG = 64
MAX_TAGS = 12
MAX_TEXT = 20_000  # characters per body field
MAX_COMMENT = 2_000
MAX_ITEMS = 30
MAX_SESSIONS = 10
KEY_METRICS = ("gmv", "viewers", "conversion_rate", "uv_value", "avg_watch_seconds", "interaction_rate")
PREVIOUS_SESSIONS = 5  # a linked session is compared with the host's previous sessions, up to this many
EXPORT_LIMIT = 1_000  # cases in one list export
TAG_SPLIT = re.compile(r"[,，、;；\n]+")


class CaseError(CodedError):
    """A user-facing refusal; `code` is an i18n key under cases.error, `params` fill it."""

    prefix = "cases.error"

    def message(self, lang: str, markdown: bool = True) -> str:
        """The refusal in `lang`; with `markdown` the values (user text) are escaped for st.error."""
        from lib.core.formatting import md_escape

        params = dict(self.params)
        for key, prefix in (
            ("field", "cases.field."),
            ("status", "cases.status."),
            ("action", "cases.action."),
        ):
            if key in params:
                params[key] = translate(f"{prefix}{params[key]}", lang)
        if markdown:
            params = {k: md_escape(v) if isinstance(v, str) else v for k, v in params.items()}
        return translate(f"cases.error.{self.code}", lang, **params)


@dataclass(frozen=True)
class ItemInput:
    description: str
    owner_person_id: int | None = None
    due_on: dt.date | None = None
    status: str = "open"
    id: int | None = None  # an existing item being edited


@dataclass(frozen=True)
class CaseInput:
    title: str
    case_date: dt.date | None
    platform: str | None = None
    category: str | None = None
    background: str = ""
    highlights: str = ""
    shortcomings: str = ""
    improvements: str = ""
    tags: tuple[str, ...] = ()
    session_ids: tuple[int, ...] = ()
    action_items: tuple[ItemInput, ...] = field(default_factory=tuple)


# --- input --------------------------------------------------------------------------------------------


def parse_tags(raw: str) -> tuple[str, ...]:
    """Tags from a text box: separated by commas (, ，), 、, semicolons or new lines; a leading # dropped."""
    out: list[str] = []
    for part in TAG_SPLIT.split(raw or ""):
        tag = " ".join(part.strip().lstrip("#").split())
        if tag and tag not in out:
            out.append(tag)
    return tuple(out)


def _clean_text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def validate(conn: Connection, data: CaseInput, today: dt.date | None = None) -> CaseInput:
    """The input cleaned, or CaseError naming the field (and row of an action item) and the value."""
    today = today or now().date()
    title = " ".join((data.title or "").split())
    if not title:
        raise CaseError("title_required")
    if len(title) > MAX_TITLE:
        raise CaseError("too_long", field="title", max=MAX_TITLE, length=len(title))
    if data.case_date is None:
        raise CaseError("date_required")
    if data.case_date > today + dt.timedelta(days=1):
        raise CaseError("future_date", value=data.case_date.isoformat())
    if data.platform and data.platform not in kpis.PLATFORMS:
        raise CaseError("bad_platform", value=data.platform)
    category = " ".join((data.category or "").split()) or None
    if category and len(category) > MAX_CATEGORY:
        raise CaseError("too_long", field="category", max=MAX_CATEGORY, length=len(category))
    body = {f: _clean_text(getattr(data, f)) for f in BODY_FIELDS}
    for name, text in body.items():
        if len(text) > MAX_TEXT:
            raise CaseError("too_long", field=name, max=MAX_TEXT, length=len(text))
    if not any(body.values()):
        raise CaseError("body_required")
    tags = tuple(dict.fromkeys(" ".join(t.split()) for t in data.tags if t.strip()))
    if len(tags) > MAX_TAGS:
        raise CaseError("too_many_tags", max=MAX_TAGS, count=len(tags))
    for tag in tags:
        if len(tag) > MAX_TAG:
            raise CaseError("tag_too_long", value=tag[:20] + "…", max=MAX_TAG)
    sessions = tuple(dict.fromkeys(int(s) for s in data.session_ids))
    if len(sessions) > MAX_SESSIONS:
        raise CaseError("too_many_sessions", max=MAX_SESSIONS)
    if sessions:
        found = set(conn.execute(select(LS.c.id).where(LS.c.id.in_(sessions))).scalars())
        missing = [s for s in sessions if s not in found]
        if missing:
            raise CaseError("unknown_session", value=missing[0])
    items = _validate_items(conn, data.action_items)
    return CaseInput(
        title,
        data.case_date,
        data.platform or None,
        category,
        tags=tags,
        session_ids=sessions,
        action_items=items,
        **body,
    )


def _validate_items(conn: Connection, items: tuple[ItemInput, ...]) -> tuple[ItemInput, ...]:
    out = []
    rows = [i for i in items if (i.description or "").strip() or i.owner_person_id or i.due_on]
    if len(rows) > MAX_ITEMS:
        raise CaseError("too_many_items", max=MAX_ITEMS)
    owners = {i.owner_person_id for i in rows if i.owner_person_id is not None}
    known = set(conn.execute(select(Person.id).where(Person.id.in_(owners))).scalars()) if owners else set()
    for pos, item in enumerate(rows, start=1):
        text = _clean_text(item.description)
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


# --- access -------------------------------------------------------------------------------------------


def can_view(viewer: Viewer, row: dict[str, Any]) -> bool:
    return is_manager(viewer) or row["status"] == "published" or row["author"] == viewer.username


def can_edit(viewer: Viewer, row: dict[str, Any]) -> bool:
    """The author edits a draft (also one sent back); managers edit any case that is not archived."""
    if is_manager(viewer):
        return row["status"] != "archived"
    return row["author"] == viewer.username and row["status"] == "draft"


def allowed_actions(viewer: Viewer, row: dict[str, Any]) -> list[str]:
    """Workflow steps this viewer may take on this case now."""
    actions = []
    if can_edit(viewer, row):
        actions.append("edit")
    if row["status"] == "draft" and (row["author"] == viewer.username or is_manager(viewer)):
        actions.append("submit")
    if is_manager(viewer):
        if row["status"] == "submitted":
            actions += ["publish", "send_back"]
        elif row["status"] == "published":
            actions.append("send_back")
        if row["status"] != "archived":
            actions.append("archive")
    return actions


# --- writes -------------------------------------------------------------------------------------------


def _item_summary(item: dict[str, Any] | ItemInput, names: dict[int, str]) -> str:
    get = item.get if isinstance(item, dict) else lambda k: getattr(item, k)
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


def create_case(engine: Engine, viewer: Viewer, data: CaseInput, token: str | None = None) -> int:
    """A new draft by `viewer`; returns its id. A form's `token` makes it happen once (lib.core.forms)."""
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "case_new", viewer.username)
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
    case_id = conn.execute(
        insert(C).values(
            **values,
            author=username,
            status=status,
            created_at=stamp,
            updated_at=stamp,
            search_text=search_text(data.title, values, data.tags),
        )
    ).inserted_primary_key[0]
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


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


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
        row = _locked_row(conn, case_id)
        if not can_view(viewer, row):
            raise CaseError("not_found", value=case_id)
        if not can_edit(viewer, row):
            raise CaseError("cannot_edit", status=row["status"])
        if version is not None and row["version"] != version:
            raise _stale(conn, case_id)
        data = validate(conn, data)
        names = _names(conn)
        old_tags = list(
            conn.execute(select(CT.c.tag).where(CT.c.case_id == case_id).order_by(CT.c.tag)).scalars()
        )
        old_sessions = sorted(conn.execute(select(CS.c.session_id).where(CS.c.case_id == case_id)).scalars())
        old_items = [
            dict(r)
            for r in conn.execute(select(AI).where(AI.c.case_id == case_id).order_by(AI.c.id)).mappings()
        ]
        values = {f: getattr(data, f) for f in EDIT_FIELDS}
        changes: dict[str, Any] = {
            f: [_jsonable(row[f]), _jsonable(values[f])]
            for f in EDIT_FIELDS
            if (row[f] or None) != (values[f] or None)
        }
        if sorted(data.tags) != old_tags:
            changes["tags"] = [old_tags, sorted(data.tags)]
        if sorted(data.session_ids) != old_sessions:
            changes["sessions"] = [old_sessions, sorted(data.session_ids)]
        before = [_item_summary(i, names) for i in old_items]
        after = [_item_summary(i, names) for i in data.action_items]
        if before != after:
            changes["action_items"] = [before, after]
        if not changes:
            if token:
                forms.record_result(conn, token, case_id)
            return
        # Compared in the UPDATE itself: a save committed since the row was read makes this match nothing.
        if not forms.update_if_version(
            conn,
            C,
            C.c.id == case_id,
            row["version"],
            {**values, "updated_at": now(), "search_text": search_text(data.title, values, data.tags)},
        ):
            raise _stale(conn, case_id)
        conn.execute(delete(CT).where(CT.c.case_id == case_id))
        conn.execute(delete(CS).where(CS.c.case_id == case_id))
        # Items keep their ids (an owner may be marking one done meanwhile); removed ones are deleted.
        kept = {i.id for i in data.action_items if i.id is not None}
        old_ids = {i["id"] for i in old_items}
        conn.execute(delete(AI).where(AI.c.case_id == case_id, AI.c.id.notin_(sorted(kept) or [-1])))
        for item in data.action_items:
            values_i = {
                "description": item.description,
                "owner_person_id": item.owner_person_id,
                "due_on": item.due_on,
                "status": item.status,
            }
            if item.id is not None and item.id in old_ids:
                conn.execute(update(AI).where(AI.c.id == item.id).values(**values_i))
            else:
                conn.execute(insert(AI).values(case_id=case_id, **values_i))
        _write_links(
            conn, case_id, CaseInput(data.title, data.case_date, tags=data.tags, session_ids=data.session_ids)
        )
        _revision(conn, case_id, viewer.username, changes)
        audit(conn, viewer.username, "case_edit", case_id=case_id, fields=sorted(changes))
        if token:
            forms.record_result(conn, token, case_id)


TRANSITIONS = {  # action -> (statuses it starts from, status it leads to)
    "submit": (("draft",), "submitted"),
    "publish": (("submitted",), "published"),
    "send_back": (("submitted", "published"), "draft"),
    "archive": (("draft", "submitted", "published"), "archived"),
}


def transition(
    engine: Engine, viewer: Viewer, case_id: int, action: str, comment: str = "", version: int | None = None
) -> str:
    """Take a workflow step; returns the new status. Send back needs a comment. `version`: the case's
    version the button was shown with; if the case moved since, the step is refused (forms.AlreadySubmitted
    when it already is in the step's status, a repeated tap; else CaseError "stale")."""
    if action not in TRANSITIONS:
        raise CaseError("bad_action", value=action)
    comment = _clean_text(comment)
    if len(comment) > MAX_COMMENT:
        raise CaseError("too_long", field="review_comment", max=MAX_COMMENT, length=len(comment))
    with write(engine) as conn:
        row = _locked_row(conn, case_id)
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


# --- reads --------------------------------------------------------------------------------------------


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
        out["author_name"] = (
            conn.execute(select(User.display_name).where(User.username == row["author"])).scalar()
            or row["author"]
        )
    out["actions"] = allowed_actions(viewer, out)
    return out


def _host_filter(record: dict[str, Any]) -> Any:
    if record.get("host_person_id"):
        return LS.c.host_person_id == record["host_person_id"]
    return (LS.c.host_person_id.is_(None)) & (LS.c.host_name == record.get("host_name"))


def linked_sessions(engine: Engine, session_ids: tuple[int, ...]) -> list[dict[str, Any]]:
    """Each linked session's key metrics, the host's previous sessions (up to PREVIOUS_SESSIONS) as one
    typical session (totals per session, ratios re-divided from sums) and the relative change against it."""
    if not session_ids:
        return []
    roster = kpis.load_roster(engine)
    out = []
    for sid in session_ids:
        rows = kpis.session_rows(engine, kpis.Filters(dt.date.min, dt.date.max), roster, session_id=sid)
        if not rows:
            continue
        rec = rows[0]
        with engine.connect() as conn:
            previous = [
                dict(r)
                for r in conn.execute(
                    select(LS)
                    .where(_host_filter(rec), LS.c.started_at < rec["started_at"])
                    .order_by(LS.c.started_at.desc())
                    .limit(PREVIOUS_SESSIONS)
                ).mappings()
            ]
        before = per_session_from_rows(previous) if previous else {}
        metrics = {k: rec.get(k) for k in KEY_METRICS}
        change = {}
        for k in KEY_METRICS:
            old, new = before.get(k), metrics[k]
            change[k] = None if old in (None, 0) or new is None else (new - old) / old
        out.append(
            {
                "id": sid,
                "started_at": rec["started_at"],
                "platform": rec["platform"],
                "room": rec.get("room"),
                "host": rec.get("host"),
                "title": rec.get("title"),
                "metrics": metrics,
                "previous": {k: before.get(k) for k in KEY_METRICS},
                "previous_count": len(previous),
                "change": change,
            }
        )
    return out


def session_choices(engine: Engine, limit: int = 300) -> list[tuple[int, str]]:
    """(id, label) of recent sessions for the editor's session picker."""
    return kpis.recent_sessions(engine, limit)


def session_label(engine: Engine, session_id: int) -> str | None:
    with engine.connect() as conn:
        r = conn.execute(
            select(LS.c.started_at, LS.c.platform, LS.c.room, LS.c.host_name).where(LS.c.id == session_id)
        ).first()
    return (
        None
        if r is None
        else f"{r.started_at:%Y-%m-%d %H:%M} · {r.platform} · {r.room or ''} · {r.host_name or ''}"
    )


def session_prefill(engine: Engine, session_id: int, lang: str = "zh") -> dict[str, Any] | None:
    """A new case's fields from a session: title, date, platform, the session linked, and a background
    listing its numbers against target (lib.kpis.session_detail). None when the session does not exist."""
    from lib.core.formatting import format_metric

    detail = kpis.session_detail(engine, session_id)
    if detail is None:
        return None
    stored = detail["stored"]
    lines = [
        translate(
            "cases.prefill.session",
            lang,
            date=f"{stored['started_at']:%Y-%m-%d %H:%M}",
            platform=translate(f"kpis.platform_name.{stored['platform']}", lang)
            if stored["platform"] in kpis.PLATFORMS
            else stored["platform"],
            room=stored.get("room") or "",
            host=detail["host"] or "",
        ),
        "",
    ]
    for key, actual in detail["metrics"].items():
        target = detail["targets"].get(key)
        if actual is None or (key not in KEY_METRICS and target is None):
            continue
        text = f"- {METRICS[key].name(lang)}：{format_metric(key, actual, lang)}"
        if target is not None:
            goal = (
                translate(f"kpis.kind.{target['kind']}", lang)
                + " "
                + format_metric(key, target["value"], lang)
            )
            if target["value_high"] is not None:
                goal += "–" + format_metric(key, target["value_high"], lang)
            text += translate(
                "cases.prefill.against",
                lang,
                target=goal,
                achievement=format_metric("gmv_achievement", target["achievement"], lang),
            )
        lines.append(text)
    title = stored.get("title") or ""
    return {
        "title": translate(
            "cases.prefill.title",
            lang,
            date=f"{stored['started_at']:%m-%d}",
            host=detail["host"] or "",
            title=title,
        ).strip(),
        "case_date": stored["started_on"],
        "platform": stored["platform"] if stored["platform"] in kpis.PLATFORMS else None,
        "background": "\n".join(lines),
        "session_ids": (session_id,),
    }


def people_choices(engine: Engine) -> list[tuple[int, str]]:
    """Active roster people (id, name) for action-item owners."""
    with engine.connect() as conn:
        return [
            (r.id, r.name)
            for r in conn.execute(
                select(Person.id, Person.name).where(Person.active.is_(True)).order_by(Person.name)
            )
        ]


# --- action items -------------------------------------------------------------------------------------


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


def _with_overdue(rows: list[Any], today: dt.date) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        d = dict(r)
        d["overdue"] = d["status"] == "open" and d["due_on"] is not None and d["due_on"] < today
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
    today = today or now().date()
    query = _items_query(today).where(visible(viewer), C.c.status.in_(("submitted", "published")))
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
    today = today or now().date()
    with engine.connect() as conn:
        person_id = conn.execute(select(User.person_id).where(User.username == username)).scalar()
        if person_id is None:
            return []
        query = _items_query(today).where(
            AI.c.owner_person_id == person_id,
            AI.c.status == "open",
            C.c.status.in_(("submitted", "published")),
        )
        return _with_overdue(conn.execute(query).mappings().all(), today)


# --- display and export -------------------------------------------------------------------------------

_IMAGE = re.compile(r"!\[")
_LINK = re.compile(r"\]\(\s*<?\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_SAFE_SCHEMES = {"http", "https", "mailto"}


def safe_markdown(text: str | None) -> str:
    """User Markdown made safe for st.markdown: every `<` becomes an entity (so no tag can be formed and
    raw HTML shows as text), images become plain text (no outside requests), and links keep only
    http(s)/mailto targets (others lose their link syntax)."""
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    text = _IMAGE.sub(r"\\![", text)

    def _link(m: re.Match[str]) -> str:
        return m.group(0) if m.group(1).lower() in _SAFE_SCHEMES else "\\]\\(" + m.group(1) + ":"

    return _LINK.sub(_link, text)


def _export_escape(text: str | None) -> str:
    """Markdown export: raw HTML inert for any viewer that renders the file."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def case_markdown(case: dict[str, Any], lang: str = "zh") -> str:
    """One case as a Markdown document (seed 004's structure)."""
    tr = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    platform = translate(f"kpis.platform_name.{case['platform']}", lang) if case.get("platform") else ""
    meta = [
        f"- {tr('cases.field.case_date')}: {case['case_date']}",
        f"- {tr('cases.field.platform')}: {platform}",
        f"- {tr('cases.field.category')}: {_export_escape(case.get('category'))}",
        f"- {tr('cases.field.tags')}: {_export_escape('、'.join(case.get('tags', [])))}",
        f"- {tr('cases.field.author')}: {_export_escape(case.get('author_name') or case['author'])}",
        f"- {tr('cases.field.status')}: {tr('cases.status.' + case['status'])}",
    ]
    if case.get("session_ids"):
        meta.append(f"- {tr('cases.field.sessions')}: " + ", ".join(f"#{s}" for s in case["session_ids"]))
    parts = [f"# {_export_escape(case['title'])}", "", *meta, ""]
    for f in BODY_FIELDS:
        parts += [f"## {tr('cases.field.' + f)}", "", _export_escape(case.get(f)) or "—", ""]
    if case.get("action_items"):
        parts += [f"## {tr('cases.field.action_items')}", ""]
        for item in case["action_items"]:
            box = "x" if item["status"] == "done" else " "
            owner = _export_escape(item.get("owner") or "—")
            parts.append(
                f"- [{box}] {_export_escape(item['description'])} · {owner} · {item.get('due_on') or '—'}"
            )
        parts.append("")
    return "\n".join(parts)


def cases_for_export(engine: Engine, viewer: Viewer, query: CaseQuery) -> list[dict[str, Any]]:
    """Full cases (as get_case) of a filtered list, in search order, at most EXPORT_LIMIT."""
    ids = [r["id"] for r in search(engine, viewer, query._replace(limit=EXPORT_LIMIT))["rows"]]
    return [c for c in (get_case(engine, viewer, i) for i in ids) if c is not None]


def cases_markdown(cases: list[dict[str, Any]], lang: str = "zh") -> str:
    return "\n\n---\n\n".join(case_markdown(c, lang) for c in cases)


def cases_frames(cases: list[dict[str, Any]], lang: str = "zh") -> dict[str, pd.DataFrame]:
    """The sheets of an XLSX export: cases, action items (column names in `lang`)."""
    tr = lambda key: translate(key, lang)  # noqa: E731
    case_rows = [
        {
            tr("cases.field.id"): c["id"],
            tr("cases.field.title"): c["title"],
            tr("cases.field.case_date"): c["case_date"].isoformat() if c["case_date"] else "",
            tr("cases.field.platform"): translate(f"kpis.platform_name.{c['platform']}", lang)
            if c["platform"]
            else "",
            tr("cases.field.category"): c.get("category") or "",
            tr("cases.field.tags"): "、".join(c["tags"]),
            tr("cases.field.status"): tr(f"cases.status.{c['status']}"),
            tr("cases.field.author"): c["author"],
            tr("cases.field.sessions"): ", ".join(str(s) for s in c["session_ids"]),
            **{tr(f"cases.field.{f}"): c.get(f) or "" for f in BODY_FIELDS},
        }
        for c in cases
    ]
    item_rows = [
        {
            tr("cases.field.id"): c["id"],
            tr("cases.field.title"): c["title"],
            tr("cases.item.description"): i["description"],
            tr("cases.item.owner"): i.get("owner") or "",
            tr("cases.item.due_on"): i["due_on"].isoformat() if i["due_on"] else "",
            tr("cases.item.status"): tr(f"cases.item_status.{i['status']}"),
        }
        for c in cases
        for i in c["action_items"]
    ]
    items_cols = [
        tr(k)
        for k in (
            "cases.field.id",
            "cases.field.title",
            "cases.item.description",
            "cases.item.owner",
            "cases.item.due_on",
            "cases.item.status",
        )
    ]
    return {
        tr("cases.export.sheet_cases"): pd.DataFrame(case_rows),
        tr("cases.export.sheet_items"): pd.DataFrame(item_rows, columns=items_cols),
    }


def cases_xlsx(cases: list[dict[str, Any]], lang: str = "zh") -> bytes:
    """Formula-safe XLSX (lib.core.exports) of these cases and their action items."""
    return to_xlsx_bytes(cases_frames(cases, lang), {translate("cases.field.id", lang): "int"})


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
