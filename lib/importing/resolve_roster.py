"""Resolving a roster against the database: positions, departments and teams by name (a new team is
created when the roster is written), people by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select

from lib.core.models import Department, ImportChange, Person, Position, Team
from lib.importing.plan import Plan, fetch_in, lookup, records_of
from lib.importing.validate import RowError

_ROSTER_COLUMNS = ("name", "position_id", "department_id", "team_id", "hired_on", "phone", "chat_user_id")


def _positions(conn: Connection) -> dict[str, int]:
    positions: dict[str, int] = {}
    for pid, key, zh, en in conn.execute(
        select(Position.id, Position.key, Position.name_zh, Position.name_en)
    ):
        positions.update({key.lower(): pid, zh: pid, en.lower(): pid})
    return positions


def _retired(conn: Connection) -> dict[int, set[str]]:
    """Each retired position with the people who hold it (they keep it; nobody else gets it)."""
    retired: dict[int, set[str]] = {
        pid: set() for (pid,) in conn.execute(select(Position.id).where(Position.active.is_(False)))
    }
    if retired:
        held = select(Person.name, Person.position_id).where(Person.position_id.in_(list(retired)))
        for name, pid in conn.execute(held):
            if pid is not None:  # the IN above: never None, but the column is nullable
                retired[pid].add(name)
    return retired


def _resolve_row(
    r: dict[str, Any],
    refs: dict[str, dict[str, int]],
    headers: dict[str, str],
    errors: list[RowError],
    retired: dict[int, set[str]],
) -> str | None:
    """Position, department and team ids of one row; returns the name of a team it would create."""
    row = r.pop("_row")
    if "position" in r:
        known = sorted(k for k, pid in refs["position"].items() if not k.isascii() and pid not in retired)
        value = r.pop("position")
        pid = lookup(refs["position"], value, row, headers["position"], "unknown_position", errors, known)
        if pid in retired and r.get("name") not in retired[pid]:
            errors.append(
                RowError(row, headers["position"], value, "retired_position", {"known": "、".join(known)})
            )
        r["position_id"] = pid
    if "department" in r:
        r["department_id"] = lookup(
            refs["department"], r.pop("department"), row, headers["department"], "unknown_department", errors
        )
    if "team" in r:
        value = r.pop("team")
        if not value or value in refs["team"]:
            r["team_id"] = refs["team"].get(value) if value else None
        else:  # a team the roster creates: its id exists only once written
            r["_team"] = value
            return value
    return None


def _create_teams(teams: dict[str, int]) -> Callable[[Connection, int, Plan], None]:
    def before_write(c: Connection, batch_id: int, plan: Plan) -> None:
        if plan.new_teams:
            c.execute(insert(Team), [{"name": n} for n in plan.new_teams])
            created = {
                n: i for i, n in c.execute(select(Team.id, Team.name).where(Team.name.in_(plan.new_teams)))
            }
            c.execute(
                insert(ImportChange),
                [
                    {
                        "batch_id": batch_id,
                        "table_name": "teams",
                        "row_id": i,
                        "action": "insert",
                        "before": None,
                    }
                    for i in created.values()
                ],
            )
            teams.update(created)
        for r in plan.records:
            if "_team" in r:
                name = r.pop("_team")
                r["team_id"] = teams.get(name) if name else None

    return before_write


def resolve_roster(conn: Connection, frame: pd.DataFrame, headers: dict[str, str]) -> tuple[Plan, list]:
    refs = {
        "position": _positions(conn),
        "department": {n: i for i, n in conn.execute(select(Department.id, Department.name))},
        "team": {n: i for i, n in conn.execute(select(Team.id, Team.name))},
    }
    errors: list[RowError] = []
    records = records_of(
        frame, ("_row", "name", "position", "department", "team", "hired_on", "phone", "chat_user_id")
    )
    new_teams: list[str] = []
    retired = _retired(conn)
    for r in records:
        team = _resolve_row(r, refs, headers, errors, retired)
        if team is not None and team not in new_teams:
            new_teams.append(team)
    columns = tuple(
        c for c in _ROSTER_COLUMNS if c in frame.columns or c.removesuffix("_id") in frame.columns
    )
    fetched = ("name", *[x for x in columns if x != "name"])

    def fetch(c: Connection, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return fetch_in(c, Person.__table__, fetched, "name", [r["name"] for r in recs])

    plan = Plan(
        Person.__table__,
        records,
        columns,
        lambda r: (r["name"],),
        fetch,
        before_write=_create_teams(refs["team"]) if new_teams else None,
        new_teams=new_teams,
    )
    return plan, errors
