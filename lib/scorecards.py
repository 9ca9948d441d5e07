"""Per-position scorecards: definitions (versioned by month), scoring, ranks, quarters, teams, promotion.

A position's definition lists KPIs with weights summing to 100, an achievement cap and grade bands; it
holds from its `month_from` on, so a month is always scored with the definition in force then (SPEC's
defaults apply before any admin edit). Score of a KPI = weight x min(achievement, cap); a KPI with no
data (or no target) is left out and the total is rescaled over the weights that have data: no data never
counts as zero. Totals are in points (100 = every target exactly met). Where the numbers come from:
lib/scorecards_sources.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from lib import scorecards_sources as src
from lib import targets as tg
from lib.core import clock, forms
from lib.core.db import audit, get_setting, now, set_setting, write
from lib.core.errors import CodedError
from lib.core.metrics import METRICS, SESSION_METRICS
from lib.core.models import ScorecardDefinition

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
DEFAULTS_FROM = "2020-01"  # SPEC's defaults are in force from the start
DEFAULT_CAP = 1.2
DEFAULT_BANDS = {"S": 110.0, "A": 100.0, "B": 85.0, "C": 70.0}  # points; below C is D
GRADES = ("S", "A", "B", "C", "D")
TREND_MONTHS = 6
DEFAULT_PROMOTION_BAR = 100.0
PROMOTION_SETTING = "scorecard_promotion_bar"
EPS = 1e-9


# --- the KPIs a scorecard can use ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScKpi:
    """A scorecard KPI: where its actual comes from, its unit and better-direction, its default target
    (catalogue metrics take theirs from the targets table; KPIs of scorecards alone carry one here)."""

    key: str
    source: str  # session / manual / incident / survey
    unit: str
    better: str
    target: tuple[str, float, float | None] | None = None


# KPIs that exist only on scorecards (names in lib/locales/scorecards.toml).
OWN_KPIS = (
    ScKpi("incident_sla_rate", "incident", "pct", "higher", ("at_least", 0.9, None)),
    ScKpi("incidents_per_10_sessions", "incident", "per10", "lower", ("at_most", 1.0, None)),
)
INCIDENT_KPIS = ("incident_resolve_minutes", "incident_response_minutes")
_SESSION_KEYS = tuple(m.key for m in SESSION_METRICS if m.inputs)
SC_KPIS: dict[str, ScKpi] = {
    **{k: ScKpi(k, "session", METRICS[k].unit, METRICS[k].better) for k in _SESSION_KEYS},
    "gmv_achievement": ScKpi("gmv_achievement", "session", "pct", "higher"),
    **{m.key: ScKpi(m.key, "manual", m.unit, m.better) for m in METRICS.values() if m.source == "manual"},
    **{k: ScKpi(k, "incident", METRICS[k].unit, METRICS[k].better) for k in INCIDENT_KPIS},
    **{k.key: k for k in OWN_KPIS},
    "collab_satisfaction": ScKpi("collab_satisfaction", "survey", "score", "higher"),
}
MANUAL_KPIS = tuple(k for k, v in SC_KPIS.items() if v.source == "manual")


def kpi_name(key: str, lang: str) -> str:
    from lib.core.i18n import translate

    if key in METRICS:
        return METRICS[key].name(lang)
    return translate(f"scorecards.kpi.{key}", lang)


# --- definitions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiDef:
    metric: str
    weight: float
    target: tuple[str, float, float | None] | None = None  # overrides the targets table


@dataclass(frozen=True)
class Definition:
    position: str
    month_from: str
    kpis: tuple[KpiDef, ...]
    cap: float = DEFAULT_CAP
    bands: tuple[tuple[str, float], ...] = tuple(DEFAULT_BANDS.items())
    set_by: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kpis": [
                {"metric": k.metric, "weight": k.weight}
                | (
                    {"target": {"kind": k.target[0], "value": k.target[1], "value_high": k.target[2]}}
                    if k.target
                    else {}
                )
                for k in self.kpis
            ],
            "cap": self.cap,
            "bands": dict(self.bands),
        }


def _kpis(*pairs: tuple) -> tuple[KpiDef, ...]:
    return tuple(KpiDef(p[0], float(p[1]), p[2] if len(p) > 2 else None) for p in pairs)


# SPEC, "Scorecards". Operations' conversion target is the seed's ≥ 5 % (the catalogue default is 3 %).
DEFAULTS: dict[str, tuple[KpiDef, ...]] = {
    "host": _kpis(
        ("gmv_achievement", 35),
        ("viewers", 20),
        ("conversion_rate", 20),
        ("interaction_rate", 15),
        ("avg_watch_seconds", 10),
    ),
    "operations": _kpis(
        ("gmv_achievement", 25),
        ("conversion_rate", 15, ("at_least", 0.05, None)),
        ("new_followers", 15),
        ("schedule_accuracy", 15),
        ("script_on_time", 10),
        ("incident_response_minutes", 10),
        ("collab_satisfaction", 10),
    ),
    "tech_support": _kpis(
        ("incident_sla_rate", 40), ("incident_resolve_minutes", 30), ("incidents_per_10_sessions", 30)
    ),
    "content_planner": _kpis(("script_on_time", 40), ("content_quality", 40), ("collab_satisfaction", 20)),
    "customer_service": _kpis(
        ("cs_response_seconds", 30), ("cs_resolution_rate", 35), ("customer_satisfaction", 35)
    ),
}
POSITIONS = tuple(DEFAULTS)


class ScorecardError(CodedError):
    """Bad scorecard input; `code` is an i18n key under scorecards.error, `params` fill it."""

    prefix = "scorecards.error"


def default_definition(position: str) -> Definition:
    return Definition(position, DEFAULTS_FROM, DEFAULTS[position])


def parse_definition(
    position: str, month_from: str, raw: Mapping[str, Any], set_by: str | None = None
) -> Definition:
    kpis = []
    for k in raw.get("kpis", []):
        tgt = k.get("target")
        target = (
            (
                tgt["kind"],
                float(tgt["value"]),
                None if tgt.get("value_high") is None else float(tgt["value_high"]),
            )
            if tgt
            else None
        )
        kpis.append(KpiDef(k["metric"], float(k["weight"]), target))
    bands = tuple((g, float(raw.get("bands", DEFAULT_BANDS)[g])) for g in GRADES[:-1])
    return Definition(position, month_from, tuple(kpis), float(raw.get("cap", DEFAULT_CAP)), bands, set_by)


def load_definitions(engine: Engine) -> tuple[Definition, ...]:
    """Every stored definition (a few per position), oldest first."""
    t = ScorecardDefinition.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.month_from, t.c.id)).mappings().all()
    return tuple(
        parse_definition(r["position_key"], r["month_from"], json.loads(r["definition"]), r["set_by"])
        for r in rows
        if r["position_key"] in DEFAULTS
    )


def definition_for(definitions: Iterable[Definition], position: str, month: str) -> Definition:
    """The definition in force in `month`: the latest stored one from that month or before, else SPEC's."""
    found = [d for d in definitions if d.position == position and d.month_from <= month]
    return max(found, key=lambda d: d.month_from) if found else default_definition(position)


def validate_definition(d: Definition, today: dt.date | None = None) -> None:
    """Raise ScorecardError naming what is wrong (weights, metrics, targets, cap, bands, month)."""
    if d.position not in DEFAULTS:
        raise ScorecardError("position", value=d.position)
    if not MONTH_RE.match(d.month_from or ""):
        raise ScorecardError("month", value=d.month_from)
    this_month = tg.month_of(today or clock.today())
    if d.month_from < this_month:  # a month already scored keeps its definition
        raise ScorecardError("past_month", value=d.month_from, current=this_month)
    if not d.kpis:
        raise ScorecardError("no_kpis")
    seen: set[str] = set()
    for row, k in enumerate(d.kpis, start=1):
        if k.metric not in SC_KPIS:
            raise ScorecardError("metric", row=row, value=k.metric)
        if k.metric in seen:
            raise ScorecardError("duplicate", row=row, value=k.metric)
        seen.add(k.metric)
        if not k.weight > 0:
            raise ScorecardError("weight", row=row, value=k.weight)
        if k.target is not None:
            kind, value, high = k.target
            if (
                kind not in tg.KINDS
                or value is None
                or (kind == "between" and (high is None or high < value))
            ):
                raise ScorecardError("target", row=row, value=f"{kind} {value} {high}")
    total = sum(k.weight for k in d.kpis)
    if abs(total - 100) > 1e-6:
        raise ScorecardError("weights_sum", value=round(total, 4))
    if not 1.0 <= d.cap <= 3.0:
        raise ScorecardError("cap", value=round(d.cap * 100, 2))
    values = [v for _g, v in d.bands]
    if any(v <= 0 for v in values) or any(a <= b for a, b in zip(values, values[1:], strict=False)):
        raise ScorecardError("bands", value=" > ".join(f"{g} {v:g}" for g, v in d.bands))


def definition_version(engine: Engine, position: str, month_from: str) -> int:
    """The version of the definition stored for exactly this position and month (0: none stored yet)."""
    t = ScorecardDefinition.__table__
    with engine.connect() as conn:
        found = conn.execute(
            select(t.c.version).where(t.c.position_key == position, t.c.month_from == month_from)
        ).scalar()
    return int(found or 0)


def save_definition(
    engine: Engine,
    username: str,
    d: Definition,
    today: dt.date | None = None,
    version: int | None = None,
    token: str | None = None,
) -> None:
    """Store `d` from its month on (replacing an edit of the same month); earlier months keep theirs.
    `version` (definition_version when the editor loaded): a save in between raises forms.StaleEdit.
    `token`: the form's write-once token."""
    validate_definition(d, today)
    t = ScorecardDefinition.__table__
    payload = json.dumps(d.as_json(), ensure_ascii=False)
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "scorecard_definition", username)
        existing = conn.execute(
            select(t.c.id, t.c.version, t.c.set_by, t.c.set_at).where(
                t.c.position_key == d.position, t.c.month_from == d.month_from
            )
        ).first()
        values = {"definition": payload, "set_by": username, "set_at": now()}
        if existing is not None and version == 0:
            raise forms.StaleEdit(
                existing.set_by, existing.set_at
            )  # stored by someone since the editor loaded
        if existing is None:
            try:  # the unique (position, month) refuses a concurrent first save
                conn.execute(t.insert().values(position_key=d.position, month_from=d.month_from, **values))
            except IntegrityError:
                raise forms.StaleEdit(None, None) from None
        elif not forms.update_if_version(
            conn, t, t.c.id == existing.id, existing.version if version is None else version, values
        ):
            raise forms.StaleEdit(existing.set_by, existing.set_at)
        audit(
            conn,
            username,
            "scorecard.definition",
            position=d.position,
            month_from=d.month_from,
            definition=d.as_json(),
        )


def promotion_bar(engine: Engine) -> float:
    with engine.connect() as conn:
        raw = get_setting(conn, PROMOTION_SETTING)
    return DEFAULT_PROMOTION_BAR if raw is None else float(raw)


def set_promotion_bar(engine: Engine, username: str, bar: float | None) -> None:
    if bar is None or not 0 < bar <= 300:
        raise ScorecardError("bar", value=bar)
    with write(engine) as conn:
        set_setting(conn, PROMOTION_SETTING, repr(float(bar)))
        audit(conn, username, "scorecard.promotion_bar", bar=float(bar))


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
) -> KpiScore:
    """weight x achievement capped at `cap`; no actual or no target -> no data (None), never 0."""
    if target is None or actual is None:
        return KpiScore(None, None, None)
    ach = tg.achievement(target[0], target[1], target[2], actual)
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
                    for k in ("metric", "weight", "actual", "target", "target_high", "achievement", "points")
                }
                for kpi in self.kpis
            ],
            "total": _round(self.total),
            "grade": self.grade,
            "rank": self.rank,
            "rescaled": self.rescaled,
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def month_range(month: str) -> tuple[dt.date, dt.date]:
    if not MONTH_RE.match(month or ""):
        raise ScorecardError("month", value=month)
    start = dt.date.fromisoformat(month + "-01")
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def shift_month(month: str, months: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + mon - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


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
        d = definition_for(definitions, p.position, month)
        card = Card(p.id, p.name, p.position, p.team_id, p.team, p.department, month, d.month_from)
        for k in d.kpis:
            actual, target = _actual_and_target(k, p, facts, targets, month)
            s = score_kpi(k.weight, target, actual, d.cap)
            card.kpis.append(
                {
                    "metric": k.metric,
                    "weight": k.weight,
                    "actual": _round(actual, 8),
                    "kind": None if target is None else target[0],
                    "target": None if target is None else target[1],
                    "target_high": None if target is None else target[2],
                    "achievement": _round(s.achievement, 8),
                    "capped": _round(s.capped, 8),
                    "points": _round(s.points, 4),
                    "status": "ok"
                    if s.points is not None
                    else ("no_target" if actual is not None else "no_data"),
                    "source": SC_KPIS[k.metric].source if k.metric in SC_KPIS else None,
                }
            )
        card.total, card.rescaled = total_of((kpi["weight"], kpi["points"]) for kpi in card.kpis)
        card.grade = grade_of(card.total, d.bands)
        cards.append(card)
    for pos in {c.position for c in cards}:
        group = [c for c in cards if c.position == pos]
        for c, r in zip(group, ranks([c.total for c in group]), strict=True):
            c.rank = r
    order = {p: i for i, p in enumerate(POSITIONS)}
    return sorted(cards, key=lambda c: (order[c.position], c.rank is None, c.rank or 0, c.person))


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

    target = k.target or kpi.target or (table_target(k.metric) if k.metric in METRICS else None)
    if kpi.source == "session":
        sums = facts.person_sums.get(p.id) if own_sessions else facts.team_sums.get(p.team_id)
        if sums is None:
            return None, target
        if k.metric == "gmv_achievement":
            gmv_target = table_target("gmv")
            return src.gmv_achievement(sums, gmv_target), target
        return src.session_actual(sums, k.metric), target
    if kpi.source == "manual":
        return facts.manual.get((p.id, k.metric)), target
    if kpi.source == "survey":
        return facts.collab.get(p.department) if p.department else None, target
    # incidents
    if k.metric == "incident_response_minutes":
        return facts.dept_response.get(p.department_id), target
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


# --- teams, quarters, promotion, the page's tables -----------------------------------------------------


def team_scores(cards: list[Card]) -> pd.DataFrame:
    """Per team: members scored, their average total (every position), best first."""
    rows: dict[str, list[float]] = {}
    for c in cards:
        if c.team and c.total is not None:
            rows.setdefault(c.team, []).append(c.total)
    frame = pd.DataFrame(
        [(team, len(v), sum(v) / len(v)) for team, v in rows.items()], columns=["team", "members", "score"]
    )
    return frame.sort_values(["score", "team"], ascending=[False, True], ignore_index=True)


def best_group(cards: list[Card]) -> tuple[str, float] | None:
    """最佳协作小组: the team with the highest members' average (the first by name on a tie)."""
    teams = team_scores(cards)
    if teams.empty:
        return None
    return str(teams.iloc[0]["team"]), float(teams.iloc[0]["score"])


def quarter_months(quarter: str) -> tuple[str, str, str]:
    m = QUARTER_RE.match(quarter or "")
    if not m:
        raise ScorecardError("quarter", value=quarter)
    year, q = int(m.group(1)), int(m.group(2))
    return tuple(f"{year:04d}-{3 * (q - 1) + i:02d}" for i in (1, 2, 3))  # type: ignore[return-value]


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def previous_quarter(quarter: str) -> str:
    return quarter_of(shift_month(quarter_months(quarter)[0], -1))


def quarter_scores(engine: Engine, quarter: str, position: str | None = None) -> pd.DataFrame:
    """Per person: the total of each month of the quarter, the quarter score (mean of the months that have
    one), its grade (bands of the quarter's last month) and rank within the position."""
    months = quarter_months(quarter)
    definitions = load_definitions(engine)
    by_person: dict[int, dict[str, Any]] = {}
    for month in months:
        for c in score_month(engine, month, position):
            rec = by_person.setdefault(
                c.person_id,
                {"person_id": c.person_id, "person": c.person, "position": c.position, "team": c.team},
            )
            rec[month] = c.total
    records = []
    for rec in by_person.values():
        totals = [rec.get(m) for m in months if rec.get(m) is not None]
        rec["quarter"] = sum(totals) / len(totals) if totals else None
        rec["grade"] = grade_of(
            rec["quarter"], definition_for(definitions, rec["position"], months[-1]).bands
        )
        records.append(rec)
    frame = pd.DataFrame.from_records(
        records, columns=["person_id", "person", "position", "team", *months, "quarter", "grade"]
    )
    frame["rank"] = pd.Series(dtype=object)
    for pos in frame["position"].unique():
        idx = frame.index[frame["position"] == pos]
        frame.loc[idx, "rank"] = pd.Series(
            ranks([_num(v) for v in frame.loc[idx, "quarter"]]), index=idx, dtype=object
        )
    return frame


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def promotion_flags(engine: Engine, quarter: str) -> pd.DataFrame:
    """People whose quarter score is at or above the admin's bar in `quarter` and the quarter before."""
    bar = promotion_bar(engine)
    before = previous_quarter(quarter)
    now_q = quarter_scores(engine, quarter).set_index("person_id")
    prev_q = quarter_scores(engine, before).set_index("person_id")
    rows = []
    for pid, rec in now_q.iterrows():
        a = _num(rec["quarter"])
        b = _num(prev_q["quarter"].get(pid)) if pid in prev_q.index else None
        if a is not None and b is not None and a >= bar - EPS and b >= bar - EPS:
            rows.append((int(pid), rec["person"], rec["position"], rec["team"], b, a))
    return pd.DataFrame(rows, columns=["person_id", "person", "position", "team", before, quarter])


def trend(
    engine: Engine, month: str, position: str | None = None, months: int = TREND_MONTHS
) -> pd.DataFrame:
    """Each person's total over the `months` months ending with `month`: month, person, position, total."""
    rows = []
    for i in range(months - 1, -1, -1):
        m = shift_month(month, -i)
        rows += [(m, c.person, c.position, c.total) for c in score_month(engine, m, position)]
    return pd.DataFrame(rows, columns=["month", "person", "position", "total"])


def position_frame(cards: list[Card], lang: str) -> pd.DataFrame:
    """One position's table: person, team, per KPI actual / target / achievement / points, total, grade,
    rank (numbers stay numbers: percentages as fractions, so an export can compute with them)."""
    from lib.core.i18n import translate

    records = []
    for c in cards:
        rec: dict[str, Any] = {
            translate("scorecards.col.person", lang): c.person,
            translate("scorecards.col.team", lang): c.team,
        }
        for k in c.kpis:
            name = kpi_name(k["metric"], lang)
            rec[f"{name} · {translate('scorecards.col.actual', lang)}"] = k["actual"]
            rec[f"{name} · {translate('scorecards.col.target', lang)}"] = k["target"]
            rec[f"{name} · {translate('scorecards.col.achievement', lang)}"] = k["achievement"]
            rec[f"{name} · {translate('scorecards.col.points', lang)}"] = k["points"]
        rec[translate("scorecards.col.total", lang)] = _round(c.total, 2)
        rec[translate("scorecards.col.grade", lang)] = c.grade or translate("common.no_data", lang)
        rec[translate("scorecards.col.rank", lang)] = c.rank
        records.append(rec)
    frame = pd.DataFrame.from_records(records)
    text = {translate(f"scorecards.col.{c}", lang) for c in ("person", "team", "grade")}
    for col in frame.columns:
        if col not in text:  # numbers or no data: a numeric column (no data stays empty, never 0)
            frame[col] = pd.to_numeric(frame[col]).astype("float64")
    return frame


def export_sheets(cards: list[Card], lang: str) -> dict[str, pd.DataFrame]:
    """One sheet per position (the position's name), for lib.core.exports.to_xlsx_bytes."""
    from lib.core.i18n import translate

    out = {}
    for pos in POSITIONS:
        group = [c for c in cards if c.position == pos]
        if group:
            out[translate(f"scorecards.position.{pos}", lang)] = position_frame(group, lang)
    return out


def export_units(cards: list[Card], lang: str) -> dict[str, str]:
    """The unit of each number column of export_sheets (lib.core.exports formats and rounds by it)."""
    from lib.core.i18n import translate

    col = {c: translate(f"scorecards.col.{c}", lang) for c in ("actual", "target", "achievement", "points")}
    units = {translate("scorecards.col.total", lang): "score", translate("scorecards.col.rank", lang): "int"}
    for key in {k["metric"] for c in cards for k in c.kpis}:
        name, unit = kpi_name(key, lang), SC_KPIS[key].unit if key in SC_KPIS else "score"
        parts = {"actual": unit, "target": unit, "achievement": "pct", "points": "score"}
        units |= {f"{name} · {col[part]}": part_unit for part, part_unit in parts.items()}
    return units


def card_for(engine: Engine, month: str, person_id: int) -> dict[str, Any] | None:
    """One person's card for `month` with the rows behind every KPI (sessions, incidents, manual entries,
    department survey score); None when the person has no scorecard."""
    person = next((p for p in src.people(engine) if p.id == person_id), None)
    if person is None or person.position not in DEFAULTS:
        return None
    card = next((c for c in score_month(engine, month, person.position) if c.person_id == person_id), None)
    if card is None:
        return None
    metrics = [k["metric"] for k in card.kpis]
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
    return {"card": card, "rows": rows}


def format_kpi_value(key: str, value: float | None, lang: str) -> str:
    """A KPI's actual or target as its unit shows it ("no data" for None)."""
    from lib.core.formatting import format_value

    unit = SC_KPIS[key].unit if key in SC_KPIS else "score"
    if value is not None and unit == "per10":
        return f"{value:.2f}"
    return format_value(value, unit, lang)


def target_text(kpi: Mapping[str, Any], lang: str) -> str:
    """≥ 5,000 / ≤ 10.0 min / 2.0 h – 4.0 h, or "no data" when the KPI has no target."""
    if kpi.get("kind") is None:
        return format_kpi_value(kpi["metric"], None, lang)
    low = format_kpi_value(kpi["metric"], kpi["target"], lang)
    if kpi["kind"] == "between":
        return f"{low} – {format_kpi_value(kpi['metric'], kpi['target_high'], lang)}"
    return ("≥ " if kpi["kind"] == "at_least" else "≤ ") + low


def card_frame(card: Card, lang: str) -> pd.DataFrame:
    """A card's KPIs, one row each: name, weight, actual, target, achievement, points and a note."""
    from lib.core.i18n import translate

    rows = []
    for k in card.kpis:
        note = "" if k["status"] == "ok" else translate(f"scorecards.status.{k['status']}", lang)
        if k["achievement"] is not None and k["capped"] is not None and k["capped"] < k["achievement"] - EPS:
            note = translate("scorecards.status.capped", lang)
        rows.append(
            {
                translate("scorecards.col.kpi", lang): kpi_name(k["metric"], lang),
                translate("scorecards.col.weight", lang): k["weight"],
                translate("scorecards.col.actual", lang): format_kpi_value(k["metric"], k["actual"], lang),
                translate("scorecards.col.target", lang): target_text(k, lang),
                translate("scorecards.col.achievement", lang): None
                if k["achievement"] is None
                else round(k["achievement"] * 100, 1),
                translate("scorecards.col.points", lang): None
                if k["points"] is None
                else round(k["points"], 2),
                translate("scorecards.col.source", lang): translate(f"scorecards.source.{k['source']}", lang),
                translate("scorecards.col.note", lang): note,
            }
        )
    return pd.DataFrame.from_records(rows)
