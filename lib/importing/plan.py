"""What a resolved file will write: the Plan (table, records, natural key, how to fetch what is stored) and
the small helpers the resolvers share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Table, select

from lib.core.models import Person
from lib.importing.validate import RowError

IN_CHUNK = 500
Progress = Callable[[float], object]  # what it returns is not used (st.progress returns its element)
Fetch = Callable[[Connection, list[dict[str, Any]]], list[dict[str, Any]]]


@dataclass
class Plan:
    table: Table
    records: list[dict[str, Any]]
    columns: tuple[str, ...]  # compared and updated
    key: Callable[[dict[str, Any]], tuple]
    fetch: Fetch
    alt_key: Callable[[dict[str, Any]], tuple | None] | None = None
    before_write: Callable[[Connection, int, Plan], None] | None = None
    new_teams: list[str] = field(default_factory=list)


def chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def records_of(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in frame.columns]
    lists = [frame[c].tolist() for c in cols]
    return [dict(zip(cols, vals, strict=True)) for vals in zip(*lists, strict=True)]


def person_ids(conn: Connection) -> dict[str, int]:
    return {name: pid for pid, name in conn.execute(select(Person.id, Person.name))}


def lookup(
    ids: dict[str, int],
    value: str | None,
    row: int,
    column: str | None,
    code: str,
    errors: list[RowError],
    known: list[str] | None = None,
) -> int | None:
    """The id of a name from a reference table; an unknown name is a row error listing the known ones."""
    if not value:
        return None
    found = ids.get(value, ids.get(value.lower()))  # English keys in any case
    if found is None:
        errors.append(
            RowError(row, column, value, code, {"known": "、".join(ids if known is None else known)})
        )
    return found


def fetch_in(
    conn: Connection, table: Table, columns: Iterable[str], key: str, values: list[Any]
) -> list[dict[str, Any]]:
    """The stored rows (id and `columns`) whose `key` column is one of `values`, in chunks."""
    cols = [table.c.id, *[table.c[x] for x in columns]]
    out: list[dict[str, Any]] = []
    for chunk in chunks(values, IN_CHUNK):
        out += [dict(m) for m in conn.execute(select(*cols).where(table.c[key].in_(chunk))).mappings()]
    return out
