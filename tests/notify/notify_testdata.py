"""Helpers of the notify tests: channels pointing at the local receiver, people, SLA breaches."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from lib import incidents, notify
from lib.core import clock
from lib.core.db import write
from lib.core.models import Incident, Person
from tests.notify.conftest import SECRETS


def channel(engine, robot, kind: str, name: str | None = None, token: str = "tok-0001") -> str:
    name = name or f"{kind}-group"
    with write(engine) as conn:
        notify.add_channel(conn, name, kind, robot.url(kind, token), SECRETS.get(kind), "test")
    return name


def rule(engine, message: str, channel_name: str, **kw) -> int:
    with write(engine) as conn:
        return notify.add_rule(conn, message, channel_name, "test", **kw)


def person(engine, name: str, mobile: str | None = None, user_id: str | None = None) -> int:
    with write(engine) as conn:
        values = dict(name=name, phone=mobile, chat_user_id=user_id, active=True)
        return int(conn.execute(insert(Person).values(**values)).inserted_primary_key[0])


def breach(engine, handler_id: int | None, minutes_ago: int = 120, category: str = "网络中断") -> None:
    """An incident resolved past its SLA (simple: 5 minutes) without a reason, detected today."""
    detected = clock.now() - dt.timedelta(minutes=minutes_ago)
    with write(engine) as conn:
        conn.execute(
            insert(Incident).values(
                category=category,
                severity="simple",
                detected_at=detected,
                responded_at=detected + dt.timedelta(minutes=1),
                resolved_at=detected + dt.timedelta(minutes=30),
                handler_person_id=handler_id,
                room="一鸣数码",
                platform="抖音",
            )
        )
        incidents.refresh_rollup_days(conn, [detected.date()])  # straight into the table: its roll-up too
