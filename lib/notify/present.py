"""The notify admin page's tables and texts for a language (URLs and secrets masked, mobiles shortened)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from lib.core.i18n import translate
from lib.core.models import Person
from lib.notify import channels, sendlog
from lib.notify.model import KINDS, Mention
from lib.notify.platforms import can_mention


def channels_frame(engine: Engine, lang: str) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = channels.list_channels(conn)
    cols = ("name", "kind", "url", "secret", "language", "active")
    frame = pd.DataFrame([{c: r[c] for c in cols} for r in rows], columns=list(cols))
    frame["kind"] = frame["kind"].map(lambda k: translate(f"notify.kind.{k}", lang))
    frame["active"] = frame["active"].map(lambda a: translate("notify.on" if a else "notify.off", lang))
    frame.columns = [translate(f"notify.col.{c}", lang) for c in cols]
    return frame


def rules_frame(engine: Engine, lang: str) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = channels.list_rules(conn)
    out = []
    for r in rows:
        when = r["at_time"] or translate("notify.on_event", lang)
        if r["weekday"]:
            day = translate(f"notify.weekday.{r['weekday']}", lang)
            when = f"{day} {when}"
        if r["at_time"]:
            when += f" ({channels.effective_time(r['kind'], r['at_time']):%H:%M})"
        quiet = f"{r['quiet_from']}–{r['quiet_to']}" if r["quiet_from"] and r["quiet_to"] else "—"
        out.append(
            {
                "id": r["id"],
                "message": translate(f"notify.message.{r['message']}", lang),
                "channel": r["channel"],
                "when": when,
                "audience": translate(f"role.{r['audience']}", lang),
                "quiet": quiet,
                "active": translate("notify.on" if r["active"] else "notify.off", lang),
            }
        )
    frame = pd.DataFrame(out, columns=["id", "message", "channel", "when", "audience", "quiet", "active"])
    frame.columns = [translate(f"notify.col.{c}", lang) for c in frame.columns]
    return frame


def sends_frame(engine: Engine, lang: str, statuses: tuple[str, ...] | None = None) -> pd.DataFrame:
    rows = sendlog.recent(engine, statuses)
    cols = ("id", "claimed_at", "message", "channel", "status", "items", "attempts", "answer")
    frame = pd.DataFrame([{c: r[c] for c in cols} for r in rows], columns=list(cols))
    frame["message"] = frame["message"].map(lambda m: translate(f"notify.message.{m}", lang))
    frame["status"] = frame["status"].map(lambda s: translate(f"notify.status.{s}", lang))
    frame.columns = [translate(f"notify.col.{c}", lang) for c in cols]
    return frame


def short_mobile(mobile: str | None) -> str | None:
    """A mobile as the page shows it: only its last 4 digits."""
    return None if not mobile else "…" + mobile[-4:]


def people_frame(engine: Engine, lang: str) -> pd.DataFrame:
    """Active roster people, their mobile (last 4 digits) and chat user id, and which platforms can @ them."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Person.id, Person.name, Person.phone, Person.chat_user_id)
            .where(Person.active.is_(True))
            .order_by(Person.name)
        ).all()
    out = []
    for r in rows:
        person = Mention(r.name, r.phone or None, r.chat_user_id or None)
        able = [translate(f"notify.kind.{k}", lang) for k in KINDS if can_mention(k, person)]
        out.append(
            {
                "name": r.name,
                "mobile": short_mobile(r.phone),
                "user_id": r.chat_user_id,
                "can_at": "、".join(able) if able else translate("notify.nobody", lang),
            }
        )
    frame = pd.DataFrame(out, columns=["name", "mobile", "user_id", "can_at"])
    frame.columns = [translate(f"notify.col.{c}", lang) for c in frame.columns]
    return frame


def people_choices(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Person.id, Person.name).where(Person.active.is_(True)).order_by(Person.name)
        )
        return [(int(r.id), r.name) for r in rows]


def person_ids(engine: Engine, person_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(Person.phone, Person.chat_user_id).where(Person.id == person_id)).first()
    return {"mobile": row.phone if row else None, "user_id": row.chat_user_id if row else None}
