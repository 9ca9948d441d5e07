"""Departments, teams and positions (岗位): add and rename; positions also retire and come back. Each
change is validated, written in one transaction and audited; a rename keeps its old name in the audit log
(who, when, from, to), and a retired position stays on the people and scorecards that have it."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, update

from lib.core.db import audit, inserted_id, write
from lib.core.effective import SettingsError
from lib.core.models import AuditLog, Department, Person, Position, Team
from lib.settings.model import claim

NAME_MAX = 64
POSITION_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
TABLES: dict[str, Table] = {
    "department": Department.__table__,
    "team": Team.__table__,
    "position": Position.__table__,
}
HISTORY_ACTIONS = ("org_added", "org_renamed", "position_retired", "position_reactivated")


def _name(raw: object, field: str) -> str:
    name = " ".join(str(raw if raw is not None else "").split())
    if not name or len(name) > NAME_MAX:
        raise SettingsError("bad_name", field=field, value=name, max=NAME_MAX)
    return name


def _taken(conn: Connection, kind: str, column: str, name: str, row_id: int | None) -> None:
    table = TABLES[kind]
    query = select(table.c.id).where(func.lower(table.c[column]) == name.lower())
    if row_id is not None:
        query = query.where(table.c.id != row_id)
    if conn.execute(query).first() is not None:
        raise SettingsError("name_taken", field=column, value=name)


def _row(conn: Connection, kind: str, row_id: int) -> Any:
    table = TABLES[kind]
    row = conn.execute(select(table).where(table.c.id == int(row_id))).first()
    if row is None:
        raise SettingsError("no_such", field=kind, value=row_id)
    return row


def add_named(engine: Engine, kind: str, name: object, actor: str, token: str | None = None) -> int:
    """A new department or team."""
    clean = _name(name, "name")
    with write(engine) as conn:
        claim(conn, token, actor)
        _taken(conn, kind, "name", clean, None)
        new_id = inserted_id(conn.execute(insert(TABLES[kind]).values(name=clean)))
        audit(conn, actor, "org_added", kind=kind, id=new_id, name=clean)
    return int(new_id)


def rename_named(
    engine: Engine, kind: str, row_id: int, name: object, actor: str, token: str | None = None
) -> None:
    """Rename a department or team (people keep it: they point at its id)."""
    clean = _name(name, "name")
    with write(engine) as conn:
        claim(conn, token, actor)
        old = _row(conn, kind, row_id)
        if old.name == clean:
            return
        _taken(conn, kind, "name", clean, old.id)
        conn.execute(update(TABLES[kind]).where(TABLES[kind].c.id == old.id).values(name=clean))
        audit(conn, actor, "org_renamed", kind=kind, id=old.id, old=old.name, new=clean)


def named_rows(engine: Engine, kind: str) -> list[dict[str, Any]]:
    """Departments or teams with how many active people are in each, by name."""
    table = TABLES[kind]
    column = Person.department_id if kind == "department" else Person.team_id
    people = (
        select(func.count(Person.id)).where(column == table.c.id, Person.active.is_(True)).scalar_subquery()
    )
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.id, table.c.name, people.label("people")).order_by(table.c.name))
        return [dict(r._mapping) for r in rows]


def add_position(
    engine: Engine, key: object, name_zh: object, name_en: object, actor: str, token: str | None = None
) -> int:
    clean_key = str(key if key is not None else "").strip()
    if not POSITION_KEY_RE.match(clean_key):
        raise SettingsError("bad_position_key", field="key", value=clean_key)
    zh, en = _name(name_zh, "name_zh"), _name(name_en, "name_en")
    with write(engine) as conn:
        claim(conn, token, actor)
        _taken(conn, "position", "key", clean_key, None)
        _taken(conn, "position", "name_zh", zh, None)
        _taken(conn, "position", "name_en", en, None)
        values = {"key": clean_key, "name_zh": zh, "name_en": en, "active": True}
        new_id = inserted_id(conn.execute(insert(Position).values(**values)))
        audit(conn, actor, "org_added", kind="position", id=new_id, name=zh, name_en=en, key=clean_key)
    return int(new_id)


def rename_position(
    engine: Engine, row_id: int, name_zh: object, name_en: object, actor: str, token: str | None = None
) -> None:
    """New names for a position; its key (what scorecards and people refer to) stays."""
    zh, en = _name(name_zh, "name_zh"), _name(name_en, "name_en")
    with write(engine) as conn:
        claim(conn, token, actor)
        old = _row(conn, "position", row_id)
        if (old.name_zh, old.name_en) == (zh, en):
            return
        _taken(conn, "position", "name_zh", zh, old.id)
        _taken(conn, "position", "name_en", en, old.id)
        conn.execute(update(Position).where(Position.id == old.id).values(name_zh=zh, name_en=en))
        audit(
            conn,
            actor,
            "org_renamed",
            kind="position",
            id=old.id,
            key=old.key,
            old=old.name_zh,
            new=zh,
            old_en=old.name_en,
            new_en=en,
        )


def set_position_active(
    engine: Engine, row_id: int, active: bool, actor: str, token: str | None = None
) -> None:
    """Retire a position (kept on its people and scorecards, no longer offered) or bring it back."""
    with write(engine) as conn:
        claim(conn, token, actor)
        old = _row(conn, "position", row_id)
        if bool(old.active) == bool(active):
            return
        conn.execute(update(Position).where(Position.id == old.id).values(active=bool(active)))
        action = "position_reactivated" if active else "position_retired"
        audit(conn, actor, action, kind="position", id=old.id, key=old.key, name=old.name_zh)


def position_rows(engine: Engine, active_only: bool = False) -> list[dict[str, Any]]:
    """Positions (key, names, active, active people in it), active ones first."""
    people = (
        select(func.count(Person.id))
        .where(Person.position_id == Position.id, Person.active.is_(True))
        .scalar_subquery()
    )
    query = select(
        Position.id, Position.key, Position.name_zh, Position.name_en, Position.active, people.label("people")
    )
    if active_only:
        query = query.where(Position.active.is_(True))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(Position.active.desc(), Position.id))
        return [dict(r._mapping) for r in rows]


def active_position_keys(engine: Engine) -> frozenset[str]:
    """The positions offered for new people and new scorecard definitions."""
    return frozenset(r["key"] for r in position_rows(engine, active_only=True))


def org_history(engine: Engine, limit: int = 200) -> list[dict[str, Any]]:
    """Adds, renames, retirements of departments, teams and positions, newest first (from the audit log)."""
    a = AuditLog.__table__
    query = select(a.c.at, a.c.username, a.c.action, a.c.detail).where(a.c.action.in_(HISTORY_ACTIONS))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(a.c.at.desc(), a.c.id.desc()).limit(limit)).all()
    out = []
    for r in rows:
        detail = json.loads(r.detail or "{}")
        out.append({"at": r.at, "username": r.username, "action": r.action, **detail})
    return out
