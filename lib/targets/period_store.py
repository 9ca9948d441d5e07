"""Period targets in the database: read them, set one (new or an edit of its version), delete one.

Each write: validate -> one transaction (form token, version check, write) -> audit. A period target is
keyed by metric, period and scope; setting one that exists replaces its value only from the version the
editor saw (the page) or unconditionally (`expected="any"`, the command line)."""

from __future__ import annotations

import math
from typing import cast

from sqlalchemy import ColumnElement, Engine, String, delete, insert, select
from sqlalchemy.exc import IntegrityError

from lib.core import forms
from lib.core.bounds import MAX_DATE, MIN_DATE
from lib.core.db import audit, bump_data_version, inserted_id, now, write
from lib.core.models import LiveSession, PeriodTarget, Person, Position, Team
from lib.core.platforms import PLATFORMS
from lib.targets.period import PERIOD_METRICS, PERIOD_RE, PERIOD_SCOPES, PeriodTargetRow
from lib.targets.set_target import TargetError

MAX_VALUE = 1e13  # far above any team's month (¥10 trillion), far below float trouble
HOST_POSITION = "host"  # a host target's person is a host, never customer service or the analyst
PT = PeriodTarget.__table__
SCOPE_VALUE_MAX = cast(String, PT.c.scope_value.type).length or 0  # the column is a String(n)


def load_period_targets(engine: Engine) -> tuple[PeriodTargetRow, ...]:
    """Every period target (a few per month and scope), by period then id."""
    with engine.connect() as conn:
        rows = conn.execute(select(PT).order_by(PT.c.period, PT.c.id)).mappings().all()
    return tuple(PeriodTargetRow(**dict(r)) for r in rows)


def host_choices(engine: Engine) -> list[tuple[str, str]]:
    """(people.id as text, name) of the hosts, by name: the person list of a host target."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Person.id, Person.name)
            .join(Position, Position.id == Person.position_id)
            .where(Position.key == HOST_POSITION)
            .order_by(Person.name)
        ).all()
    return [(str(r.id), r.name) for r in rows]


def validate_period_target(
    engine: Engine, metric: str, period: str, scope_kind: str, scope_value: str, value: float | None
) -> None:
    """Raise TargetError naming the bad field and value (codes under kpis.target_error)."""
    if metric not in PERIOD_METRICS:
        raise TargetError("period_metric", value=metric)
    if not PERIOD_RE.match(period or "") or not MIN_DATE.year <= int(period[:4]) <= MAX_DATE.year:
        raise TargetError("period", value=period)
    if scope_kind not in PERIOD_SCOPES:
        raise TargetError("scope", value=scope_kind)
    if scope_kind != "all":
        if not scope_value:
            raise TargetError("scope_value", value=scope_kind)
        if len(scope_value) > SCOPE_VALUE_MAX:
            raise TargetError("scope_long", value=scope_value[:40], max=SCOPE_VALUE_MAX)
        _check_scope_exists(engine, scope_kind, scope_value)
    if value is None:
        raise TargetError("value", value="")
    if not math.isfinite(value) or not 0 < value <= MAX_VALUE:
        raise TargetError("period_value", value=value)


def _check_scope_exists(engine: Engine, scope_kind: str, scope_value: str) -> None:
    if scope_kind == "platform" and scope_value not in PLATFORMS:
        raise TargetError("unknown_platform", value=scope_value)
    if scope_kind == "room":
        with engine.connect() as conn:
            seen = conn.execute(
                select(LiveSession.id).where(LiveSession.room == scope_value).limit(1)
            ).first()
        if seen is None:
            raise TargetError("unknown_room", value=scope_value)
    if scope_kind == "team":
        with engine.connect() as conn:
            found = scope_value.isdigit() and conn.execute(select(Team.id).where(Team.id == int(scope_value)))
            if not found or found.first() is None:
                raise TargetError("unknown_team", value=scope_value)
    if scope_kind == "person" and scope_value not in dict(host_choices(engine)):
        raise TargetError("not_a_host", value=scope_value)


def set_period_target(
    engine: Engine,
    username: str,
    metric: str,
    period: str,
    scope_kind: str,
    scope_value: str,
    value: float | None,
    expected: int | None | str = None,
    token: str | None = None,
) -> int:
    """Set the period target of metric, period and scope; its id. `expected`: the version the editor saw
    (None: a new target, so none may exist yet; "any": replace whatever is there). A row set or changed
    since raises forms.StaleEdit naming who and when."""
    scope_value = "" if scope_kind == "all" else str(scope_value or "").strip()
    validate_period_target(engine, metric, period, scope_kind, scope_value, value)
    assert value is not None  # validate_period_target refuses None
    key: tuple[ColumnElement[bool], ...] = (PT.c.metric == metric, PT.c.period == period)
    key += (PT.c.scope_kind == scope_kind, PT.c.scope_value == scope_value)
    try:
        with write(engine) as conn:
            if token:
                forms.claim(conn, token, "period_target", username)
            bump_data_version(conn)  # first: its row lock orders concurrent setters, so this read is current
            old = conn.execute(select(PT).where(*key)).mappings().first()
            if old is not None and expected != "any" and old["version"] != expected:
                raise forms.StaleEdit(old["set_by"], old["set_at"])
            if old is None and expected not in (None, "any"):
                raise forms.StaleEdit(None, None)  # deleted since it was opened
            values = {"value": float(value), "set_by": username, "set_at": now()}
            if old is None:
                inserted = conn.execute(
                    insert(PT).values(
                        metric=metric, period=period, scope_kind=scope_kind, scope_value=scope_value, **values
                    )
                )
                row_id = inserted_id(inserted)
            else:
                row_id = old["id"]
                forms.update_if_version(conn, PT, PT.c.id == row_id, old["version"], values)
            audit(
                conn,
                username,
                "period_target.set",
                id=int(row_id),
                metric=metric,
                period=period,
                scope_kind=scope_kind,
                scope_value=scope_value,
                value=float(value),
                old_value=None if old is None else old["value"],
            )
    except IntegrityError:  # another setter inserted the same key meanwhile
        raise forms.StaleEdit(None, None) from None
    return int(row_id)


def delete_period_target(
    engine: Engine, username: str, target_id: int, expected: int, token: str | None = None
) -> None:
    """Delete a period target seen at version `expected`; a changed or gone row raises forms.StaleEdit."""
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "period_target_delete", username)
        bump_data_version(conn)
        old = conn.execute(select(PT).where(PT.c.id == target_id)).mappings().first()
        if old is None or old["version"] != expected:
            raise forms.StaleEdit(*(None, None) if old is None else (old["set_by"], old["set_at"]))
        conn.execute(delete(PT).where(PT.c.id == target_id))
        audit(
            conn,
            username,
            "period_target.delete",
            id=target_id,
            metric=old["metric"],
            period=old["period"],
            scope_kind=old["scope_kind"],
            scope_value=old["scope_value"],
            value=old["value"],
        )
