"""The Friday weekly report for managers: the week so far (Monday to the report's day) against target in
all and per host and per room (the KPI page's `period_figures` / `group_rows`), red flags of the last 7
days (the home page's), SLA attainment (the incident report's `report`), cases published (the case
library's search) and action items due in the next 7 days or overdue (the cases page's list). As a message,
an XLSX workbook and a PDF (Chinese fonts; the home page's daily-GMV chart from its own Altair spec,
rendered by vl-convert)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import cases, incidents, kpis
from lib.core.formatting import format_metric
from lib.core.i18n import translate
from lib.core.metrics import metric
from lib.notify.brief import moment_of, viewer
from lib.notify.links import page_url, public_url
from lib.notify.model import Message

DUE_DAYS = 7  # action items due within this many days are listed
TABLE_METRICS = ("gmv", "sessions", "viewers", "conversion_rate")


@dataclass(frozen=True)
class Weekly:
    start: dt.date
    end: dt.date
    total: dict[str, Any]
    hosts: list[dict[str, Any]]
    rooms: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    sla: dict[str, Any] | None
    published: int
    items: list[dict[str, Any]] = field(default_factory=list)


def week_of(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=today.isoweekday() - 1), today


def weekly_report(engine: Engine, today: dt.date, audience: str = "manager") -> Weekly:
    start, end = week_of(today)
    filters = kpis.Filters(start, end)
    total = kpis.period_figures(engine, filters, TABLE_METRICS)
    hosts = [kpis.public(r) for r in kpis.group_rows(engine, filters, "host")]
    rooms = [kpis.public(r) for r in kpis.group_rows(engine, filters, "room")]
    sla = next(iter(incidents.report(engine, incidents.ReportFilter(start, end))), None)
    found = cases.search(
        engine, viewer(audience), cases.CaseQuery(status="published", date_from=start, date_to=end, limit=1)
    )
    soon = end + dt.timedelta(days=DUE_DAYS)
    items = [
        i
        for i in cases.action_items_overview(engine, viewer(audience), today=today)
        if i["due_on"] is not None and i["due_on"] <= soon
    ]
    flags = kpis.recent_flags(engine, moment_of(today))
    return Weekly(start, end, total, hosts, rooms, flags, sla, int(found["total"]), items)


def _target_text(row: dict[str, Any], key: str, lang: str) -> str:
    target = (row.get("targets") or {}).get(key)
    if not target or row.get(key) is None:  # no figure: no "target ¥0.00, achieved no data"
        return ""
    return translate(
        "notify.brief.against_target",
        lang,
        target=format_metric(key, target["value"], lang),
        achievement=format_metric("gmv_achievement", target["achievement"], lang),
    )


def weekly_message(engine: Engine, report: Weekly, lang: str) -> Message:
    t = report.total
    lines = [
        translate("notify.brief.period", lang, start=report.start, end=report.end)
        + "；".join(
            f"{metric(k).name(lang)} {format_metric(k, t.get(k), lang)}{_target_text(t, k, lang)}"
            for k in TABLE_METRICS
        )
    ]
    for r in sorted(report.hosts, key=lambda r: -(r.get("gmv") or 0))[:5]:
        lines.append(
            f"{r['group']}：GMV {format_metric('gmv', r.get('gmv'), lang)}{_target_text(r, 'gmv', lang)}"
        )
    lines.append(
        translate(
            "notify.brief.flags",
            lang,
            n=len(report.flags),
            start=report.end - dt.timedelta(days=6),
            end=report.end,
        )
    )
    sla = None if report.sla is None else report.sla["sla_attainment"]
    lines.append(
        translate(
            "notify.weekly.sla",
            lang,
            n=report.sla["count"] if report.sla else 0,
            pct="—" if sla is None else f"{sla:.1f}%",
        )
    )
    lines.append(translate("notify.weekly.cases", lang, n=report.published, items=len(report.items)))
    query = kpis.params_from_view({"preset": "custom", "from": report.start, "to": report.end, "by": "host"})
    base = public_url(engine)
    links = (
        (translate("notify.weekly.link", lang), page_url(base, "kpis", query)),
        (translate("notify.weekly.files", lang), page_url(base, "reports", {"date": report.end.isoformat()})),
    )
    title = translate("notify.weekly.title", lang, start=report.start, end=report.end)
    data = {
        "total": {k: t.get(k) for k in TABLE_METRICS},
        "hosts": len(report.hosts),
        "published": report.published,
    }
    return Message("weekly", title, tuple(lines), links=links, data=data)


def _group_frame(rows: list[dict[str, Any]], label_key: str, lang: str) -> pd.DataFrame:
    out = []
    for r in rows:
        target = (r.get("targets") or {}).get("gmv")
        row: dict[str, Any] = {translate(label_key, lang): str(r["group"])}
        row |= {metric(k).name(lang): r.get(k) for k in TABLE_METRICS}
        row[translate("notify.weekly.col.gmv_target", lang)] = target["value"] if target else None
        row[translate("notify.weekly.col.achievement", lang)] = target["achievement"] if target else None
        out.append(row)
    return pd.DataFrame(out)


def weekly_frames(report: Weekly, lang: str) -> dict[str, pd.DataFrame]:
    """The report's tables (sheet name -> frame): per host, per room, flags, action items."""
    flags = pd.DataFrame(
        [
            {
                translate("notify.weekly.col.host", lang): f["group"],
                translate("notify.weekly.col.reason", lang): kpis.flag_reason(f, lang),
            }
            for f in report.flags
        ]
    )
    items = pd.DataFrame(
        [
            {
                translate("notify.weekly.col.item", lang): i["description"],
                translate("notify.weekly.col.case", lang): i["case_title"],
                translate("notify.weekly.col.owner", lang): i["owner"],
                translate("notify.weekly.col.due", lang): i["due_on"],
            }
            for i in report.items
        ]
    )
    return {
        translate("notify.weekly.sheet.hosts", lang): _group_frame(
            report.hosts, "notify.weekly.col.host", lang
        ),
        translate("notify.weekly.sheet.rooms", lang): _group_frame(
            report.rooms, "notify.weekly.col.room", lang
        ),
        translate("notify.weekly.sheet.flags", lang): flags,
        translate("notify.weekly.sheet.items", lang): items,
    }
