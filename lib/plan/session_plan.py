"""One held session against its plan (the review page): the planned session it matched — by the same
matching as the schedule's figures (lib.plan.compare), not a second rule — and what differed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.core import clock
from lib.core.formatting import format_value
from lib.core.i18n import translate
from lib.core.models import LiveSession
from lib.plan.compare import Match, compare, forecast_error
from lib.plan.queries import as_dict
from lib.plan.rules import PlanRules, rules

L = LiveSession.__table__
OWNERS = ("ops_owner", "content_owner", "floor_manager")


@dataclass(frozen=True)
class SessionPlan:
    planned: dict[str, Any]  # the planned session (lib.plan.queries.as_dict: script status and due times)
    match: Match
    rules: PlanRules  # the tolerances it was judged by (those of its planned month)

    @property
    def host(self) -> str | None:
        name: str | None = self.match.held.person or self.match.held.host_name
        return name

    @property
    def length(self) -> float | None:
        return (
            None
            if self.match.length_delta_minutes is None
            else self.planned["minutes"] + (self.match.length_delta_minutes)
        )

    def error(self, what: str) -> float | None:
        """The forecast error of `what` (gmv or viewers) for this session; None without both figures."""
        return forecast_error(self.planned[f"forecast_{what}"], getattr(self.match.held, what))


def for_session(engine: Engine, session_id: int, now: dt.datetime) -> SessionPlan | None:
    """The planned session a held session matched, or None (held unplanned, or not due for matching yet:
    a plan counts once its start and the match window have passed)."""
    with engine.connect() as conn:
        day = conn.execute(sa.select(L.c.started_on).where(L.c.id == session_id)).scalar()
    if day is None:
        return None
    # The days around it hold every planned start within the match window of this session's start.
    result = compare(engine, day - dt.timedelta(days=1), day + dt.timedelta(days=1), now)
    match = next((m for m in result.matches if m.held.id == session_id), None)
    if match is None:
        return None
    in_force = rules(engine).at(match.planned.starts_at)
    return SessionPlan(as_dict(match.planned, now, in_force), match, in_force)


def _whole(span: dt.timedelta) -> int:
    return int(span.total_seconds() // 60)


def none_text(engine: Engine, session_id: int, lang: str) -> str:
    """What the review page says when the session matched no planned one (the window of its month)."""
    with engine.connect() as conn:
        day = conn.execute(sa.select(L.c.started_on).where(L.c.id == session_id)).scalar()
    window = rules(engine).at(day or clock.today()).match_window
    return translate("plan.session.none", lang, window=_whole(window))


def _minutes(value: float | None, lang: str, signed: bool = False) -> str:
    if value is None:
        return translate("common.no_data", lang)
    text = translate("plan.session.minutes", lang, n=f"{abs(value):,.0f}")
    return ("+" if value > 0 else "-" if value < 0 else "±") + text if signed else text


def _error(value: float | None, lang: str) -> str:
    if value is None:
        return translate("common.no_data", lang)
    return ("+" if value > 0 else "") + format_value(value, "pct", lang)


def verdict(sp: SessionPlan, lang: str) -> str:
    """Held as planned, or why not (late, early, short, long, another host), in the user's language."""
    if sp.match.as_planned:
        return translate(
            "plan.session.as_planned",
            lang,
            on_time=_whole(sp.rules.on_time),
            length=_whole(sp.rules.length_tolerance),
        )
    reasons = "、".join(translate(f"plan.session.reason.{r}", lang) for r in sp.match.reasons)
    return translate("plan.session.not_as_planned", lang, reasons=reasons)


def plan_frame(sp: SessionPlan, lang: str) -> pd.DataFrame:
    """Plan beside what happened: start, length, host, forecast GMV and viewers, and the difference."""

    def t(key: str, **kw: Any) -> str:
        return translate(key, lang, **kw)

    held, planned, match = sp.match.held, sp.planned, sp.match
    rows = [
        (
            t("plan.session.row.start"),
            f"{planned['starts_at']:%m-%d %H:%M}",
            f"{held.started_at:%m-%d %H:%M}",
            _minutes(match.start_delta_minutes, lang, signed=True),
        ),
        (
            t("plan.session.row.length"),
            _minutes(planned["minutes"], lang),
            _minutes(sp.length, lang),
            _minutes(match.length_delta_minutes, lang, signed=True) if sp.length is not None else "",
        ),
        (t("plan.session.row.host"), planned["host_name"], sp.host or t("common.no_data"), ""),
        (
            t("plan.session.row.gmv"),
            format_value(planned["forecast_gmv"], "cny", lang),
            format_value(held.gmv, "cny", lang),
            _error(sp.error("gmv"), lang),
        ),
        (
            t("plan.session.row.viewers"),
            format_value(planned["forecast_viewers"], "count", lang),
            format_value(held.viewers, "count", lang),
            _error(sp.error("viewers"), lang),
        ),
    ]
    columns = [t(f"plan.session.col.{c}") for c in ("what", "planned", "actual", "difference")]
    return pd.DataFrame(rows, columns=columns)


def plan_notes(sp: SessionPlan, lang: str) -> list[str]:
    """The plan's theme and products, its owners and its script's state, one line each (none empty)."""

    def t(key: str, **kw: Any) -> str:
        return translate(key, lang, **kw)

    planned = sp.planned
    lines = []
    if planned["theme"] or planned["products"]:
        theme = " · ".join(x for x in (planned["theme"], planned["products"]) if x)
        lines.append(t("plan.session.theme", theme=theme))
    owners = [f"{t(f'plan.field.{k}')} {planned[k]}" for k in OWNERS if planned[k]]
    if owners:
        lines.append(" · ".join(owners))
    status = t(f"plan.script.{planned['script_status']}")
    lines.append(f"{t('plan.field.script')}: {status}")
    return lines


def review_block(engine: Engine, session_id: int, now: dt.datetime, lang: str) -> dict[str, Any] | None:
    """What the review page shows of a session's plan: the verdict, the table and the notes (plain
    values, so the page may cache them); None when the session matched no planned one."""
    sp = for_session(engine, session_id, now)
    if sp is None:
        return None
    return {"verdict": verdict(sp, lang), "frame": plan_frame(sp, lang), "notes": plan_notes(sp, lang)}
