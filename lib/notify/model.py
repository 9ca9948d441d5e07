"""The shapes of lib.notify: a message as built (platform-neutral), a person to @-mention, the kinds of
channel and message, their limits, and the domain's coded error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lib.core.errors import CodedError

KINDS = ("wecom", "dingtalk", "feishu", "webhook")
SCHEDULED = ("brief", "weekly")  # sent at a time of day (weekly: on a weekday)
EVENTS = ("flags", "sla", "overdue", "approval", "survey", "pace")  # sent when something happens
MESSAGES = (*SCHEDULED, *EVENTS)
AUDIENCES = ("admin", "manager", "staff")
MANAGER_ONLY = frozenset({"flags", "approval", "weekly"})  # built from pages only managers may open

# Robots' documented limits: messages per minute (and per second) per robot.
PER_MINUTE = {"wecom": 20, "dingtalk": 20, "feishu": 100, "webhook": 60}
PER_SECOND = {"feishu": 5}
ATTEMPTS = 3  # tries per send (the first and two retries), then the row is failed or deferred
FOLD_WINDOW_MINUTES = 10  # events of one rule within this window go out as one message
SHOWN_ITEMS = 5  # items named in a folded message; the count says how many in all
MAX_NAME = 64


class NotifyError(CodedError):
    """A refused channel or rule (code in notify.error.*)."""

    prefix = "notify.error"


@dataclass(frozen=True)
class Mention:
    """A roster person to @-mention: by platform user id, else by mobile; else named in plain text."""

    name: str
    mobile: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class Message:
    """One message as built, before a platform renders it. `lines` are plain text (escaped when rendered)."""

    kind: str
    title: str
    lines: tuple[str, ...]
    mentions: tuple[Mention, ...] = ()
    links: tuple[tuple[str, str], ...] = ()  # (label, absolute URL)
    items: int = 1  # events folded into it
    data: dict[str, Any] = field(
        default_factory=dict
    )  # the figures it carries (the generic webhook sends them)
