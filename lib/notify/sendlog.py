"""The send log: claim first (INSERT of a unique key, committed), then send, then mark.

Two processes that build the same message both try the INSERT; the database lets exactly one commit, so
one sends and the other reports `already_sent`. A crash (or a kill) after the claim and before the mark
leaves the row `sending`: it is never sent again by itself (a message twice in a team's group is worse
than a late one); the admin page lists it with the failed ones, and "send again" sends it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError

from lib.core.db import audit, inserted_id, now
from lib.core.models import NotifyChannel, NotifySend

SE = NotifySend.__table__
OPEN = ("failed", "sending", "deferred")  # what the admin page lists to send again


def send_key(rule_id: int | None, part: str, channel_id: int) -> str:
    """The unique key of (rule, period or event, channel)."""
    return f"r{rule_id}|{part}|c{channel_id}"[:190]


def claim(
    engine: Engine,
    key: str,
    rule_id: int | None,
    channel_id: int,
    message: str,
    carried_by: int | None = None,
) -> int | None:
    """Insert the key's row in its own committed transaction: its id, or None when it already exists."""
    stamp = now()
    values: dict[str, Any] = dict(
        key=key, rule_id=rule_id, channel_id=channel_id, message=message, items=1, attempts=0
    )
    values |= dict(claimed_at=stamp, updated_at=stamp, carried_by=carried_by)
    values["status"] = "sending" if carried_by is None else "folded"
    try:
        with engine.begin() as conn:
            return inserted_id(conn.execute(SE.insert().values(**values)))
    except IntegrityError:
        return None


def release(engine: Engine, send_id: int) -> None:
    """Drop a claim that turned out to carry nothing (its events were told by another run)."""
    with engine.begin() as conn:
        conn.execute(SE.delete().where(SE.c.id == send_id, SE.c.body.is_(None)))


def take(engine: Engine, send_id: int, from_status: tuple[str, ...]) -> bool:
    """Move a row to `sending` if it is still in one of `from_status` (one process wins)."""
    with engine.begin() as conn:
        result = conn.execute(
            update(SE)
            .where(SE.c.id == send_id, SE.c.status.in_(from_status))
            .values(status="sending", updated_at=now())
        )
        return result.rowcount == 1


def set_body(engine: Engine, send_id: int, body: dict[str, Any], items: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(SE)
            .where(SE.c.id == send_id)
            .values(body=json.dumps(body, ensure_ascii=False), items=items)
        )


def mark(engine: Engine, send_id: int, status: str, attempts: int, answer: str, actor: str | None) -> None:
    """The outcome of a send, audited in the same transaction."""
    stamp = now()
    with engine.begin() as conn:
        row = conn.execute(select(SE.c.key, SE.c.attempts, SE.c.channel_id).where(SE.c.id == send_id)).one()
        values = dict(status=status, attempts=row.attempts + attempts, answer=answer, updated_at=stamp)
        if status == "sent":
            values["sent_at"] = stamp
        conn.execute(update(SE).where(SE.c.id == send_id).values(**values))
        name = conn.execute(select(NotifyChannel.name).where(NotifyChannel.id == row.channel_id)).scalar()
        audit(
            conn,
            actor or "notify",
            f"notify.{status}",
            key=row.key,
            channel=name,
            attempts=attempts,
            answer=answer,
        )


def sent_since(engine: Engine, channel_id: int, since: dt.datetime) -> int:
    """Messages this robot was sent since `since` (its rate limit counts them, across processes)."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).where(
                    SE.c.channel_id == channel_id, SE.c.carried_by.is_(None), SE.c.sent_at >= since
                )
            ).scalar_one()
        )


def last_sent(engine: Engine, rule_id: int) -> dt.datetime | None:
    with engine.connect() as conn:
        return conn.execute(
            select(func.max(SE.c.claimed_at)).where(SE.c.rule_id == rule_id, SE.c.carried_by.is_(None))
        ).scalar()


def deferred(engine: Engine) -> list[dict[str, Any]]:
    """Messages waiting for their robot's rate limit, oldest first."""
    with engine.connect() as conn:
        query = select(SE).where(SE.c.status == "deferred", SE.c.carried_by.is_(None)).order_by(SE.c.id)
        return [dict(r) for r in conn.execute(query).mappings()]


def get(engine: Engine, send_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(SE).where(SE.c.id == send_id)).mappings().first()
        return None if row is None else dict(row)


def recent(engine: Engine, statuses: tuple[str, ...] | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The newest messages (not the rows folded into them), with their channel's name."""
    query = (
        select(SE, NotifyChannel.name.label("channel"))
        .join(NotifyChannel, NotifyChannel.id == SE.c.channel_id)
        .where(SE.c.carried_by.is_(None))
        .order_by(SE.c.id.desc())
        .limit(limit)
    )
    if statuses:
        query = query.where(SE.c.status.in_(statuses))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def record_audit(engine: Engine, actor: str, action: str, **detail: Any) -> None:
    with engine.begin() as conn:
        audit(conn, actor, action, **detail)
