"""Events a rule tells its channel about, each with its own key (so each is told once), a line and whom to
@-mention; folded into one message per rule and run ("3 incidents past SLA"). Each list comes from the
function the page that shows it uses, read as the rule's audience."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, func, or_, select

from lib import cases, incidents, kpis, surveys, targets
from lib.core.dates import month_end
from lib.core.formatting import format_metric
from lib.core.i18n import translate
from lib.core.metrics import metric
from lib.core.models import ImportBatch, Person
from lib.notify.brief import moment_of, viewer
from lib.notify.links import page_url, public_url
from lib.notify.model import SHOWN_ITEMS, Mention, Message

LIST_LIMIT = 200  # events read per rule and run; more wait for the next run
CLOSING_DAYS = 2  # "closing in 2 days": a round's month ends within this many days


@dataclass(frozen=True)
class Event:
    key: str  # unique per event (with the rule and channel: the send log's key)
    line: str
    person_id: int | None = None  # whom to @-mention


def _people(engine: Engine, ids: set[int]) -> dict[int, Mention]:
    if not ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(Person.id, Person.name, Person.phone, Person.chat_user_id).where(Person.id.in_(ids))
        )
        return {r.id: Mention(r.name, r.phone or None, r.chat_user_id or None) for r in rows}


def sla_events(engine: Engine, today: dt.date, audience: str, lang: str) -> list[Event]:
    """Incidents over their SLA without a reason in the report's default period (the home page's and the
    report's "breaches without a reason"), @-mentioning the handler."""
    date_from, date_to = incidents.report_period(today)
    q = incidents.IncidentQuery(incidents.dialect_of(engine))
    no_reason = or_(q.i.c.overtime_reason.is_(None), q.i.c.overtime_reason == "")
    conds = [*q.where(incidents.ReportFilter(date_from, date_to)), q.breach == 1, no_reason]
    cols = (
        q.i.c.id,
        q.i.c.category,
        q.i.c.severity,
        q.i.c.room,
        q.i.c.detected_at,
        q.i.c.handler_person_id,
        q.handler.label("handler"),
    )
    with engine.connect() as conn:
        rows = conn.execute(
            select(*cols).select_from(q.source).where(*conds).order_by(q.i.c.id).limit(LIST_LIMIT)
        ).all()
    out = []
    for r in rows:
        sev = translate(f"incidents.severity.{r.severity}", lang)
        line = (
            f"#{r.id} {r.category} · {sev} · {r.room or ''} · {r.detected_at:%m-%d %H:%M} · {r.handler or ''}"
        )
        out.append(Event(f"sla:{r.id}", line, r.handler_person_id))
    return out


def overdue_events(engine: Engine, today: dt.date, audience: str, lang: str) -> list[Event]:
    """Open action items past their due date that the audience may see (the cases page's list)."""
    items = cases.action_items_overview(engine, viewer(audience), today=today)
    out = []
    for i in items:
        if i["overdue"]:
            line = translate(
                "notify.event.overdue_line",
                lang,
                item=i["description"],
                case=i["case_title"],
                due=i["due_on"],
                days=-i["days_left"],
            )
            out.append(Event(f"overdue:{i['id']}:{i['due_on']}", line, i["owner_person_id"]))
    return out[:LIST_LIMIT]


def approval_events(engine: Engine, today: dt.date, audience: str, lang: str) -> list[Event]:
    """Cases submitted for approval (the cases page's search with status "submitted")."""
    found = cases.search(engine, viewer(audience), cases.CaseQuery(status="submitted", limit=LIST_LIMIT))
    return [Event(f"approval:{r['id']}", f"{r['title']} · {r['case_date']}") for r in found["rows"]]


def flag_events(engine: Engine, today: dt.date, audience: str, lang: str) -> list[Event]:
    """Red flags after an import: one event per committed import, its lines the home page's recent flags."""
    with engine.connect() as conn:
        batch = conn.execute(
            select(func.max(ImportBatch.id)).where(ImportBatch.status == "committed")
        ).scalar()
    if batch is None:
        return []
    flags = kpis.recent_flags(engine, moment_of(today))
    if not flags:
        return []
    lines = [f"{f['group']}：{kpis.flag_reason(f, lang)}" for f in flags]
    return [Event(f"flags:import{batch}", "\n".join(lines))]


def survey_events(engine: Engine, today: dt.date, audience: str, lang: str) -> list[Event]:
    """The open round: opened, and closing (its month ends within CLOSING_DAYS). Never its results."""
    current = surveys.current_round(engine)
    if current is None:
        return []
    out = [
        Event(f"survey:{current.id}:opened", translate("notify.event.survey_opened", lang, name=current.name))
    ]
    year, month = (int(x) for x in current.period.split("-"))
    last = month_end(dt.date(year, month, 1))
    if 0 <= (last - today).days <= CLOSING_DAYS:
        out.append(
            Event(
                f"survey:{current.id}:closing",
                translate("notify.event.survey_closing", lang, name=current.name, day=last),
            )
        )
    return out


def pace_events(engine: Engine, today: dt.date, audience: str, lang: str) -> list[Event]:
    """Period targets falling behind their pacing: the home page's month-block tiles at the page's moment
    (kpis.overview_tiles) read against a month's or quarter's target that is behind (the tile's red
    "behind" badge) while the period still runs, each in the words of the tile's own caption
    (targets.target_caption); told once a day per metric and period while it stays behind."""
    out = []
    for tile in kpis.overview_tiles(engine, moment_of(today)):
        detail = tile.detail or {}
        if detail.get("target_kind") != "period" or tile.status != "red":
            continue
        if detail["pacing"]["needed_per_day"] is None:
            continue  # the period is over (early in a month the block shows last month): nothing to catch up
        figure = f"{metric(tile.metric).name(lang)} {format_metric(tile.metric, tile.actual, lang)}"
        caption = targets.target_caption(tile.metric, detail, lang)
        out.append(
            Event(f"pace:{tile.metric}:{detail['period']}:{today.isoformat()}", f"{figure} · {caption}")
        )
    return out


SOURCES = {
    "pace": pace_events,
    "sla": sla_events,
    "overdue": overdue_events,
    "approval": approval_events,
    "flags": flag_events,
    "survey": survey_events,
}
PAGES: dict[str, tuple[str, Callable[[dt.date], dict[str, str]]]] = {
    "sla": ("incident_report", lambda today: incidents.period_link(*incidents.report_period(today))),
    "overdue": ("cases", lambda today: {"view": "actions"}),
    "approval": ("cases", lambda today: {"view": "search", "status": "submitted"}),
    "flags": ("kpis", kpis.recent_flags_link),
    "survey": ("survey", lambda today: {}),
    "pace": ("", lambda today: {}),  # the home page, whose month block shows the same tiles
}


def fold(engine: Engine, kind: str, events: list[Event], today: dt.date, audience: str, lang: str) -> Message:
    """One message for the events of one rule: a count in the title, the first few named, everyone @."""
    title = translate(f"notify.event.{kind}_title", lang, n=len(events))
    lines: list[str] = []
    for e in events[:SHOWN_ITEMS]:
        lines += e.line.split("\n")
    if len(events) > SHOWN_ITEMS:
        lines.append(translate("notify.event.more", lang, n=len(events) - SHOWN_ITEMS))
    people = _people(engine, {e.person_id for e in events if e.person_id is not None})
    mentions = tuple(dict.fromkeys(people[e.person_id] for e in events if e.person_id in people))
    page, query = PAGES[kind]
    if kind == "sla" and audience == "staff":
        page = "incidents"  # staff update incidents in the log; the report is managers'
    link = (
        translate("notify.link.open", lang),
        page_url(public_url(engine), page, query(today) if page != "incidents" else None),
    )
    return Message(
        kind,
        title,
        tuple(lines),
        mentions,
        (link,),
        items=len(events),
        data={"keys": [e.key for e in events]},
    )
