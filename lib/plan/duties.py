"""What the schedule asks of its people now: the scripts still missing today and tomorrow (for their
content owners, 内容负责人), a planner's own overdue scripts, and the forecasts an operations owner
(运营负责人) has not entered by their due day (the setting plan.forecast_days_before). A login is its roster person (users.
person_id); planned sessions name their owners as written, so the person's name is the link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.core.i18n import translate
from lib.core.models import Person
from lib.plan.model import script_due
from lib.plan.present import card, platform_label, span
from lib.plan.queries import schedule
from lib.plan.rules import RuleBook, rules

P = Person.__table__
LATE = ("overdue", "draft_late")  # script states past a due time (lib.plan.queries.script_status)


def forecast_missing(row: dict[str, Any], now: dt.datetime, book: RuleBook) -> bool:
    """A planned session not yet started whose forecast (GMV or viewers) is missing past its due time."""
    due = script_due(row["starts_at"], book.at(row["starts_at"]).forecast_days_before)
    incomplete = row["forecast_gmv"] is None or row["forecast_viewers"] is None
    return row["status"] == "planned" and incomplete and due <= now < row["starts_at"]


def missing_scripts(engine: Engine, today: dt.date, now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """Planned sessions of today and tomorrow not yet started whose script is not approved, by content
    owner ("": the session names none), each owner's by start."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in schedule(engine, today, today + dt.timedelta(days=1), now):
        if row["status"] == "planned" and row["script_status"] != "approved" and row["starts_at"] > now:
            out.setdefault(row["content_owner"] or "", []).append(row)
    return out


@dataclass
class Duties:
    """One person's overdue plan work: their scripts past a due time for sessions still ahead, and the
    forecasts they owe."""

    owner: str | None = None
    scripts: list[dict[str, Any]] = field(default_factory=list)
    forecasts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.scripts) + len(self.forecasts)


def person_name(engine: Engine, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    with engine.connect() as conn:
        return conn.execute(sa.select(P.c.name).where(P.c.id == person_id)).scalar()


def duties_of(engine: Engine, person_id: int | None, now: dt.datetime) -> Duties:
    """The overdue scripts (as content owner) and missing forecasts (as operations owner) of the roster
    person a login is, over the sessions from now until a script's draft is first due."""
    name = person_name(engine, person_id)
    found = Duties(name)
    if name is None:
        return found
    book = rules(engine)
    ahead = now.date() + dt.timedelta(days=book.at(now).draft_days_before)
    for row in schedule(engine, now.date(), ahead, now):
        if row["status"] != "planned" or row["starts_at"] <= now:
            continue
        if row["content_owner"] == name and row["script_status"] in LATE:
            found.scripts.append(row)
        if row["ops_owner"] == name and forecast_missing(row, now, book):
            found.forecasts.append(row)
    return found


def duty_line(row: dict[str, Any], what: str, lang: str) -> str:
    """One line of a to-do: when, where, who, and what is owed (the script's state, or the forecast)."""
    when = f"{row['starts_at']:%m-%d} {span(row)}"
    where = f"{platform_label(row['platform'], lang)} {row['account']} · {row['host_name']}"
    owed = card(row, lang)["script"] if what == "script" else translate("plan.duty.forecast_owed", lang)
    return f"{when} · {where} · {owed}"
