"""Hand-made plans and held sessions for the planning tests."""

from __future__ import annotations

import datetime as dt

from lib import plan
from lib.core import db
from lib.core.models import LiveSession, Person


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def planned(
    engine, start: str, minutes: int = 120, account: str = "room-a", host: str = "林晓雨", **extra
) -> int:
    raw = {
        "platform": "douyin",
        "account": account,
        "host_name": host,
        "starts_at": start,
        "minutes": minutes,
    }
    with db.write(engine) as conn:
        return plan.add(conn, plan.validate(raw | extra), "t_manager")


def held(
    engine, start: str, minutes: float | None = 120, account: str = "room-a", host: str | None = None, **extra
) -> int:
    started = when(start)
    values = {
        "platform": "douyin",
        "account": account,
        "host_name": host,
        "started_at": started,
        "started_on": started.date(),
        "duration_minutes": minutes,
    } | extra
    with db.write(engine) as conn:
        return conn.execute(LiveSession.__table__.insert().values(**values)).inserted_primary_key[0]


def person(engine, name: str) -> int:
    with db.write(engine) as conn:
        return conn.execute(Person.__table__.insert().values(name=name, active=True)).inserted_primary_key[0]
