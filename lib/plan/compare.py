"""Plan against what happened: match held sessions to planned ones, schedule accuracy, forecast error
(MAPE) and script timeliness. The tolerances are the settings in force in the planned session's month
(lib.plan.rules)."""

from __future__ import annotations

import bisect
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


HELD_COLUMNS = (
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


def _held_rows(
    conn: Connection, date_from: dt.date, date_to: dt.date, window: dt.timedelta
) -> list[sa.Row[*tuple[Any, ...]]]:
    """Every session held in the period (widened by the match window): the plan page lists the unplanned."""
    start = dt.datetime.combine(date_from, dt.time()) - window
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()) + window
    query = (
        sa.select(*HELD_COLUMNS)
        .select_from(L.outerjoin(P, P.c.id == L.c.host_person_id))
        # started_on is started_at's day: its bounds let the day index find the rows (no started_at index)
        .where(L.c.started_on >= start.date(), L.c.started_on <= end.date())
        .where(L.c.started_at >= start, L.c.started_at < end)
        .order_by(L.c.started_at, L.c.id)
    )
    return list(conn.execute(query))


def _candidate_rows(conn: Connection, live: list[Any], book: RuleBook) -> list[sa.Row[*tuple[Any, ...]]]:
    """Only the held sessions `_pairs` could match with a live planned session: on a day within one's match
    window (started_on is started_at's day: the day index), on its platform, in its room (account or room
    name) or by its host. A superset of the candidates, so the matches are those of every held session."""
    if not live:
        return []
    days: set[dt.date] = set()
    for p in live:
        window = book.at(p.starts_at).match_window
        day, last = (p.starts_at - window).date(), (p.starts_at + window).date()
        while day <= last:
            days.add(day)
            day += dt.timedelta(days=1)
    rooms = sorted({p.account for p in live})
    hosts = sorted({p.host_name for p in live})
    query = (
        sa.select(*HELD_COLUMNS)
        .select_from(L.outerjoin(P, P.c.id == L.c.host_person_id))
        .where(
            L.c.started_on.in_(sorted(days)),
            L.c.platform.in_(sorted({p.platform for p in live})),
            sa.or_(
                L.c.account.in_(rooms), L.c.room.in_(rooms), L.c.host_name.in_(hosts), P.c.name.in_(hosts)
            ),
        )
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
    match on the host instead. Each planned session looks only at its platform's sessions starting within
    its window (bisected by start), not at every held session."""
    rooms = {(p.platform, p.account) for p in planned}
    by_platform: dict[str, list[Any]] = {}
    for h in sorted(held, key=lambda h: h.started_at):
        by_platform.setdefault(h.platform, []).append(h)
    starts = {k: [h.started_at for h in v] for k, v in by_platform.items()}
    out = []
    for p in planned:
        window = book.at(p.starts_at).match_window
        same_platform = by_platform.get(p.platform, [])
        first = bisect.bisect_left(starts.get(p.platform, []), p.starts_at - window)
        last = bisect.bisect_right(starts.get(p.platform, []), p.starts_at + window)
        for h in same_platform[first:last]:
            room_known = (h.platform, h.account) in rooms or (h.platform, h.room) in rooms
            if p.account not in (h.account, h.room) and (room_known or not _same_host(p, h)):
                continue
            delta = abs((h.started_at - p.starts_at).total_seconds())
            if delta <= window.total_seconds():
                out.append((delta, not _same_host(p, h), p.id, h.id, p, h))
    out.sort(key=lambda x: x[:4])
    return out


def compare(
    engine: Engine,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime,
    ops_owner: str | None = None,
    held_unplanned: bool = True,
) -> Comparison:
    """Planned sessions starting in the period (and due by `now`: start + match window passed), matched
    to the held sessions; `ops_owner` counts only the planned sessions that person owns (运营负责人).
    `held_unplanned=False` leaves `unmatched_held` empty and reads only the held sessions that could match
    a planned one (the owners' figures need no more; the same matches)."""
    with engine.connect() as conn:
        book = load_rules(conn)
        rows = planned_rows(conn, date_from, date_to)
        return _compare_rows(conn, book, rows, date_from, date_to, now, ops_owner, held_unplanned)


def _compare_rows(
    conn: Connection,
    book: RuleBook,
    rows: list[Any],
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime,
    ops_owner: str | None,
    held_unplanned: bool,
) -> Comparison:
    planned = [
        r
        for r in rows
        if r.starts_at + book.at(r.starts_at).match_window <= now
        and (ops_owner is None or r.ops_owner == ops_owner)
    ]
    live = [p for p in planned if p.status == "planned"]
    listing = held_unplanned and ops_owner is None  # only then are the unplanned sessions listed
    if listing:
        held = _held_rows(conn, date_from, date_to, book.widest_window(date_from, date_to))
    else:
        held = _candidate_rows(conn, live, book)
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
    if listing:
        result.unmatched_held = [
            h for h in held if h.id not in used_h and date_from <= h.started_on <= date_to
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


@dataclass
class PlanOutcomes:
    """A period's plan against what happened, read once: the comparison (matches and the planned sessions
    not held) and each due script's outcome; `by_owner` splits them by any owner column."""

    comparison: Comparison
    scripts: list[tuple[Any, bool]]

    def by_owner(self, owner_field: str) -> dict[str, OwnerFigures]:
        """Schedule accuracy and script timeliness counts per owner (`owner_field`: ops_owner,
        content_owner or floor_manager)."""
        out: dict[str, OwnerFigures] = {}

        def of(row: Any) -> OwnerFigures | None:
            name = getattr(row, owner_field)
            return out.setdefault(name, OwnerFigures()) if name else None

        for m in self.comparison.matches:
            if (fig := of(m.planned)) is not None:
                fig.planned += 1
                fig.held_as_planned += m.as_planned
        for p in self.comparison.unmatched_planned:
            if (fig := of(p)) is not None:
                fig.planned += 1
        for r, ok in self.scripts:
            if (fig := of(r)) is not None:
                fig.scripts_due += 1
                fig.scripts_on_time += ok
        return out


def outcomes(engine: Engine, date_from: dt.date, date_to: dt.date, now: dt.datetime) -> PlanOutcomes:
    """The period's plan outcomes from one read of the plan and of the held sessions that could match it
    (not every session held in the period): what the scorecards split by owner."""
    with engine.connect() as conn:
        book = load_rules(conn)
        rows = planned_rows(conn, date_from, date_to)
        comparison = _compare_rows(conn, book, rows, date_from, date_to, now, None, False)
    return PlanOutcomes(comparison, _script_outcomes(rows, now, book))


def by_owner(
    engine: Engine, date_from: dt.date, date_to: dt.date, now: dt.datetime, owner_field: str
) -> dict[str, OwnerFigures]:
    """Schedule accuracy and script timeliness counts per owner (`owner_field`: ops_owner, content_owner
    or floor_manager), from one comparison of the whole plan."""
    return outcomes(engine, date_from, date_to, now).by_owner(owner_field)
