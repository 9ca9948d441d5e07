"""Targets: which one applies (most specific scope, latest month), achievement and status, and setting one.

A target row holds from its `month_from` on; a change is a new row, so earlier months keep the old value.
Scopes, most specific first: person (a host, by people.id) > team (by teams.id) > room (name) >
platform (key) > all. Achievement is 1.0 when the target is exactly met.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, insert, select

from lib.core import forms
from lib.core.db import audit, bump_data_version, now, write
from lib.core.errors import CodedError
from lib.core.metrics import METRICS
from lib.core.models import Target

SCOPE_ORDER = ("person", "team", "room", "platform", "all")  # most specific first
KINDS = ("at_least", "at_most", "between")
AMBER_FROM = 0.9  # achievement from 90 % up to 100 % is amber, below is red
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class TargetError(CodedError):
    """Bad target input; `code` is an i18n key under kpis.target_error, `params` fill it."""

    prefix = "kpis.target_error"


@dataclass(frozen=True)
class TargetRow:
    id: int
    metric: str
    scope_kind: str
    scope_value: str
    month_from: str
    kind: str
    value: float
    value_high: float | None
    period: str
    set_by: str | None
    set_at: dt.datetime


def load_targets(engine: Engine) -> tuple[TargetRow, ...]:
    """Every target row (the table is small: a few per metric, scope and month), oldest first."""
    t = Target.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.month_from, t.c.set_at, t.c.id)).mappings().all()
    return tuple(TargetRow(**dict(r)) for r in rows)


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def resolve(
    targets: Iterable[TargetRow], metric: str, month: str, scope: Mapping[str, str | None]
) -> TargetRow | None:
    """The target for `metric` in `month` (YYYY-MM) for a group described by `scope`
    ({"person": id, "team": id, "room": name, "platform": key}; missing or None = not known).

    The most specific scope with a row wins; within it the latest `month_from` <= month, then the latest
    set. A person's target beats a team's even when the team's is newer."""
    candidates = [t for t in targets if t.metric == metric and t.month_from <= month]
    for kind in SCOPE_ORDER:
        wanted = "" if kind == "all" else scope.get(kind)
        if kind != "all" and wanted in (None, ""):
            continue
        rows = [t for t in candidates if t.scope_kind == kind and t.scope_value == str(wanted)]
        if rows:
            return max(rows, key=lambda t: (t.month_from, t.set_at, t.id))
    return None


def achievement(kind: str, value: float, value_high: float | None, actual: float | None) -> float | None:
    """Share of the target reached: 1.0 = met. at_least: actual/target; at_most: target/actual (an actual
    of 0 meets it: 1.0); between: 1.0 inside the band, else the side's ratio. None when no data."""
    if actual is None:
        return None
    if kind == "at_least":
        return None if value == 0 else actual / value
    if kind == "at_most":
        return 1.0 if actual <= 0 else value / actual
    if kind == "between":
        high = value if value_high is None else value_high
        if actual < value:
            return None if value == 0 else actual / value
        if actual > high:
            return high / actual
        return 1.0
    raise ValueError(f"unknown target kind {kind!r}")


def status(ach: float | None) -> str:
    """green (met), amber (within 10 % of it), red, or no_data."""
    if ach is None:
        return "no_data"
    if ach >= 1.0 - 1e-9:
        return "green"
    return "amber" if ach >= AMBER_FROM else "red"


def months_span(date_from: dt.date, date_to: dt.date) -> float:
    """How many months a date range covers, counting part months by their days (a full month = 1)."""
    total, day = 0.0, date_from
    while day <= date_to:
        days_in = calendar.monthrange(day.year, day.month)[1]
        month_end = dt.date(day.year, day.month, days_in)
        last = min(month_end, date_to)
        total += ((last - day).days + 1) / days_in
        day = last + dt.timedelta(days=1)
    return total


def scaled(target: TargetRow, sessions: int, months: float) -> tuple[float, float | None]:
    """A target for a whole group: an additive metric's per-session target times its sessions, a
    per-month target times the months the range covers; ratios and averages stay as they are."""
    m = METRICS.get(target.metric)
    if m is None or not m.additive:
        return target.value, target.value_high
    factor = sessions if target.period == "session" else months
    high = None if target.value_high is None else target.value_high * factor
    return target.value * factor, high


def gap(kind: str, value: float, value_high: float | None, actual: float | None) -> float | None:
    """How far `actual` lies from the target, in the metric's own unit (a rate's: points): positive above
    it, negative below; 0 inside a band. None when no data."""
    if actual is None:
        return None
    if kind == "between":
        high = value if value_high is None else value_high
        return actual - value if actual < value else actual - high if actual > high else 0.0
    return actual - value


def gap_status(kind: str, value: float, value_high: float | None, actual: float | None) -> str:
    """Status of a growth target by its gap: green when met, amber when short by under 10 % of the target
    rate's size (the same margin as AMBER_FROM), else red."""
    diff = gap(kind, value, value_high, actual)
    if diff is None:
        return "no_data"
    short = -diff if kind == "at_least" else diff if kind == "at_most" else abs(diff)
    if short <= 1e-12:
        return "green"
    bound = value if kind != "between" or diff < 0 else (value if value_high is None else value_high)
    return "amber" if short <= (1.0 - AMBER_FROM) * abs(bound) else "red"


def evaluate(target: TargetRow, actual: float | None, sessions: int, months: float) -> dict[str, object]:
    """The JSON-friendly view of a target against an actual value of a group. A growth metric's target has
    no achievement ratio (None): `gap` (points above or below it) and its status say how it is met."""
    value, high = scaled(target, sessions, months)
    m = METRICS.get(target.metric)
    growth = m is not None and m.growth
    ach = None if growth else achievement(target.kind, value, high, actual)
    return {
        "kind": target.kind,
        "value": value,
        "value_high": high,
        "scope": target.scope_kind,
        "achievement": ach,
        "gap": gap(target.kind, value, high, actual),
        "growth": growth,
        "status": gap_status(target.kind, value, high, actual) if growth else status(ach),
    }


def validate(
    metric: str,
    scope_kind: str,
    scope_value: str,
    month_from: str,
    kind: str,
    value: float | None,
    value_high: float | None,
) -> None:
    """Raise TargetError naming the bad field and value."""
    if metric not in METRICS:
        raise TargetError("metric", value=metric)
    if scope_kind not in SCOPE_ORDER:
        raise TargetError("scope", value=scope_kind)
    if scope_kind != "all" and not str(scope_value).strip():
        raise TargetError("scope_value", value=scope_kind)
    if not MONTH_RE.match(month_from or ""):
        raise TargetError("month", value=month_from)
    if kind not in KINDS:
        raise TargetError("kind", value=kind)
    if value is None:
        raise TargetError("value", value="")
    if kind == "between" and (value_high is None or value_high < value):
        raise TargetError("between", low=value, high=value_high)


def set_target(
    engine: Engine,
    username: str,
    metric: str,
    scope_kind: str,
    scope_value: str,
    month_from: str,
    kind: str,
    value: float,
    value_high: float | None = None,
    based_on: int | None | str = "any",
    token: str | None = None,
) -> int:
    """Add a target row (history kept: earlier months keep the value they had) and audit it. `based_on`:
    the latest row for this metric, scope and month when the form was filled (None: there was none); if
    another was set since, raise forms.StaleEdit naming it. `token`: the form's write-once token."""
    scope_value = "" if scope_kind == "all" else str(scope_value).strip()
    validate(metric, scope_kind, scope_value, month_from, kind, value, value_high)
    if kind != "between":
        value_high = None
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "target", username)
        if based_on != "any":
            bump_data_version(conn)  # first: its row lock orders concurrent setters, so this read is current
            key = (
                Target.metric == metric,
                Target.scope_kind == scope_kind,
                Target.scope_value == scope_value,
                Target.month_from == month_from,
            )
            latest = conn.execute(
                select(Target.id, Target.set_by, Target.set_at)
                .where(*key)
                .order_by(Target.id.desc())
                .limit(1)
            ).first()
            if latest is not None and latest.id != based_on:
                raise forms.StaleEdit(latest.set_by, latest.set_at)
        new_id = conn.execute(
            insert(Target).values(
                metric=metric,
                scope_kind=scope_kind,
                scope_value=scope_value,
                month_from=month_from,
                kind=kind,
                value=float(value),
                value_high=value_high,
                period=METRICS[metric].target_period,
                set_by=username,
                set_at=now(),
            )
        ).inserted_primary_key[0]
        audit(
            conn,
            username,
            "target.set",
            id=new_id,
            metric=metric,
            scope_kind=scope_kind,
            scope_value=scope_value,
            month_from=month_from,
            kind=kind,
            value=value,
            value_high=value_high,
        )
    return int(new_id)


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


# --- the targets page -----------------------------------------------------------------------------


def scope_choices(engine: Engine) -> dict[str, list[tuple[str, str]]]:
    """(stored value, label) per scope kind: platforms, rooms with sessions, teams, people."""
    from lib.core.models import LiveSession, Person, Team
    from lib.kpis import PLATFORMS

    with engine.connect() as conn:
        rooms = conn.execute(
            select(LiveSession.room).where(LiveSession.room.isnot(None)).group_by(LiveSession.room)
        ).scalars()
        rooms = sorted(rooms)
        teams = conn.execute(select(Team.id, Team.name).order_by(Team.name)).all()
        people = conn.execute(select(Person.id, Person.name).order_by(Person.name)).all()
    return {
        "all": [("", "")],
        "platform": [(p, p) for p in PLATFORMS],
        "room": [(r, r) for r in rooms],
        "team": [(str(t.id), t.name) for t in teams],
        "person": [(str(p.id), p.name) for p in people],
    }


def _scope_label(choices: dict[str, list[tuple[str, str]]], kind: str, value: str) -> str:
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
            "scope": _scope_label(choices, r.scope_kind, r.scope_value),
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


def display_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Targets with names in `lang`; percentages shown as percent text, the other values as numbers."""
    from lib.core.formatting import format_value
    from lib.core.i18n import translate

    out = pd.DataFrame(
        {
            translate("kpis.targets.metric", lang): frame["metric"].map(lambda k: METRICS[k].name(lang)),
            translate("kpis.targets.scope_kind", lang): frame["scope_kind"].map(
                lambda k: translate(f"kpis.scope.{k}", lang)
            ),
            translate("kpis.targets.scope_value", lang): frame["scope"],
            translate("kpis.targets.month_from", lang): frame["month_from"],
            translate("kpis.targets.kind", lang): frame["kind"].map(
                lambda k: translate(f"kpis.kind.{k}", lang)
            ),
            translate("kpis.targets.value", lang): [
                format_value(v, METRICS[m].unit, lang)
                + ("" if h is None or pd.isna(h) else " – " + format_value(h, METRICS[m].unit, lang))
                for m, v, h in zip(frame["metric"], frame["value"], frame["value_high"], strict=True)
            ],
            translate("kpis.targets.period", lang): frame["period"].map(
                lambda p: translate(f"kpis.targets.period_{p}", lang)
            ),
            translate("kpis.targets.set_by", lang): frame["set_by"],
            translate("kpis.targets.set_at", lang): frame["set_at"],
        }
    )
    return out
