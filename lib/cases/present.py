"""What the case pages show, for a language: meta lines, highlighted search hits, revision texts, the
action items table and the editor's starting values. Every text that carries user input is escaped for
st.markdown (lib.core.formatting.md_escape)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from lib.cases.model import BODY_FIELDS, EDIT_FIELDS
from lib.core.formatting import md_escape
from lib.core.i18n import translate
from lib.core.platforms import PLATFORMS

FIELD_KEYS = set(EDIT_FIELDS) | {"tags", "sessions", "action_items", "status", "review_comment"}
SHORT_CHARS = 300  # of a value shown in the history


def platform_name(key: str | None, lang: str) -> str:
    return translate(f"kpis.platform_name.{key}", lang) if key in PLATFORMS else (key or "")


def highlighted(pieces: list[tuple[str, bool]]) -> str:
    """(text, is_match) pieces as Markdown: every piece escaped, matches in bold."""
    return "".join(f"**{md_escape(p)}**" if hit else md_escape(p) for p, hit in pieces)


def meta_line(row: dict[str, Any], lang: str) -> str:
    """Date · platform · category · tags · status · author, escaped."""
    author = row.get("author_name") or row.get("author") or ""
    bits = [
        str(row["case_date"]),
        platform_name(row.get("platform"), lang),
        row.get("category") or "",
        "、".join(row.get("tags", [])),
        translate(f"cases.status.{row['status']}", lang),
        author,
    ]
    return md_escape(" · ".join(b for b in bits if b))


def session_heading(card: dict[str, Any], lang: str) -> str:
    """A linked session's first line: start, platform, room, host (escaped)."""
    started = card["started_at"].strftime("%Y-%m-%d %H:%M")
    return (
        f"**{started}** · {md_escape(platform_name(card['platform'], lang))} · "
        f"{md_escape(card['room'] or '')} · {md_escape(card['host'] or '')}"
    )


def field_label(field: str, lang: str) -> str:
    return translate(f"cases.field.{field}", lang) if field in FIELD_KEYS else field


def _shown(field: str, value: Any, lang: str) -> Any:
    """A stored value as the page names it elsewhere (platform and status by name, not by key)."""
    if field == "platform" and value:
        return platform_name(value, lang)
    if field == "status" and value:
        return translate(f"cases.status.{value}", lang)
    return value


def _short(value: Any) -> str:
    if value in (None, "", []):
        text = "—"
    else:
        text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= SHORT_CHARS else text[:SHORT_CHARS] + "…"


def revision_title(rev: dict[str, Any], lang: str) -> str:
    """When · who · which fields (escaped)."""
    fields = "、".join(field_label(f, lang) for f in rev["changes"])
    return f"**{rev['at']:%Y-%m-%d %H:%M}** · {md_escape(rev['username'])} · {md_escape(fields)}"


def revision_text(rev: dict[str, Any], lang: str) -> str:
    """Each changed field with its old (-) and new (+) value, for a code block (plain text)."""
    lines = []
    for f, (old, new) in rev["changes"].items():
        lines.append(
            f"{field_label(f, lang)}:\n  - {_short(_shown(f, old, lang))}\n  + {_short(_shown(f, new, lang))}"
        )
    return "\n".join(lines)


def item_line(item: dict[str, Any], late: bool, lang: str) -> str:
    """An action item on the case page: mark, description, owner, due date, overdue flag."""
    mark = "✅" if item["status"] == "done" else ("⚠️" if late else "⬜")
    owner = item.get("owner") or translate("cases.none", lang)
    text = f"{mark} {md_escape(item['description'])} · {md_escape(owner)} · {item['due_on'] or '—'}"
    return text + (f" · :red[{translate('cases.item.overdue', lang)}]" if late else "")


def items_frame(items: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The action items overview as a table (the last column links to the case)."""
    tr = lambda key: translate(key, lang)  # noqa: E731
    return pd.DataFrame(
        [
            {
                tr("cases.items.flag"): "⚠️ " + tr("cases.item.overdue") if i["overdue"] else "",
                tr("cases.item.due_on"): i["due_on"],
                tr("cases.item.owner"): i["owner"] or tr("cases.none"),
                tr("cases.item.description"): i["description"],
                tr("cases.items.case"): i["case_title"],
                tr("cases.item.status"): tr(f"cases.item_status.{i['status']}"),
                tr("cases.items.open_case"): f"cases?case={i['case_id']}",
            }
            for i in items
        ]
    )


def editor_defaults(
    case: dict[str, Any] | None, prefill: dict[str, Any] | None, today: dt.date
) -> dict[str, Any]:
    """The editor's starting values (widget keys without their prefix): the case, a pre-fill or blank."""
    src: dict[str, Any] = case or prefill or {}
    state = {
        "title": src.get("title", ""),
        "case_date": src.get("case_date") or today,
        "platform": src.get("platform") or "",
        "category": src.get("category") or "",
        "tags": "，".join(src.get("tags", [])),
        "sessions": list(src.get("session_ids", ())),
        **{f: src.get(f) or "" for f in BODY_FIELDS},
    }
    items = (case or {}).get("action_items", [])
    state["n_items"] = max(1, len(items))
    for i, item in enumerate(items):
        state.update(
            {
                f"item_id_{i}": item["id"],
                f"item_desc_{i}": item["description"],
                f"item_owner_{i}": item["owner_person_id"],
                f"item_due_{i}": item["due_on"],
                f"item_status_{i}": item["status"],
            }
        )
    return state
