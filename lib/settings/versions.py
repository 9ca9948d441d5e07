"""Versioned settings: stored in force from a month (setting_values), read as "the value in force in month
M" through one `Book`, so the figures of a past month use the values they had then."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, insert, select, update

from lib.core import clock
from lib.core.dates import month_of
from lib.core.db import audit, write
from lib.core.effective import SettingsError, check_month
from lib.core.models import SettingValue
from lib.settings.model import BY_KEY, ORDERED, VERSIONED, claim, parse_int, spec

T = SettingValue.__table__


@dataclass(frozen=True)
class Version:
    month_from: str
    value: int
    set_by: str | None = None
    set_at: dt.datetime | None = None


@dataclass(frozen=True)
class Book:
    """Every stored version of the versioned settings, oldest first per key."""

    versions: dict[str, tuple[Version, ...]] = field(default_factory=dict)

    def value(self, key: str, month: str) -> int:
        """The value in force in `month` (YYYY-MM): the latest version from that month or before, else the
        default."""
        found = BY_KEY[key].default
        for v in self.versions.get(key, ()):
            if v.month_from > month:
                break
            found = v.value
        return int(found or 0)

    def values(self, month: str) -> dict[str, int]:
        return {key: self.value(key, month) for key in VERSIONED}

    def with_version(self, key: str, version: Version) -> Book:
        kept = [v for v in self.versions.get(key, ()) if v.month_from != version.month_from]
        merged = tuple(sorted([*kept, version], key=lambda v: v.month_from))
        return Book({**self.versions, key: merged})

    def starts(self) -> list[str]:
        return sorted({v.month_from for vs in self.versions.values() for v in vs})


def book_in(conn: Connection) -> Book:
    rows = conn.execute(
        select(T.c.key, T.c.month_from, T.c.value, T.c.set_by, T.c.set_at).order_by(T.c.key, T.c.month_from)
    ).all()
    out: dict[str, list[Version]] = {}
    for r in rows:
        if r.key in BY_KEY:  # a key no longer known is ignored, not an error
            out.setdefault(r.key, []).append(Version(r.month_from, int(r.value), r.set_by, r.set_at))
    return Book({k: tuple(v) for k, v in out.items()})


def book(engine: Engine) -> Book:
    """The versions of every versioned setting (one small read: callers ask it per month)."""
    with engine.connect() as conn:
        return book_in(conn)


def value_at(conn: Connection, key: str, month: str) -> int:
    return book_in(conn).value(key, month)


def _check_order(b: Book, month: str) -> None:
    """No month from `month` on may have a smaller setting above its larger partner (see ORDERED)."""
    for m in [month, *(s for s in b.starts() if s > month)]:
        for small, large in ORDERED:
            if b.value(small, m) > b.value(large, m):
                raise SettingsError(
                    "order",
                    field=small,
                    value=b.value(small, m),
                    other=large,
                    limit=b.value(large, m),
                    month=m,
                )


def set_versioned(engine: Engine, key: str, raw: object, actor: str, month_from: str | None = None) -> int:
    """Store `key` = `raw` in force from `month_from` (see set_many). Returns the stored value."""
    s = spec(key)
    set_many(engine, {s.key: raw}, actor, month_from)
    return parse_int(s, raw)


def set_many(
    engine: Engine,
    raw: dict[str, object],
    actor: str,
    month_from: str | None = None,
    token: str | None = None,
) -> dict[str, int]:
    """Store versioned settings in force from `month_from` (default this month; never a past month), all
    or none, each validated and audited; the same key and month again replaces that version. Only values
    that differ from the one in force that month are stored. Returns the values stored."""
    this_month = month_of(clock.today())
    month = check_month(month_from if month_from is not None else this_month, this_month)
    values: dict[str, int] = {}
    for key, value in raw.items():
        s = spec(key)
        if not s.versioned:
            raise SettingsError("not_versioned", field=s.key, value=month)
        values[s.key] = parse_int(s, value)
    with write(engine) as conn:
        claim(conn, token, actor)
        current = book_in(conn)
        changed = {k: v for k, v in values.items() if v != current.value(k, month)}
        planned = current
        for key, value in changed.items():
            planned = planned.with_version(key, Version(month, value))
        _check_order(planned, month)
        for key, value in changed.items():
            _store(conn, key, month, value, actor)
            audit(
                conn,
                actor,
                "setting_set",
                key=key,
                value=value,
                old=current.value(key, month),
                month_from=month,
            )
    return changed


def _store(conn: Connection, key: str, month: str, value: int, actor: str) -> None:
    row = {"value": str(value), "set_by": actor, "set_at": clock.now()}
    found = conn.execute(select(T.c.id).where(T.c.key == key, T.c.month_from == month)).scalar()
    if found is None:
        conn.execute(insert(T).values(key=key, month_from=month, **row))
    else:
        conn.execute(update(T).where(T.c.id == found).values(**row))
