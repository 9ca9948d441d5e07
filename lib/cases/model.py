"""The case library's shapes and rules: tables, limits, the coded refusal, the input records, who is looking
and what they may see, edit and do (the workflow's steps)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import or_, true
from sqlalchemy.sql.elements import ColumnElement

from lib.core.access import MANAGERS
from lib.core.errors import CodedError
from lib.core.formatting import md_escape
from lib.core.i18n import translate
from lib.core.models import ActionItem, Case, CaseRevision, CaseSession, CaseTag, LiveSession

C, CS, CT, AI, REV = (
    Case.__table__,
    CaseSession.__table__,
    CaseTag.__table__,
    ActionItem.__table__,
    CaseRevision.__table__,
)
LS = LiveSession.__table__
STATUSES = ("draft", "submitted", "published", "archived")
BODY_FIELDS = ("background", "highlights", "shortcomings", "improvements")
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
TRANSITIONS = {  # action -> (statuses it starts from, status it leads to)
    "submit": (("draft",), "submitted"),
    "publish": (("submitted",), "published"),
    "send_back": (("submitted", "published"), "draft"),
    "archive": (("draft", "submitted", "published"), "archived"),
}


class CaseError(CodedError):
    """A user-facing refusal; `code` is an i18n key under cases.error, `params` fill it."""

    prefix = "cases.error"

    def message(self, lang: str, markdown: bool = True) -> str:
        """The refusal in `lang`; with `markdown` the values (user text) are escaped for st.error."""
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


class Viewer(NamedTuple):
    """Who is looking (hashable, for cached calls): access role decides what is visible."""

    username: str
    role: str
    person_id: int | None = None


def viewer_of(user: Any) -> Viewer:
    """A Viewer from a CurrentUser (or anything with username, role, person_id)."""
    return Viewer(user.username, user.role, getattr(user, "person_id", None))


def is_manager(viewer: Viewer) -> bool:
    return viewer.role in MANAGERS


def visible(viewer: Viewer) -> ColumnElement[bool]:
    """Managers (and admins) see every case; others see published cases and their own."""
    if is_manager(viewer):
        return true()
    return or_(C.c.status == "published", C.c.author == viewer.username)


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


def item_overdue(item: dict[str, Any], today: dt.date) -> bool:
    """An open item whose due date has passed."""
    return item["status"] == "open" and item["due_on"] is not None and item["due_on"] < today
