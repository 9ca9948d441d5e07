"""Channels and rules: validate -> write -> audit. URLs and secrets are stored whole and leave this
module only masked (last 4 characters); the audit log records names and kinds, never a URL or secret."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import Connection, Engine, func, select, update

from lib.core.db import audit, inserted_id, now
from lib.core.models import NotifyChannel, NotifyRule, Person
from lib.notify.model import AUDIENCES, KINDS, MANAGER_ONLY, MAX_NAME, MESSAGES, SCHEDULED, NotifyError

CH = NotifyChannel.__table__
RU = NotifyRule.__table__
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def mask(value: str | None) -> str:
    """A secret as shown: only its last 4 characters."""
    if not value:
        return ""
    return "…" + value[-4:] if len(value) > 4 else "…"


def _check_url(kind: str, url: str) -> str:
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or any(c.isspace() for c in url):
        raise NotifyError("bad_url", kind=kind)
    return url


def _check_channel(name: str, kind: str, url: str, language: str) -> tuple[str, str]:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise NotifyError("bad_name", max=MAX_NAME)
    if kind not in KINDS:
        raise NotifyError("bad_kind", kind=kind, kinds=", ".join(KINDS))
    if language not in ("zh", "en"):
        raise NotifyError("bad_language", language=language)
    return name, _check_url(kind, url)


def add_channel(
    conn: Connection, name: str, kind: str, url: str, secret: str | None, actor: str, language: str = "zh"
) -> int:
    name, url = _check_channel(name, kind, url, language)
    if conn.execute(select(CH.c.id).where(CH.c.name == name)).first():
        raise NotifyError("duplicate_channel", name=name)
    stamp = now()
    values = dict(name=name, kind=kind, url=url, secret=(secret or "").strip() or None, language=language)
    new_id = conn.execute(CH.insert().values(**values, active=True, created_at=stamp, updated_at=stamp))
    audit(conn, actor, "notify.channel_add", channel=name, kind=kind)
    return inserted_id(new_id)


def update_channel(conn: Connection, channel_id: int, actor: str, **changes: Any) -> None:
    """Change name, url, secret (None keeps it, "" removes it), language or active."""
    row = conn.execute(select(CH).where(CH.c.id == channel_id)).mappings().first()
    if row is None:
        raise NotifyError("no_channel", name=str(channel_id))
    values = {
        k: v
        for k, v in changes.items()
        if v is not None and k in ("name", "url", "secret", "language", "active")
    }
    name, url = _check_channel(
        values.get("name", row["name"]),
        row["kind"],
        values.get("url", row["url"]),
        values.get("language", row["language"]),
    )
    values.update(name=name, url=url)
    if "secret" in values:
        values["secret"] = values["secret"].strip() or None
    conn.execute(update(CH).where(CH.c.id == channel_id).values(**values, updated_at=now()))
    changed = sorted(k for k in values if values[k] != row[k])
    audit(conn, actor, "notify.channel_edit", channel=name, changed=changed)


def list_channels(conn: Connection, with_secrets: bool = False) -> list[dict[str, Any]]:
    """Every channel; URL and secret masked unless the sender asks for them."""
    rows = [dict(r) for r in conn.execute(select(CH).order_by(CH.c.name)).mappings()]
    if not with_secrets:
        for r in rows:
            r["url"], r["secret"] = mask(r["url"]), mask(r["secret"])
    return rows


def channel_by_name(conn: Connection, name: str) -> dict[str, Any]:
    row = conn.execute(select(CH).where(CH.c.name == name.strip())).mappings().first()
    if row is None:
        raise NotifyError("no_channel", name=name)
    return dict(row)


def _check_time(value: str | None, field: str) -> str | None:
    if value in (None, ""):
        return None
    if not _HHMM.match(value):
        raise NotifyError("bad_time", field=field, value=value)
    return value


def add_rule(
    conn: Connection,
    message: str,
    channel: str,
    actor: str,
    at: str | None = None,
    weekday: int | None = None,
    audience: str = "manager",
    quiet: tuple[str | None, str | None] = (None, None),
) -> int:
    if message not in MESSAGES:
        raise NotifyError("bad_message", message=message, messages=", ".join(MESSAGES))
    if audience not in AUDIENCES:
        raise NotifyError("bad_audience", audience=audience)
    if audience == "staff" and message in MANAGER_ONLY:
        raise NotifyError("audience_too_low", message=message)
    at = _check_time(at, "--at")
    if message in SCHEDULED and at is None:
        raise NotifyError("needs_time", message=message)
    if weekday is not None and not 1 <= weekday <= 7:
        raise NotifyError("bad_weekday", value=weekday)
    if message == "weekly" and weekday is None:
        weekday = 5  # Friday (seed 002)
    quiet_from, quiet_to = (_check_time(q, "quiet") for q in quiet)
    ch = channel_by_name(conn, channel)
    values = dict(message=message, channel_id=ch["id"], at_time=at, weekday=weekday, audience=audience)
    values |= dict(quiet_from=quiet_from, quiet_to=quiet_to, active=True, created_by=actor, created_at=now())
    new_id = inserted_id(conn.execute(RU.insert().values(**values)))
    audit(conn, actor, "notify.rule_add", rule=new_id, message=message, channel=ch["name"], audience=audience)
    return new_id


def set_rule_active(conn: Connection, rule_id: int, active: bool, actor: str) -> None:
    conn.execute(update(RU).where(RU.c.id == rule_id).values(active=active))
    audit(conn, actor, "notify.rule_active", rule=rule_id, active=active)


def list_rules(conn: Connection) -> list[dict[str, Any]]:
    query = (
        select(RU, CH.c.name.label("channel"), CH.c.kind, CH.c.active.label("channel_active"))
        .join(CH, CH.c.id == RU.c.channel_id)
        .order_by(RU.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def effective_time(kind: str, at: str) -> dt.time:
    """When a scheduled rule sends: Feishu asks senders to avoid the exact hour and half hour (its busiest
    moments), so HH:00 and HH:30 go out 3 minutes later there."""
    hour, minute = (int(x) for x in at.split(":"))
    if kind == "feishu" and minute in (0, 30):
        minute += 3
    return dt.time(hour, minute)


def set_chat_ids(
    conn: Connection, person_id: int, mobile: str | None, chat_user_id: str | None, actor: str
) -> None:
    """A roster person's mobile and chat user id (for @-mentions)."""
    mobile = (mobile or "").strip() or None
    chat_user_id = (chat_user_id or "").strip() or None
    if mobile is not None and not re.fullmatch(r"\+?\d{5,20}", mobile):
        raise NotifyError("bad_mobile", value=mobile)
    if chat_user_id is not None and (len(chat_user_id) > 64 or any(c.isspace() for c in chat_user_id)):
        raise NotifyError("bad_user_id", value=chat_user_id)
    conn.execute(update(Person).where(Person.id == person_id).values(phone=mobile, chat_user_id=chat_user_id))
    audit(conn, actor, "notify.person_ids", person=person_id)


def unmentionable(engine: Engine, kind: str) -> list[str]:
    """Active roster people this platform cannot @ yet (no user id; on Feishu also none by mobile)."""
    query = select(Person.name).where(Person.active.is_(True), func.coalesce(Person.chat_user_id, "") == "")
    if kind != "feishu":
        query = query.where(func.coalesce(Person.phone, "") == "")
    with engine.connect() as conn:
        return list(conn.execute(query.order_by(Person.name)).scalars())
