"""Reading targets: every row, the latest one of a key, the scope choices and the targets table."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from lib.core.models import LiveSession, Target, Team
from lib.core.platforms import PLATFORMS
from lib.targets.period_store import host_choices
from lib.targets.resolve import SCOPE_ORDER, TargetRow


def load_targets(engine: Engine) -> tuple[TargetRow, ...]:
    """Every target row (the table is small: a few per metric, scope and month), oldest first."""
    t = Target.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.month_from, t.c.set_at, t.c.id)).mappings().all()
    return tuple(TargetRow(**dict(r)) for r in rows)


def latest_target_id(
    engine: Engine, metric: str, scope_kind: str, scope_value: str, month_from: str
) -> int | None:
    """The newest row set for exactly this metric, scope and starting month (what set_target's based_on names)."""
    scope_value = "" if scope_kind == "all" else str(scope_value).strip()
    with engine.connect() as conn:
        return conn.execute(
            select(func.max(Target.id)).where(
                Target.metric == metric,
                Target.scope_kind == scope_kind,
                Target.scope_value == scope_value,
                Target.month_from == month_from,
            )
        ).scalar()


def scope_choices(engine: Engine) -> dict[str, list[tuple[str, str]]]:
    """(stored value, label) per scope kind: platforms, rooms with sessions, teams, hosts."""
    with engine.connect() as conn:
        stored = conn.execute(
            select(LiveSession.room).where(LiveSession.room.isnot(None)).group_by(LiveSession.room)
        ).scalars()
        rooms = sorted(room for room in stored if room is not None)  # none: the query skips them
        teams = conn.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    return {
        "all": [("", "")],
        "platform": [(p, p) for p in PLATFORMS],
        "room": [(r, r) for r in rooms],
        "team": [(str(t.id), t.name) for t in teams],
        "person": host_choices(engine),  # a person target is a host's: hosts only
    }


def scope_label(choices: dict[str, list[tuple[str, str]]], kind: str, value: str) -> str:
    return dict(choices.get(kind, [])).get(value, value)


def targets_frame(engine: Engine, month: str | None = None) -> pd.DataFrame:
    """Target rows with readable scopes: all of them (history, newest first), or only those in effect
    in `month` (per metric and scope the latest month_from <= month)."""
    rows = load_targets(engine)
    if month is not None:
        latest: dict[tuple[str, str, str], TargetRow] = {}
        for row in rows:  # oldest first, so later rows replace earlier ones
            if row.month_from <= month:
                latest[(row.metric, row.scope_kind, row.scope_value)] = row
        rows = tuple(sorted(latest.values(), key=lambda r: (r.metric, SCOPE_ORDER.index(r.scope_kind))))
    else:
        rows = tuple(sorted(rows, key=lambda r: (r.set_at, r.id), reverse=True))
    choices = scope_choices(engine)
    records = [
        {
            "metric": r.metric,
            "scope_kind": r.scope_kind,
            "scope": scope_label(choices, r.scope_kind, r.scope_value),
            "month_from": r.month_from,
            "kind": r.kind,
            "value": r.value,
            "value_high": r.value_high,
            "period": r.period,
            "set_by": r.set_by,
            "set_at": r.set_at,
        }
        for r in rows
    ]
    columns = [
        "metric",
        "scope_kind",
        "scope",
        "month_from",
        "kind",
        "value",
        "value_high",
        "period",
        "set_by",
        "set_at",
    ]
    return pd.DataFrame.from_records(records, columns=columns)
