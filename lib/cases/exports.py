"""Cases exported: one or a searched list as Markdown (seed 004's structure) or as formula-safe XLSX."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib.cases.markdown import html_inert
from lib.cases.model import BODY_FIELDS, Viewer
from lib.cases.queries import get_case
from lib.cases.searching import CaseQuery, search
from lib.core.exports import to_xlsx_bytes
from lib.core.i18n import translate

EXPORT_LIMIT = 1_000  # cases in one list export
ITEM_COLUMNS = (
    "cases.field.id",
    "cases.field.title",
    "cases.item.description",
    "cases.item.owner",
    "cases.item.due_on",
    "cases.item.status",
)


def _meta(case: dict[str, Any], lang: str) -> list[str]:
    tr = lambda key, **p: translate(key, lang, **p)  # noqa: E731
    platform = translate(f"kpis.platform_name.{case['platform']}", lang) if case.get("platform") else ""
    meta = [
        f"- {tr('cases.field.case_date')}: {case['case_date']}",
        f"- {tr('cases.field.platform')}: {platform}",
        f"- {tr('cases.field.category')}: {html_inert(case.get('category'))}",
        f"- {tr('cases.field.tags')}: {html_inert('、'.join(case.get('tags', [])))}",
        f"- {tr('cases.field.author')}: {html_inert(case.get('author_name') or case['author'])}",
        f"- {tr('cases.field.status')}: {tr('cases.status.' + case['status'])}",
    ]
    if case.get("session_ids"):
        meta.append(f"- {tr('cases.field.sessions')}: " + ", ".join(f"#{s}" for s in case["session_ids"]))
    return meta


def case_markdown(case: dict[str, Any], lang: str = "zh") -> str:
    """One case as a Markdown document (seed 004's structure)."""
    parts = [f"# {html_inert(case['title'])}", "", *_meta(case, lang), ""]
    for f in BODY_FIELDS:
        parts += [f"## {translate('cases.field.' + f, lang)}", "", html_inert(case.get(f)) or "—", ""]
    if case.get("action_items"):
        parts += [f"## {translate('cases.field.action_items', lang)}", ""]
        for item in case["action_items"]:
            box = "x" if item["status"] == "done" else " "
            owner = html_inert(item.get("owner") or "—")
            parts.append(
                f"- [{box}] {html_inert(item['description'])} · {owner} · {item.get('due_on') or '—'}"
            )
        parts.append("")
    return "\n".join(parts)


def cases_for_export(engine: Engine, viewer: Viewer, query: CaseQuery) -> list[dict[str, Any]]:
    """Full cases (as get_case) of a filtered list, in search order, at most EXPORT_LIMIT."""
    ids = [r["id"] for r in search(engine, viewer, query._replace(limit=EXPORT_LIMIT))["rows"]]
    return [c for c in (get_case(engine, viewer, i) for i in ids) if c is not None]


def cases_markdown(cases: list[dict[str, Any]], lang: str = "zh") -> str:
    return "\n\n---\n\n".join(case_markdown(c, lang) for c in cases)


def _case_row(c: dict[str, Any], lang: str) -> dict[str, Any]:
    tr = lambda key: translate(key, lang)  # noqa: E731
    return {
        tr("cases.field.id"): c["id"],
        tr("cases.field.title"): c["title"],
        tr("cases.field.case_date"): c["case_date"].isoformat() if c["case_date"] else "",
        tr("cases.field.platform"): translate(f"kpis.platform_name.{c['platform']}", lang)
        if c["platform"]
        else "",
        tr("cases.field.category"): c.get("category") or "",
        tr("cases.field.tags"): "、".join(c["tags"]),
        tr("cases.field.status"): tr(f"cases.status.{c['status']}"),
        tr("cases.field.author"): c["author"],
        tr("cases.field.sessions"): ", ".join(str(s) for s in c["session_ids"]),
        **{tr(f"cases.field.{f}"): c.get(f) or "" for f in BODY_FIELDS},
    }


def cases_frames(cases: list[dict[str, Any]], lang: str = "zh") -> dict[str, pd.DataFrame]:
    """The sheets of an XLSX export: cases, action items (column names in `lang`)."""
    tr = lambda key: translate(key, lang)  # noqa: E731
    item_rows = [
        dict(
            zip(
                (tr(k) for k in ITEM_COLUMNS),
                (
                    c["id"],
                    c["title"],
                    i["description"],
                    i.get("owner") or "",
                    i["due_on"].isoformat() if i["due_on"] else "",
                    tr(f"cases.item_status.{i['status']}"),
                ),
                strict=True,
            )
        )
        for c in cases
        for i in c["action_items"]
    ]
    return {
        tr("cases.export.sheet_cases"): pd.DataFrame([_case_row(c, lang) for c in cases]),
        tr("cases.export.sheet_items"): pd.DataFrame(item_rows, columns=[tr(k) for k in ITEM_COLUMNS]),
    }


def cases_xlsx(cases: list[dict[str, Any]], lang: str = "zh") -> bytes:
    """Formula-safe XLSX (lib.core.exports) of these cases and their action items."""
    return to_xlsx_bytes(cases_frames(cases, lang), {translate("cases.field.id", lang): "int"})
