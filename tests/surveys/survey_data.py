"""Test data for the survey tests: roster people in departments, users linked to them, answers."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from sqlalchemy import Engine, insert, select, update

from lib import surveys
from lib.core.db import now, write
from lib.core.models import Department, Person, User

PERIOD = "2026-11"
_batch = itertools.count(1)


def dept_ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Department.name, Department.id)).all())


def make_respondents(
    engine: Engine, counts: Mapping[str, int], prefix: str | None = None
) -> dict[str, list[int]]:
    """{department name: n} -> {department name: [user ids]}, each user linked to a roster person there."""
    ids = dept_ids(engine)
    prefix = prefix or f"r{next(_batch)}"
    out: dict[str, list[int]] = {}
    with write(engine) as conn:
        for dept, n in counts.items():
            for i in range(n):
                name = f"{prefix}_{ids[dept]}_{i}"
                person_id = conn.execute(
                    insert(Person).values(name=f"人员{name}", department_id=ids[dept], active=True)
                ).inserted_primary_key[0]
                user_id = conn.execute(
                    insert(User).values(
                        username=name,
                        display_name=f"用户{name}",
                        role="staff",
                        password_hash="x",
                        active=True,
                        person_id=person_id,
                        failed_logins=0,
                        created_at=now(),
                    )
                ).inserted_primary_key[0]
                out.setdefault(dept, []).append(int(user_id))
    return out


def link_user(engine: Engine, username: str, dept: str) -> int:
    """Give an existing login user a roster person in `dept`; returns the user id."""
    with write(engine) as conn:
        person_id = conn.execute(
            insert(Person).values(name=f"人员{username}", department_id=dept_ids(engine)[dept], active=True)
        ).inserted_primary_key[0]
        conn.execute(update(User).where(User.username == username).values(person_id=person_id))
        return int(conn.execute(select(User.id).where(User.username == username)).scalar_one())


def open_round(engine: Engine, period: str = PERIOD, name: str | None = None) -> int:
    round_id = surveys.create_round(engine, name or f"{period} 协作满意度", period, "t_manager")
    surveys.open_round(engine, round_id, "t_manager")
    return round_id


def answer(
    engine: Engine,
    round_id: int,
    user_id: int,
    score: int | Mapping[str, int] = 4,
    skip: tuple[str, ...] = (),
    comment: str | None = None,
) -> None:
    """Rate every other department (except `skip`) with `score` on every question; `score` may be
    {department name: score} (missing departments get 4)."""
    names = dept_ids(engine)
    own, _ = surveys.respondent_department(engine, user_id)
    questions = [q["key"] for q in surveys.DEFAULT_QUESTIONS]
    answers = {}
    for dept, dept_id in names.items():
        if dept_id == own or dept in skip:
            continue
        value = score if isinstance(score, int) else score.get(dept, 4)
        answers[dept_id] = {q: value for q in questions}
    surveys.submit(engine, round_id, user_id, answers, comment)


def closed_round_with(
    engine: Engine, counts: Mapping[str, int], score: int = 4, comments: bool = True
) -> int:
    """A closed round answered by `counts` respondents per department (all score `score`)."""
    users = make_respondents(engine, counts)
    round_id = open_round(engine)
    n = 0
    for ids in users.values():
        for user_id in ids:
            n += 1
            answer(engine, round_id, user_id, score, comment=f"建议{n}" if comments else None)
    surveys.close_round(engine, round_id, "t_manager")
    return round_id
