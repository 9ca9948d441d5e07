"""The report's filter options per detection day: the distinct platforms, rooms, hosts and handlers of each
day's incidents (`incident_filter_values`), kept with the incident roll-ups (lib.incidents.rollup calls
`refresh_days`, `rebuild` and `differences` here, in the same transaction as every incident write), so the
option lists of a period read a few rows per day instead of every incident of the period.

Handlers are kept as the incident stores them (roster id and typed name) and named at read time like the
report's `handler` (the roster name, else the typed one), so renaming a person needs no refresh.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Integer, String, delete, func, insert, literal, null, or_, select, union
from sqlalchemy import cast as sql_cast

from lib.core.models import Incident, IncidentFilterValue, Person
from lib.core.rollup_diff import keyed_differences
from lib.incidents.sql import day_of

V = IncidentFilterValue
COLUMNS = ("day", "field", "value", "person_id")
FIELDS = {"platforms": "platform", "rooms": "room", "hosts": "host_name"}


def _fresh(dialect: str, where: list[Any]) -> Any:
    """The distinct (day, field, value, person_id) rows of the incidents matching `where`."""
    i = Incident.__table__
    day = day_of(i.c.detected_at, dialect)

    def part(field: str, value: Any, person: Any, *conds: Any) -> Any:
        cols = (day, literal(field, String(16)), sql_cast(value, String(128)), sql_cast(person, Integer))
        return select(*(c.label(n) for c, n in zip(cols, COLUMNS, strict=True))).where(*where, *conds)

    parts = [part(name, i.c[col], null(), i.c[col].is_not(None)) for name, col in FIELDS.items()]
    handler = or_(i.c.handler_name.is_not(None), i.c.handler_person_id.is_not(None))
    parts.append(part("handlers", i.c.handler_name, i.c.handler_person_id, handler))
    return union(*parts)


def refresh_days(conn: Connection, days: list[dt.date], where: list[Any]) -> None:
    """Recompute the rows of `days` (`where`: the raw incidents of those days), in the caller's transaction."""
    conn.execute(delete(V).where(V.c.day.in_(days)))
    conn.execute(insert(V).from_select(list(COLUMNS), _fresh(conn.dialect.name, where)))


def rebuild(conn: Connection) -> None:
    conn.execute(delete(V))
    conn.execute(insert(V).from_select(list(COLUMNS), _fresh(conn.dialect.name, [])))


def differences(conn: Connection) -> list[dict[str, Any]]:
    """Rows missing from or extra in the table against a fresh computation (each row is its own key)."""
    fresh = conn.execute(_fresh(conn.dialect.name, []))
    stored = conn.execute(select(*(V.c[c] for c in COLUMNS)).distinct())
    return [{"table": "incident_filter_values", **d} for d in keyed_differences(stored, fresh, COLUMNS)]


def options(conn: Connection, date_from: dt.date, date_to: dt.date) -> dict[str, list[Any]]:
    """{platforms, rooms, hosts, handlers: sorted distinct values} of the incidents detected in the days."""
    p = Person.__table__
    in_period = [V.c.day >= date_from, V.c.day <= date_to]
    out: dict[str, list[Any]] = {}
    for field in FIELDS:
        stmt = select(V.c.value).where(*in_period, V.c.field == field).distinct()
        out[field] = sorted(conn.execute(stmt).scalars())
    name = func.coalesce(p.c.name, V.c.value)
    handlers = (
        select(name)
        .select_from(V.outerjoin(p, p.c.id == V.c.person_id))
        .where(*in_period, V.c.field == "handlers", name.is_not(None))
        .distinct()
    )
    out["handlers"] = sorted(conn.execute(handlers).scalars())
    return out
