"""The morning brief, built as the rule's audience would see the home page: from the same functions the
home page calls (lib.kpis overview tiles and recent flags, lib.incidents attention, lib.cases search), plus
yesterday from the KPI page's own period figures. Managers' parts (red flags, approvals) only for managers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from lib import cases, incidents, kpis, plan
from lib.core import clock
from lib.core.access import MANAGERS
from lib.core.formatting import format_metric
from lib.core.i18n import translate
from lib.core.metrics import metric
from lib.notify.links import page_url, public_url
from lib.notify.model import Message

SHOWN = 3  # items named per part, as on the home page


def viewer(audience: str) -> cases.Viewer:
    """Who the message is built for: a reader with the rule's access role and no cases of their own."""
    return cases.Viewer("notify", audience, None)


def _figure(
    key: str, actual: float | None, target: float | None, achievement: float | None, lang: str
) -> str:
    text = f"{metric(key).name(lang)} {format_metric(key, actual, lang)}"
    if target is not None and actual is not None:  # no figure: no "target ¥0.00, achieved no data"
        text += translate(
            "notify.brief.against_target",
            lang,
            target=format_metric(key, target, lang),
            achievement=format_metric("gmv_achievement", achievement, lang),
        )
    return text


def yesterday_figures(engine: Engine, today: dt.date) -> dict[str, Any]:
    """Yesterday on the KPI page: its tiles' figures for the one day, against target."""
    day = today - dt.timedelta(days=1)
    return kpis.period_figures(engine, kpis.Filters(day, day), kpis.TILE_METRICS)


def moment_of(today: dt.date) -> dt.datetime:
    """The home page's moment for `today`: the clock's now, or `today` at the clock's time of day (as
    `overview --date D`), so the month block is to date exactly as the page shows it."""
    now = clock.now()
    return now if now.date() == today else dt.datetime.combine(today, now.time())


def _kpi_lines(engine: Engine, today: dt.date, lang: str) -> tuple[list[str], dict[str, Any]]:
    day = today - dt.timedelta(days=1)
    row = yesterday_figures(engine, today)
    parts = []
    for key in kpis.TILE_METRICS:
        target = row["targets"].get(key)
        value, achievement = (target["value"], target["achievement"]) if target else (None, None)
        parts.append(_figure(key, row.get(key), value, achievement, lang))
    lines = [translate("notify.brief.yesterday", lang, day=day) + "；".join(parts)]
    moment = moment_of(today)
    period = kpis.period_of(moment)
    tiles = kpis.overview_tiles(engine, moment)
    month = "；".join(_figure(t.metric, t.actual, t.target, t.achievement, lang) for t in tiles)
    lines.append(translate("notify.brief.period", lang, start=period.start, end=period.end) + month)
    data = {
        "yesterday": {k: row.get(k) for k in kpis.TILE_METRICS},
        "tiles": {t.metric: t.actual for t in tiles},
    }
    return lines, data


def _flag_lines(engine: Engine, today: dt.date, lang: str) -> list[str]:
    flags = kpis.recent_flags(engine, moment_of(today))
    start, end = kpis.recent_window(today)
    lines = [translate("notify.brief.flags", lang, n=len(flags), start=start, end=end)]
    lines += [f"{f['group']}：{kpis.flag_reason(f, lang)}" for f in flags[:SHOWN]]
    return lines


def _incident_lines(engine: Engine, today: dt.date, lang: str) -> list[str]:
    found = incidents.attention(engine, today)
    lines = [
        translate("notify.brief.incidents", lang, open=found.open_count, unexplained=found.unexplained_count)
    ]
    for item in (*found.open_items, *found.unexplained_items):
        sev = translate(f"incidents.severity.{item['severity']}", lang)
        lines.append(
            f"#{item['id']} {item['category']} · {sev} · {item['room'] or ''} · {item['detected_at']:%m-%d %H:%M}"
        )
    return lines


def _plan_lines(engine: Engine, today: dt.date, lang: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Today's planned sessions as the home page's block shows them (lib.plan.today_lines at the page's
    minute): a heading and one line per session; nothing when no schedule exists for `today`."""
    found = plan.today_lines(engine, today, moment_of(today).replace(second=0, microsecond=0), lang)
    if not found:
        return [], []
    lines = [translate("notify.brief.plan", lang, n=len(found))]
    return lines + [title + (f" · {missing}" if missing else "") for title, missing in found], found


def brief(engine: Engine, today: dt.date, audience: str, lang: str) -> Message:
    """The morning brief for `today` as `audience` would see it."""
    base = public_url(engine)
    lines, data = _kpi_lines(engine, today, lang)
    day = today - dt.timedelta(days=1)
    links = [
        (
            translate("notify.link.yesterday", lang),
            page_url(base, "kpis", kpis.params_from_view({"preset": "custom", "from": day, "to": day})),
        ),
        (translate("notify.link.home", lang), page_url(base, "")),
    ]
    if audience in MANAGERS:
        lines += _flag_lines(engine, today, lang)
        links.append(
            (translate("notify.link.flags", lang), page_url(base, "kpis", kpis.recent_flags_link(today)))
        )
    lines += _incident_lines(engine, today, lang)
    planned, found_plan = _plan_lines(engine, today, lang)
    if found_plan:
        lines += planned
        links.append((translate("notify.link.plan", lang), page_url(base, "schedule")))
        data["plan"] = [list(pair) for pair in found_plan]
    found = incidents.attention(engine, today)
    if audience in MANAGERS:
        links.append(
            (
                translate("notify.link.incidents", lang),
                page_url(base, "incident_report", incidents.period_link(found.date_from, found.date_to)),
            )
        )
        waiting = cases.search(engine, viewer(audience), cases.CaseQuery(status="submitted", limit=SHOWN))
        lines.append(translate("notify.brief.approvals", lang, n=waiting["total"]))
        lines += [f"{r['title']} · {r['case_date']}" for r in waiting["rows"]]
        data["approvals"] = waiting["total"]
    data["incidents"] = {"open": found.open_count, "unexplained": found.unexplained_count}
    title = translate("notify.brief.title", lang, day=today)
    return Message("brief", title, tuple(lines), links=tuple(links), data=data)
