"""Scoring a month: score of a KPI = weight x min(achievement, cap); a KPI with no data (or no target) is
left out and the total is rescaled over the weights that have data: no data never counts as zero. Totals
are in points (100 = every target exactly met). Each person is scored with the definition in force in the
month (lib/scorecards/definitions.py) from the month's facts (lib/scorecards/sources.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import targets as tg
from lib.core.dates import month_bounds
from lib.core.metrics import METRICS
from lib.scorecards import sources as src
from lib.scorecards.definitions import (
    DEFAULT_BANDS,
    DEFAULT_CAP,
    DEFAULTS,
    EPS,
    MONTH_RE,
    POSITIONS,
    SC_KPIS,
    KpiDef,
    ScorecardError,
    definition_for,
    load_definitions,
)

Target = tuple[str, float, float | None]
PLAN_COUNTS = ("planned", "held_as_planned", "scripts_due", "scripts_on_time")  # of computed KPIs
# ... of the 场控's, the data analyst's and host growth (lib/scorecards/position_facts.py)
POSITION_COUNTS = (
    "started_on_time",
    "sessions",
    "incidents",
    "deadlines",
    "deadlines_met",
    "base_month",
    "base_conversion",
    "conversion",
    "status",
)

# --- scoring (pure) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiScore:
    achievement: float | None
    capped: float | None
    points: float | None


def score_kpi(
    weight: float,
    target: tuple[str, float, float | None] | None,
    actual: float | None,
    cap: float = DEFAULT_CAP,
    growth: bool = False,
) -> KpiScore:
    """weight x achievement capped at `cap`; no actual or no target -> no data (None), never 0. A growth
    rate is achieved as the level it reaches against the level the target asks: (1 + actual) / (1 +
    target), so +30 % against ≥ +30 % is 100 %, no growth 77 %, and a fall never gives negative points."""
    if target is None or actual is None:
        return KpiScore(None, None, None)
    if growth:
        return _growth_score(weight, target, actual, cap)
    ach = tg.achievement(target[0], target[1], target[2], actual)
    if ach is None:
        return KpiScore(None, None, None)
    capped = min(ach, cap)
    return KpiScore(ach, capped, weight * capped)


def _growth_score(weight: float, target: Target, actual: float, cap: float) -> KpiScore:
    low, high = 1 + target[1], None if target[2] is None else 1 + target[2]
    ach = tg.achievement(target[0], low, high, max(0.0, 1 + actual)) if low > 0 else None
    if ach is None:
        return KpiScore(None, None, None)
    capped = min(ach, cap)
    return KpiScore(ach, capped, weight * capped)


def total_of(kpis: Iterable[tuple[float, float | None]]) -> tuple[float | None, bool]:
    """(total, rescaled) from (weight, points) pairs: points over the weights that have data, x 100."""
    pairs = list(kpis)
    with_data = [(w, p) for w, p in pairs if p is not None]
    if not with_data:
        return None, False
    weights = sum(w for w, _p in with_data)
    return sum(p for _w, p in with_data) / weights * 100, len(with_data) < len(pairs)


def grade_of(
    total: float | None, bands: Iterable[tuple[str, float]] = tuple(DEFAULT_BANDS.items())
) -> str | None:
    if total is None:
        return None
    for grade, low in bands:
        if total >= low - EPS:
            return grade
    return "D"


def ranks(totals: list[float | None]) -> list[int | None]:
    """Competition ranks (1, 2, 2, 4) by total, highest first; no total -> no rank."""
    scored = sorted(t for t in totals if t is not None)
    out: list[int | None] = []
    for total in totals:
        out.append(None if total is None else 1 + sum(1 for s in scored if s > total + EPS))
    return out


# --- a month -----------------------------------------------------------------------------------------


@dataclass
class Card:
    person_id: int
    person: str
    position: str
    team_id: int | None
    team: str | None
    department: str | None
    month: str
    definition_from: str
    kpis: list[dict[str, Any]] = field(default_factory=list)
    total: float | None = None
    rescaled: bool = False
    grade: str | None = None
    rank: int | None = None

    def public(self) -> dict[str, Any]:
        """The `scorecard --json` object."""
        return {
            "person": self.person,
            "position": self.position,
            "team": self.team,
            "month": self.month,
            "kpis": [
                {
                    k: kpi[k]
                    for k in (
                        "metric",
                        "weight",
                        "actual",
                        "target",
                        "target_high",
                        "achievement",
                        "points",
                        "source",
                        *PLAN_COUNTS,
                        *POSITION_COUNTS,
                    )
                    if k in kpi
                }
                for kpi in self.kpis
            ],
            "total": round_or_none(self.total),
            "grade": self.grade,
            "rank": self.rank,
            "rescaled": self.rescaled,
        }


def round_or_none(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def month_range(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a YYYY-MM month; a malformed month is refused."""
    if not MONTH_RE.match(month or ""):
        raise ScorecardError("month", value=month)
    return month_bounds(month)


def score_month(engine: Engine, month: str, position: str | None = None) -> list[Card]:
    """Every person's card for `month` (only `position` when given), ranked within each position."""
    month_range(month)
    if position is not None and position not in DEFAULTS:
        raise ScorecardError("position", value=position)
    definitions = load_definitions(engine)
    people = [p for p in src.people(engine) if p.position in DEFAULTS and (position in (None, p.position))]
    if not people:
        return []
    facts = src.month_facts(engine, month, people)
    targets = tg.load_targets(engine)
    cards = []
    for p in people:
        if p.position is None:  # never: people holds only positions with a default card (above)
            continue
        d = definition_for(definitions, p.position, month)
        card = Card(p.id, p.name, p.position, p.team_id, p.team, p.department, month, d.month_from)
        for k in d.kpis:
            actual, target = _actual_and_target(k, p, facts, targets, month)
            growth = k.metric in METRICS and METRICS[k.metric].growth
            card.kpis.append(_kpi_row(k, actual, target, score_kpi(k.weight, target, actual, d.cap, growth)))
            src.mark_source(card.kpis[-1], facts, p.id)
        card.total, card.rescaled = total_of((kpi["weight"], kpi["points"]) for kpi in card.kpis)
        card.grade = grade_of(card.total, d.bands)
        cards.append(card)
    for pos in {c.position for c in cards}:
        group = [c for c in cards if c.position == pos]
        for c, r in zip(group, ranks([c.total for c in group]), strict=True):
            c.rank = r
    order = {p: i for i, p in enumerate(POSITIONS)}
    return sorted(cards, key=lambda c: (order[c.position], c.rank is None, c.rank or 0, c.person))


def _kpi_row(k: KpiDef, actual: float | None, target: Target | None, s: KpiScore) -> dict[str, Any]:
    """One KPI of a card: its actual, target, achievement, points and why it has no points."""
    return {
        "metric": k.metric,
        "weight": k.weight,
        "actual": round_or_none(actual, 8),
        "kind": None if target is None else target[0],
        "target": None if target is None else target[1],
        "target_high": None if target is None else target[2],
        "achievement": round_or_none(s.achievement, 8),
        "capped": round_or_none(s.capped, 8),
        "points": round_or_none(s.points, 4),
        "status": "ok" if s.points is not None else ("no_target" if actual is not None else "no_data"),
        "source": SC_KPIS[k.metric].source if k.metric in SC_KPIS else None,
    }


def _actual_and_target(
    k: KpiDef, p: src.PersonRow, facts: src.MonthFacts, targets: tuple[tg.TargetRow, ...], month: str
) -> tuple[float | None, tuple[str, float, float | None] | None]:
    """A KPI's actual value for one person in one month, and the target it is scored against."""
    kpi = SC_KPIS.get(k.metric)
    if kpi is None:
        return None, None
    own_sessions = p.position == "host"  # hosts by their own sessions, everyone else by their team's
    scope = {
        "person": str(p.id) if own_sessions else None,
        "team": None if p.team_id is None else str(p.team_id),
    }

    def table_target(key: str) -> tuple[str, float, float | None] | None:
        row = tg.resolve(targets, key, month, scope)
        return None if row is None else (row.kind, row.value, row.value_high)

    # A catalogue metric added after a database was seeded has no row in the targets table: its default.
    default = METRICS[k.metric].default_target if k.metric in METRICS else None
    target = k.target or kpi.target or (table_target(k.metric) if k.metric in METRICS else None) or default
    if kpi.source == "computed":
        computed = facts.computed.get((p.id, k.metric))
        return (computed[0] if computed else None), target
    if kpi.source == "session":
        team = facts.team_sums.get(p.team_id) if p.team_id is not None else None
        sums = facts.person_sums.get(p.id) if own_sessions else team
        if sums is None:
            return None, target
        if k.metric == "gmv_achievement":
            gmv_target = table_target("gmv")
            return src.gmv_achievement(sums, gmv_target), target
        return src.session_actual(sums, k.metric), target
    if kpi.source == "manual":
        computed = facts.computed.get((p.id, k.metric))  # from the plan where one exists
        return (computed[0] if computed else facts.manual.get((p.id, k.metric))), target
    if kpi.source == "survey":
        return facts.collab.get(p.department) if p.department else None, target
    # incidents
    if k.metric == "incident_response_minutes":
        return facts.dept_response.get(p.department_id) if p.department_id is not None else None, target
    handled = facts.handled.get(p.id)
    if k.metric == "incidents_per_10_sessions":
        team = facts.team_sums.get(p.team_id) if p.team_id is not None else None
        n_sessions = (team or {}).get("sessions") or 0
        if not n_sessions:
            return None, target
        return (handled.handled if handled else 0) / n_sessions * 10, target
    if handled is None:
        return None, target
    value = handled.within_sla_share if k.metric == "incident_sla_rate" else handled.median_resolve_minutes
    return value, target


def card_for(engine: Engine, month: str, person_id: int) -> dict[str, Any] | None:
    """One person's card for `month` with the rows behind every KPI (sessions, incidents, manual entries,
    department survey score); None when the person has no scorecard."""
    person = next((p for p in src.people(engine) if p.id == person_id), None)
    if person is None or person.position not in DEFAULTS:
        return None
    card = next((c for c in score_month(engine, month, person.position) if c.person_id == person_id), None)
    if card is None:
        return None
    return {"card": card, "rows": card_rows(engine, month, person_id, tuple(k["metric"] for k in card.kpis))}


def card_rows(
    engine: Engine, month: str, person_id: int, metrics: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    """The rows behind a card's KPIs (`metrics`: its KPIs' keys), by kind: what `card_for` adds to a card
    that a page already has from `score_month`."""
    person = next((p for p in src.people(engine) if p.id == person_id), None)
    if person is None:
        return {}
    sources = {SC_KPIS[m].source for m in metrics if m in SC_KPIS}
    rows: dict[str, pd.DataFrame] = {}
    if "session" in sources:
        rows["sessions"] = src.card_sessions(engine, month, person)
    if "incident" in sources:
        rows["incidents"] = src.card_incidents(
            engine,
            month,
            person,
            "incident_response_minutes" in metrics,
            any(m != "incident_response_minutes" and SC_KPIS[m].source == "incident" for m in metrics),
        )
    if "manual" in sources:
        rows["manual"] = src.card_manual(engine, month, person)
    return rows
