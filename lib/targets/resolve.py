"""Targets: which one applies (most specific scope, latest month), achievement and status.

A target row holds from its `month_from` on; a change is a new row, so earlier months keep the old value.
Scopes, most specific first: person (a host, by people.id) > team (by teams.id) > room (name) >
platform (key) > all. Achievement is 1.0 when the target is exactly met.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lib.core.metrics import METRICS

SCOPE_ORDER = ("person", "team", "room", "platform", "all")  # most specific first
KINDS = ("at_least", "at_most", "between")
AMBER_FROM = 0.9  # achievement from 90 % up to 100 % is amber, below is red
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


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
        # Which target this is (lib.targets.period adds "period"): per session × sessions held, or a
        # per-month rate over the months the range covers; `unit_value` is the target as set.
        "target_kind": "per_session" if target.period == "session" else "per_month",
        "unit_value": target.value,
        "sessions": sessions,
    }
