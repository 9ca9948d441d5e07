"""Scorecard definitions, versioned by month: the KPIs a scorecard can use, SPEC's defaults, parsing,
validation and the admin's saves (a definition and the promotion bar).

A position's definition lists KPIs with weights summing to 100, an achievement cap and grade bands; it
holds from its `month_from` on, so a month is always scored with the definition in force then (SPEC's
defaults apply before any admin edit)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from lib import targets as tg
from lib.core import clock, forms
from lib.core.dates import month_of
from lib.core.db import audit, get_setting, now, set_setting, write
from lib.core.errors import CodedError
from lib.core.formatting import number_or_none, stored_from_typed
from lib.core.metrics import METRICS, SESSION_METRICS
from lib.core.models import ScorecardDefinition

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
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
    # computed from the plan, the uploads or a host's own months (lib/scorecards/position_facts.py)
    **{
        k: ScKpi(k, "computed", METRICS[k].unit, METRICS[k].better)
        for k in ("field_incidents_per_10", "field_interaction_rate", "data_on_time", "host_growth")
    },
}
MANUAL_KPIS = tuple(k for k, v in SC_KPIS.items() if v.source == "manual")


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


def kpi_defs(*pairs: tuple) -> tuple[KpiDef, ...]:
    """KpiDefs from (metric, weight) or (metric, weight, target) tuples."""
    return tuple(KpiDef(p[0], float(p[1]), p[2] if len(p) > 2 else None) for p in pairs)


# SPEC, "Scorecards". Operations' conversion target is the seed's ≥ 5 % (the catalogue default is 3 %).
DEFAULTS: dict[str, tuple[KpiDef, ...]] = {
    # SPEC's 35/20/20/15/10 scaled by 0.9 beside host growth (10): a host outside their first three months
    # (no growth figure) keeps exactly the total SPEC's weights give, the card rescaled over 90.
    "host": kpi_defs(
        ("gmv_achievement", 31.5),
        ("viewers", 18),
        ("conversion_rate", 18),
        ("interaction_rate", 13.5),
        ("avg_watch_seconds", 9),
        ("host_growth", 10),
    ),
    "operations": kpi_defs(
        ("gmv_achievement", 25),
        ("conversion_rate", 15, ("at_least", 0.05, None)),
        ("new_followers", 15),
        ("schedule_accuracy", 15),
        ("script_on_time", 10),
        ("incident_response_minutes", 10),
        ("collab_satisfaction", 10),
    ),
    "tech_support": kpi_defs(
        ("incident_sla_rate", 40), ("incident_resolve_minutes", 30), ("incidents_per_10_sessions", 30)
    ),
    "content_planner": kpi_defs(("script_on_time", 40), ("content_quality", 40), ("collab_satisfaction", 20)),
    "customer_service": kpi_defs(
        ("cs_response_seconds", 30), ("cs_resolution_rate", 35), ("customer_satisfaction", 35)
    ),
    # Issue 22: the live room's run (started on time, incidents, interaction) and the department survey.
    "field_control": kpi_defs(
        ("field_start_on_time", 30),
        ("field_incidents_per_10", 25),
        ("field_interaction_rate", 25),
        ("collab_satisfaction", 20),
    ),
    # Issue 22: uploads within their deadlines, report accuracy (recorded by hand), the department survey.
    "data_analyst": kpi_defs(("data_on_time", 45), ("report_accuracy", 35), ("collab_satisfaction", 20)),
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
    this_month = month_of(today or clock.today())
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


def definition_from_rows(
    position: str,
    month_from: str,
    rows: Iterable[Mapping[str, Any]],
    cap_pct: float,
    bands: Mapping[str, float],
) -> Definition:
    """The admin editor's table (metric, weight, kind, value, value_high per row; percent targets and the cap
    typed in %) as a
    Definition; a row without a metric, or with a target kind but no value, is refused by its row."""
    kpis = []
    for row, r in enumerate(rows, start=1):
        if not r.get("metric"):
            raise ScorecardError("metric", row=row, value="")
        kind = r.get("kind") if isinstance(r.get("kind"), str) and r.get("kind") else None
        unit = SC_KPIS[r["metric"]].unit if r["metric"] in SC_KPIS else ""
        value = stored_from_typed(number_or_none(r.get("value")), unit)  # typed as percent: 3 = 3 %
        high = stored_from_typed(number_or_none(r.get("value_high")), unit)
        if kind and value is None:
            raise ScorecardError("target", row=row, value=kind)
        weight = number_or_none(r.get("weight")) or 0.0
        kpis.append(KpiDef(r["metric"], weight, (kind, value, high) if kind and value is not None else None))
    return Definition(
        position,
        month_from.strip(),
        tuple(kpis),
        cap_pct / 100,
        tuple((g, float(bands[g])) for g in GRADES[:-1]),
    )
