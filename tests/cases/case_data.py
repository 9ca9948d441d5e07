"""Small deterministic fixtures for the case-library tests: roster people, sessions, users, cases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, insert, select

from lib import cases as cs
from lib.cases import Viewer
from lib.core.auth import add_user
from lib.core.db import write
from lib.core.models import LiveSession, Person
from tests.conftest import TEST_PASSWORD

DAY = dt.date(2026, 10, 12)


def add_people(engine: Engine) -> dict[str, int]:
    with write(engine) as conn:
        for name in ("林晓雨", "王欣然", "吴昊"):
            conn.execute(insert(Person).values(name=name, active=True))
        return dict(conn.execute(select(Person.name, Person.id)).all())


def add_session(
    engine: Engine,
    host_id: int | None,
    host: str,
    day: dt.date,
    gmv: float,
    viewers: int,
    buyers: int,
    platform: str = "douyin",
) -> int:
    start = dt.datetime.combine(day, dt.time(19, 0))
    with write(engine) as conn:
        return conn.execute(
            insert(LiveSession).values(
                platform=platform,
                account=f"acc_{host}",
                room=f"{host}的直播间",
                host_name=host,
                host_person_id=host_id,
                title="家电焕新日",
                started_at=start,
                started_on=day,
                ended_at=start + dt.timedelta(hours=3),
                duration_minutes=180,
                viewers=viewers,
                gmv=gmv,
                buyers=buyers,
                orders=buyers,
                avg_watch_seconds=95.0,
            )
        ).inserted_primary_key[0]


def add_staff(engine: Engine, username: str, person_id: int | None = None) -> Viewer:
    with write(engine) as conn:
        add_user(conn, username, TEST_PASSWORD, "staff", display_name=username, person_id=person_id)
    return Viewer(username, "staff", person_id)


def case_input(title: str = "福利秒杀带动 UV 提升", **kw) -> cs.CaseInput:
    base = dict(
        title=title,
        case_date=DAY,
        platform="douyin",
        category="促单技巧",
        highlights="开场福利秒杀，停留时长提升。",
        shortcomings="3 款产品讲解超时。",
        improvements="优化脚本时长，设置倒计时提醒。",
        tags=("福利节奏",),
    )
    base.update(kw)
    return cs.CaseInput(**base)


STAFF = Viewer("t_staff", "staff")
MANAGER = Viewer("t_manager", "manager")
ADMIN = Viewer("t_admin", "admin")
