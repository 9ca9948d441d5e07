"""Where scorecard numbers come from, per month: sessions (lib.kpis sums: a host's own, a team's hosts'),
incidents (lib.incidents feeds: by handler, response time by owner department), manual metrics (the monthly
file or the managers' form, lib/scorecards/manual.py) and survey results (lib.surveys: department level,
only above the anonymity threshold). Also the rows a card shows so a score can be explained line by line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, or_, select

from lib import incidents as inc
from lib import kpis, plan, rollups, surveys
from lib.core import clock
from lib.core.dates import month_bounds
from lib.core.formatting import number_or_none
from lib.core.metrics import METRICS
from lib.core.models import Department, ImportBatch, LiveSession, ManualMetric, Person, Position, Team
from lib.scorecards import position_facts as pf

CARD_ROWS_LIMIT = 500  # source rows a card lists per kind
SESSION_COLUMNS = (
    "id",
    "started_at",
    "platform",
    "room",
    "host",
    "duration_minutes",
    "viewers",
    "avg_watch_seconds",
    "comments",
    "likes",
    "shares",
    "buyers",
    "gmv",
    "new_followers",
)


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    position: str | None
    team_id: int | None
    team: str | None
    department_id: int | None
    department: str | None


def people(engine: Engine) -> list[PersonRow]:
    """Active people with their position key, team and department (small table)."""
    q = (
        select(
            Person.id,
            Person.name,
            Position.key,
            Person.team_id,
            Team.name,
            Person.department_id,
            Department.name,
        )
        .outerjoin(Position, Position.id == Person.position_id)
        .outerjoin(Team, Team.id == Person.team_id)
        .outerjoin(Department, Department.id == Person.department_id)
        .where(Person.active.is_(True))
        .order_by(Person.name)
    )
    with engine.connect() as conn:
        return [PersonRow(*r) for r in conn.execute(q).all()]


@dataclass(frozen=True)
class Handled:
    handled: int
    within_sla_share: float | None
    median_resolve_minutes: float | None


@dataclass
class MonthFacts:
    person_sums: dict[int, dict[str, Any]] = field(default_factory=dict)
    team_sums: dict[int, dict[str, Any]] = field(default_factory=dict)
    manual: dict[tuple[int, str], float] = field(default_factory=dict)
    handled: dict[int, Handled] = field(default_factory=dict)
    dept_response: dict[int, float | None] = field(default_factory=dict)
    collab: dict[str, float | None] = field(default_factory=dict)
    # (person id, metric) -> (value, counts) computed from the schedule; absent where the person owns no
    # planned session due that month (the manual figure stays)
    computed: dict[tuple[int, str], tuple[float | None, dict[str, Any]]] = field(default_factory=dict)


def month_facts(engine: Engine, month: str, persons: list[PersonRow]) -> MonthFacts:
    """Everything `month` is scored from: a few GROUP BY queries, whatever the number of people."""
    start, end = month_bounds(month)
    facts = MonthFacts()
    roster = kpis.load_roster(engine)
    facts.person_sums, facts.team_sums = host_sums(engine, month, roster)
    with engine.connect() as conn:
        for pid, metric, value in conn.execute(
            select(ManualMetric.person_id, ManualMetric.metric, ManualMetric.value).where(
                ManualMetric.month == month
            )
        ):
            facts.manual[(int(pid), metric)] = float(value)
    handlers = inc.handler_monthly(engine, start, end)
    for rec in handlers.to_dict("records"):
        if number_or_none(rec["person_id"]) is None:
            continue  # a handler not on the roster has no scorecard
        pid = int(rec["person_id"])
        prev = facts.handled.get(pid)
        if prev is not None:  # one person under two spellings: keep the larger group
            if prev.handled >= int(rec["handled"]):
                continue
        facts.handled[pid] = Handled(
            int(rec["handled"]),
            number_or_none(rec["within_sla_share"]),
            number_or_none(rec["median_resolve_minutes"]),
        )
    for rec in inc.department_response_monthly(engine, start, end).to_dict("records"):
        if number_or_none(rec["department_id"]) is not None:
            facts.dept_response[int(rec["department_id"])] = number_or_none(rec["median_respond_minutes"])
    facts.collab = surveys.department_scores(engine, month)
    outcomes = plan_outcomes(engine, month, persons)
    facts.computed = plan_figures(persons, outcomes)
    facts.computed.update(position_figures(engine, month, persons, facts, roster, outcomes))
    return facts


def plan_outcomes(engine: Engine, month: str, persons: list[PersonRow]) -> plan.PlanOutcomes | None:
    """The month's plan against what happened, read once for every position that is scored from it (the
    operations and content owners, the 场控); None when no one is."""
    if not any(p.position in (*PLAN_OWNER, "field_control") for p in persons):
        return None
    start, end = month_bounds(month)
    return plan.outcomes(engine, start, end, clock.now())


def host_sums(
    engine: Engine, month: str, roster: Any
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """The month's session sums per roster host and per team, from the roll-ups (a few rows per host and
    day), not the raw sessions."""
    start, end = month_bounds(month)
    person_sums: dict[int, dict[str, Any]] = {}
    team_sums: dict[int, dict[str, Any]] = {}
    # Roster hosts only, one row each, grouped in SQL: the exported names of hosts not on the roster
    # (partners: thousands at scale) have no scorecard.
    frame = rollups.sums_frame(engine, kpis.Filters(start, end), "person", roster)
    if not frame.empty:
        frame["k_person"] = frame["k_person"].astype(int)
        person_sums = {int(r["k_person"]): r for r in kpis.records(frame)}
        frame["k_team"] = frame["k_person"].map(lambda p: roster.person_team.get(int(p)))
        teams = frame[frame["k_team"].notna()].drop(columns=["k_person"])
        if not teams.empty:
            by_team = kpis.rollup(teams.astype({"k_team": int}), ["k_team"])
            team_sums = {int(r["k_team"]): r for r in kpis.records(by_team)}
    return person_sums, team_sums


def position_figures(
    engine: Engine,
    month: str,
    persons: list[PersonRow],
    facts: MonthFacts,
    roster: Any,
    outcomes: plan.PlanOutcomes | None,
) -> dict[tuple[int, str], tuple[float | None, dict[str, Any]]]:
    """The 场控's and data analyst's computed KPIs and host growth (lib/scorecards/position_facts.py); the
    conversion rates of host growth are the card's own (session_actual over the same sums)."""

    def conversion(person_id: int) -> float | None:
        sums = facts.person_sums.get(person_id)
        return None if sums is None else session_actual(sums, "conversion_rate")

    def base_conversion(base_month: str) -> dict[int, float | None]:
        sums, _teams = host_sums(engine, base_month, roster)
        return {pid: session_actual(s, "conversion_rate") for pid, s in sums.items()}

    out = pf.field_control_figures(engine, persons, outcomes)
    out.update(pf.upload_figures(engine, month, persons))
    out.update(pf.host_growth_figures(engine, month, persons, conversion, base_conversion))
    return out


# Whose planned sessions a position's schedule figures count (issue 22: an operations lead's schedule
# accuracy counts the planned sessions they own as 运营负责人; a content planner's scripts as 内容负责人).
PLAN_OWNER = {"operations": "ops_owner", "content_planner": "content_owner"}


def plan_figures(
    persons: list[PersonRow], outcomes: plan.PlanOutcomes | None
) -> dict[tuple[int, str], tuple[float | None, dict[str, Any]]]:
    """Schedule accuracy and script timeliness from the plan, for each person who owns planned sessions
    due in the month of `outcomes`."""
    out: dict[tuple[int, str], tuple[float | None, dict[str, Any]]] = {}
    by_field: dict[str, dict[str, plan.OwnerFigures]] = {}
    for p in persons:
        owner_field = PLAN_OWNER.get(p.position or "")
        if owner_field is None or outcomes is None:
            continue
        if owner_field not in by_field:
            by_field[owner_field] = outcomes.by_owner(owner_field)
        fig = by_field[owner_field].get(p.name)
        if fig and fig.planned:
            counts = {"planned": fig.planned, "held_as_planned": fig.held_as_planned}
            out[(p.id, "schedule_accuracy")] = (fig.held_as_planned / fig.planned, counts)
        if fig and fig.scripts_due:
            counts = {"scripts_due": fig.scripts_due, "scripts_on_time": fig.scripts_on_time}
            out[(p.id, "script_on_time")] = (fig.scripts_on_time / fig.scripts_due, counts)
    return out


def mark_source(row: dict[str, Any], facts: MonthFacts, person_id: int) -> None:
    """A card's KPI row says where a computed figure came from: "computed" (from the plan, the uploads or
    the sessions) or "manual", with the counts behind it and, for a figure that cannot be computed, why."""
    computed = facts.computed.get((person_id, row["metric"]))
    if computed is not None:
        row["source"] = "computed"
        row.update(computed[1])


def session_actual(sums: dict[str, Any], key: str) -> float | None:
    """A session metric of a group: a plain sum per session when its target is per session (viewers), the
    month's total when it is per month (new followers), else the catalogue ratio re-divided from sums."""
    m = METRICS[key]
    if m.additive:
        total, n = number_or_none(sums.get(f"{key}__{key}")), number_or_none(sums.get(f"{key}__sessions"))
        if total is None or not n:
            return None
        return total / n if m.target_period == "session" else total
    return kpis.metrics_of(sums).get(key)


def gmv_achievement(sums: dict[str, Any], gmv_target: tuple[str, float, float | None] | None) -> float | None:
    """GMV / (GMV target per session x sessions with GMV): 1.0 = the sessions met their target."""
    gmv, n = number_or_none(sums.get("gmv__gmv")), number_or_none(sums.get("gmv__sessions"))
    if gmv is None or not n or gmv_target is None or not gmv_target[1]:
        return None
    return gmv / (gmv_target[1] * n)


# --- the rows behind a card ------------------------------------------------------------------------


def _team_members(engine: Engine, team_id: int | None) -> list[int]:
    if team_id is None:
        return []
    with engine.connect() as conn:
        return list(conn.execute(select(Person.id).where(Person.team_id == team_id)).scalars())


def card_sessions(engine: Engine, month: str, person: PersonRow) -> pd.DataFrame:
    """The sessions a card's session KPIs count: a host's own, else their team's hosts'. (A list of
    sessions: no roll-up can give it, so it reads the raw rows by the host-day index.)"""
    start, end = month_bounds(month)
    ids = [person.id] if person.position == "host" else _team_members(engine, person.team_id)
    ls = LiveSession.__table__
    cols = [c for c in SESSION_COLUMNS if c != "host"]
    q = (
        select(*[ls.c[c] for c in cols], Person.name.label("host"))
        .outerjoin(Person, Person.id == ls.c.host_person_id)
        .where(ls.c.host_person_id.in_(ids), ls.c.started_on >= start, ls.c.started_on <= end)
        .order_by(ls.c.started_at, ls.c.id)
        .limit(CARD_ROWS_LIMIT)
    )
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()] if ids else []
    return pd.DataFrame.from_records(rows, columns=list(SESSION_COLUMNS))


def card_incidents(
    engine: Engine, month: str, person: PersonRow, by_department: bool, by_handler: bool
) -> pd.DataFrame:
    """Incidents a card's incident KPIs count: those the person handled, and (response time) those owned by
    their department. Same columns as the incident report's lists."""
    start, end = month_bounds(month)
    q = inc.IncidentQuery(inc.dialect_of(engine))  # the report's own columns, SLAs and durations
    who = []
    if by_handler:
        who.append(q.i.c.handler_person_id == person.id)
    if by_department and person.department_id is not None:
        who.append(q.i.c.owner_department_id == person.department_id)
    if not who:
        return inc.detail_frame([])
    stmt = (
        select(*inc.detail_columns(q))
        .select_from(q.source)
        .where(*q.where(inc.ReportFilter(start, end)), or_(*who))
        .order_by(q.i.c.detected_at, q.i.c.id)
        .limit(CARD_ROWS_LIMIT)
    )
    with engine.connect() as conn:
        return inc.detail_frame(conn.execute(stmt).all())


def card_manual(engine: Engine, month: str, person: PersonRow) -> pd.DataFrame:
    """The person's manual entries of the month: metric, value, who entered it or which file it came from."""
    q = (
        select(ManualMetric.metric, ManualMetric.value, ManualMetric.entered_by, ImportBatch.file_name)
        .outerjoin(ImportBatch, ImportBatch.id == ManualMetric.import_batch_id)
        .where(ManualMetric.month == month, ManualMetric.person_id == person.id)
        .order_by(ManualMetric.metric)
    )
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(q).all()]
    return pd.DataFrame(rows, columns=["metric", "value", "entered_by", "file_name"])
