"""The schedule for a language: a day's cards, the week's rooms × days grid, import errors, the week's
figures. Every value goes through lib.core.formatting; no Streamlit here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from lib.core.dates import week_start
from lib.core.formatting import format_metric, format_value
from lib.core.i18n import translate
from lib.plan.compare import compare, script_timeliness
from lib.plan.importer import SchedulePreview
from lib.plan.queries import schedule

WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
PLATFORM_LABELS = {
    "douyin": ("抖音", "Douyin"),
    "kuaishou": ("快手", "Kuaishou"),
    "taobao": ("淘宝", "Taobao"),
    "jd": ("京东", "JD"),
}


def platform_label(key: str, lang: str) -> str:
    zh, en = PLATFORM_LABELS.get(key, (key, key))
    return zh if lang == "zh" else en


def day_label(day: dt.date, lang: str) -> str:
    name = WEEKDAYS[lang][day.weekday()]
    return f"{day:%m-%d} 周{name}" if lang == "zh" else f"{name} {day:%m-%d}"


def span(row: dict[str, Any]) -> str:
    end = row["ends_at"]
    overnight = "+1" if end.date() > row["starts_at"].date() else ""
    return f"{row['starts_at']:%H:%M}–{end:%H:%M}{overnight}"


def week_rows(engine: Engine, monday: dt.date, now: dt.datetime) -> list[dict[str, Any]]:
    return schedule(engine, monday, monday + dt.timedelta(days=6), now)


def card(row: dict[str, Any], lang: str) -> dict[str, str]:
    """One planned session as a phone card: title line, people line, script line."""

    def t(key: str, **kw: Any) -> str:
        return translate(key, lang, **kw)

    people = [
        f"{t(f'plan.field.{k}')} {row[k]}" for k in ("ops_owner", "content_owner", "floor_manager") if row[k]
    ]
    status = t(f"plan.status.{row['status']}") if row["status"] != "planned" else ""
    script = t(f"plan.script.{row['script_status']}")
    return {
        "title": f"{span(row)} · {platform_label(row['platform'], lang)} {row['account']} · {row['host_name']}",
        "theme": " · ".join(x for x in (row["theme"], row["products"], status) if x),
        "people": " · ".join(people),
        "script": f"{t('plan.field.script')}: {script}",
    }


def week_grid(rows: list[dict[str, Any]], monday: dt.date, lang: str) -> pd.DataFrame:
    """Rooms × days: each cell lists the room's sessions that day (time and host)."""
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    rooms = sorted({(r["platform"], r["account"]) for r in rows})
    cells: dict[tuple[str, str, dt.date], list[str]] = {}
    for r in rows:
        if r["status"] == "planned":
            cells.setdefault((r["platform"], r["account"], r["starts_at"].date()), []).append(
                f"{span(r)} {r['host_name']}"
            )
    data = [
        {translate("plan.field.account", lang): f"{platform_label(p, lang)} · {a}"}
        | {day_label(d, lang): "\n".join(cells.get((p, a, d), [])) for d in days}
        for p, a in rooms
    ]
    return pd.DataFrame(
        data, columns=[translate("plan.field.account", lang), *(day_label(d, lang) for d in days)]
    )


def error_frame(checked: SchedulePreview, lang: str) -> pd.DataFrame:
    rows = [{"row": e.row, "column": e.column, "message": e.error.message(lang)} for e in checked.errors]
    names = {k: translate(f"plan.import.{k}", lang) for k in ("row", "column", "message")}
    return pd.DataFrame(rows, columns=list(names)).rename(columns=names)


def preview_frame(checked: SchedulePreview, lang: str) -> pd.DataFrame:
    def t(key: str) -> str:
        return translate(key, lang)

    return pd.DataFrame(
        [
            {
                t("plan.import.row"): n,
                t("plan.field.starts_at"): f"{p.starts_at:%Y-%m-%d %H:%M}",
                t("plan.field.minutes"): p.minutes,
                t("plan.field.platform"): platform_label(p.platform, lang),
                t("plan.field.account"): p.account,
                t("plan.field.host_name"): p.host_name,
                t("plan.field.theme"): p.theme or "",
            }
            for n, p in checked.rows
        ]
    )


def week_figures(engine: Engine, monday: dt.date, now: dt.datetime, lang: str) -> list[tuple[str, str, str]]:
    """(label, value, caption) of the week's plan against what happened, so far."""
    sunday = monday + dt.timedelta(days=6)
    result = compare(engine, monday, sunday, now)
    scripts = script_timeliness(engine, monday, sunday, now)

    def t(key: str, **kw: Any) -> str:
        return translate(key, lang, **kw)

    return [
        (
            t("plan.figure.accuracy"),
            format_metric("schedule_accuracy", result.accuracy, lang),
            t("plan.figure.accuracy_caption", held=result.held_as_planned, planned=result.planned),
        ),
        (
            t("plan.figure.scripts"),
            format_metric("script_on_time", scripts.rate, lang),
            t("plan.figure.scripts_caption", on_time=scripts.on_time, due=scripts.due),
        ),
        (
            t("plan.figure.forecast"),
            format_metric("forecast_error_gmv", result.mape("forecast_gmv", "gmv"), lang),
            t("plan.figure.unplanned", count=format_value(len(result.unmatched_held), "count", lang)),
        ),
    ]


def this_monday(day: dt.date) -> dt.date:
    return week_start(day)


def history_frame(changes: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """Who changed what when: one line per change, fields in the user's language."""

    def t(key: str) -> str:
        return translate(key, lang)

    def what(change: dict[str, Any]) -> str:
        parts = []
        for name, (old, new) in change["changes"].items():
            label = translate(f"plan.field.{name}", lang)
            label = name if label == f"plan.field.{name}" else label
            parts.append(f"{label}: {'' if old is None else old} → {'' if new is None else new}")
        return "; ".join(parts)

    return pd.DataFrame(
        [
            {
                t("plan.history.at"): f"{c['at']:%Y-%m-%d %H:%M}",
                t("plan.history.user"): c["username"] or "",
                t("plan.history.action"): t(f"plan.action.{c['action']}"),
                t("plan.history.what"): what(c),
            }
            for c in changes
        ],
        columns=[
            t("plan.history.at"),
            t("plan.history.user"),
            t("plan.history.action"),
            t("plan.history.what"),
        ],
    )


def today_lines(engine: Engine, day: dt.date, now: dt.datetime, lang: str) -> list[tuple[str, str]]:
    """Today's plan for the home page and the morning brief (one path): (who streams where and when, and
    the theme if any; what the script still lacks) per planned session of `day`, by start; cancelled
    sessions left out. Empty when nothing is planned."""
    out = []
    for row in schedule(engine, day, day, now):
        if row["status"] != "planned":
            continue
        c = card(row, lang)
        title = " · ".join(x for x in (c["title"], row["theme"]) if x)
        missing = "" if row["script_status"] == "approved" else c["script"]
        out.append((title, missing))
    return out
