"""Plan against what happened: match held sessions to planned ones, schedule accuracy, forecast error
(MAPE) and script timeliness. The tolerances are the settings in force in the planned session's month
(lib.plan.rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lib.core.models import LiveSession, Person
from lib.plan.model import script_due
from lib.plan.queries import planned_rows
from lib.plan.rules import PlanRules, RuleBook, load_rules

L = LiveSession.__table__
P = Person.__table__


@dataclass
class Match:
    planned: Any
    held: Any
    start_delta_minutes: float
    length_delta_minutes: float | None
    as_planned: bool
    reasons: list[str]


@dataclass
class Comparison:
    """Planned sessions due by `now` in the period against the sessions held."""

    matches: list[Match] = field(default_factory=list)
    unmatched_planned: list[Any] = field(default_factory=list)  # not held (incl. cancelled)
    unmatched_held: list[Any] = field(default_factory=list)  # held, not planned
    planned: int = 0

    @property
    def held_as_planned(self) -> int:
        return sum(1 for m in self.matches if m.as_planned)

    @property
    def accuracy(self) -> float | None:
        return self.held_as_planned / self.planned if self.planned else None

    def mape(self, planned_col: str, held_col: str) -> float | None:
        """Mean absolute percentage error of the forecasts over the matched sessions that have both a
        forecast and a non-zero result."""
        errors: list[float] = [
            abs(error)
            for m in self.matches
            if (error := forecast_error(getattr(m.planned, planned_col), getattr(m.held, held_col)))
            is not None
        ]
        return sum(errors) / len(errors) if errors else None


def forecast_error(forecast: float | None, result: float | None) -> float | None:
    """(forecast − result) ÷ result: above 0 the forecast was too high; its absolute value is what
    forecast error (MAPE) averages. None without a forecast or a non-zero result."""
    if forecast is None or not result:
        return None
    return (float(forecast) - float(result)) / float(result)


def _held_rows(
    conn: Connection, date_from: dt.date, date_to: dt.date, window: dt.timedelta
) -> list[sa.Row[*tuple[Any, ...]]]:
    start = dt.datetime.combine(date_from, dt.time()) - window
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()) + window
    query = (
        sa.select(
            L.c.id,
            L.c.platform,
            L.c.account,
            L.c.room,
            L.c.host_name,
            L.c.started_at,
            L.c.started_on,
            L.c.duration_minutes,
            L.c.ended_at,
            L.c.gmv,
            L.c.viewers,
            P.c.name.label("person"),
        )
        .select_from(L.outerjoin(P, P.c.id == L.c.host_person_id))
        .where(L.c.started_at >= start, L.c.started_at < end)
        .order_by(L.c.started_at, L.c.id)
    )
    return list(conn.execute(query))


def _length(held: Any) -> float | None:
    if held.duration_minutes is not None:
        return float(held.duration_minutes)
    if held.ended_at is not None:
        length: dt.timedelta = held.ended_at - held.started_at
        return length.total_seconds() / 60
    return None


def _judge(planned: Any, held: Any, rules: PlanRules) -> Match:
    start_delta = (held.started_at - planned.starts_at).total_seconds() / 60
    length = _length(held)
    length_delta = None if length is None else length - planned.minutes
    reasons = []
    if abs(start_delta) > rules.on_time.total_seconds() / 60:
        reasons.append("late" if start_delta > 0 else "early")
    if length_delta is None or abs(length_delta) > rules.length_tolerance.total_seconds() / 60:
        reasons.append("short" if length_delta is not None and length_delta < 0 else "long")
    if (held.person or held.host_name) and not _same_host(planned, held):
        reasons.append("host")
    return Match(planned, held, start_delta, length_delta, not reasons, reasons)


def _same_host(planned: Any, held: Any) -> bool:
    return planned.host_name in {held.person, held.host_name}


def _pairs(planned: list[Any], held: list[Any], book: RuleBook) -> list[tuple[Any, ...]]:
    """Candidate (planned, held) pairs, best first: same platform and room (account or room name), start
    within the window; the closest start wins, then the planned host. A held session whose account and
    room name no planned room (an export without the account, e.g. Taobao's list names the host) may
    match on the host instead."""
    rooms = {(p.platform, p.account) for p in planned}
    out = []
    for p in planned:
        window = book.at(p.starts_at).match_window.total_seconds()
        for h in held:
            if h.platform != p.platform:
                continue
            room_known = (h.platform, h.account) in rooms or (h.platform, h.room) in rooms
            if p.account not in (h.account, h.room) and (room_known or not _same_host(p, h)):
                continue
            delta = abs((h.started_at - p.starts_at).total_seconds())
            if delta <= window:
                out.append((delta, not _same_host(p, h), p.id, h.id, p, h))
    out.sort(key=lambda x: x[:4])
    return out


def compare(
    engine: Engine, date_from: dt.date, date_to: dt.date, now: dt.datetime, ops_owner: str | None = None
) -> Comparison:
    """Planned sessions starting in the period (and due by `now`: start + match window passed), matched
    to the held sessions; `ops_owner` counts only the planned sessions that person owns (运营负责人)."""
    with engine.connect() as conn:
        book = load_rules(conn)
        planned = [
            r
            for r in planned_rows(conn, date_from, date_to)
            if r.starts_at + book.at(r.starts_at).match_window <= now
            and (ops_owner is None or r.ops_owner == ops_owner)
        ]
        held = _held_rows(conn, date_from, date_to, book.widest_window(date_from, date_to))
    live = [p for p in planned if p.status == "planned"]
    used_p: set[int] = set()
    used_h: set[int] = set()
    result = Comparison(planned=len(planned))
    for *_, p, h in _pairs(live, held, book):
        if p.id in used_p or h.id in used_h:
            continue
        used_p.add(p.id)
        used_h.add(h.id)
        result.matches.append(_judge(p, h, book.at(p.starts_at)))
    result.matches.sort(key=lambda m: (m.planned.starts_at, m.planned.id))
    result.unmatched_planned = [p for p in planned if p.id not in used_p]
    result.unmatched_held = [
        h for h in held if h.id not in used_h and date_from <= h.started_on <= date_to and ops_owner is None
    ]
    return result


@dataclass(frozen=True)
class Timeliness:
    due: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def _script_outcomes(rows: list[Any], now: dt.datetime, book: RuleBook) -> list[tuple[Any, bool]]:
    """(planned session, reviewed on time) for each planned (not cancelled) session whose review is due."""
    out = []
    for r in rows:
        deadline = script_due(r.starts_at, book.at(r.starts_at).review_days_before)
        if r.status == "planned" and deadline <= now:
            out.append((r, r.script_approved_at is not None and r.script_approved_at <= deadline))
    return out


def script_timeliness(
    engine: Engine, date_from: dt.date, date_to: dt.date, now: dt.datetime, owner: str | None = None
) -> Timeliness:
    """Scripts reviewed (approved) by their review due time ÷ scripts whose review was due by `now`, for
    the planned (not cancelled) sessions starting in the period; `owner` = the content owner."""
    with engine.connect() as conn:
        rows = planned_rows(conn, date_from, date_to, include_cancelled=False)
        book = load_rules(conn)
    outcomes = [
        (r, ok) for r, ok in _script_outcomes(rows, now, book) if owner is None or r.content_owner == owner
    ]
    return Timeliness(len(outcomes), sum(ok for _, ok in outcomes))


@dataclass
class OwnerFigures:
    """One owner's share of the period's plan: the planned sessions they own, those held as planned, their
    scripts due and reviewed on time."""

    planned: int = 0
    held_as_planned: int = 0
    scripts_due: int = 0
    scripts_on_time: int = 0


def by_owner(
    engine: Engine, date_from: dt.date, date_to: dt.date, now: dt.datetime, owner_field: str
) -> dict[str, OwnerFigures]:
    """Schedule accuracy and script timeliness counts per owner (`owner_field`: ops_owner, content_owner
    or floor_manager), from one comparison of the whole plan."""
    result = compare(engine, date_from, date_to, now)
    out: dict[str, OwnerFigures] = {}

    def of(row: Any) -> OwnerFigures | None:
        name = getattr(row, owner_field)
        return out.setdefault(name, OwnerFigures()) if name else None

    for m in result.matches:
        if (fig := of(m.planned)) is not None:
            fig.planned += 1
            fig.held_as_planned += m.as_planned
    for p in result.unmatched_planned:
        if (fig := of(p)) is not None:
            fig.planned += 1
    with engine.connect() as conn:
        rows = planned_rows(conn, date_from, date_to, include_cancelled=False)
        book = load_rules(conn)
    for r, ok in _script_outcomes(rows, now, book):
        if (fig := of(r)) is not None:
            fig.scripts_due += 1
            fig.scripts_on_time += ok
    return out
