"""Tables and texts of the review page for a language: every value through lib.core.formatting, every
header and note from the catalogue (lib/core/locales/review.toml, keys review.page.*)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from lib.core import review_metrics as rm
from lib.core.formatting import category_name, format_cell, format_value, number_or_none
from lib.core.i18n import catalogue, translate
from lib.core.models import SessionMinute, SessionProduct, SessionSource

# Columns of the review tables: (frame column, unit). Headers are review.page.col.<column>.
# A product's funnel (exposure → click → order) and money, in every product table.
FUNNEL_CELLS = (
    ("exposure", "count"),
    ("clicks", "count"),
    ("click_rate", "pct"),
    ("orders", "count"),
    ("conversion_rate", "pct"),
    ("units", "count"),
    ("gmv", "cny"),
)
PRODUCT_TABLE: tuple[tuple[str, str], ...] = (
    ("product_id", "text"),
    ("name", "text"),
    ("price", "cny"),
    *FUNNEL_CELLS,
    ("gmv_share", "pct"),
)
PRODUCT_TABLE += (("refund", "cny"),)
# Products across sessions (the products page).
OVERVIEW_TABLE: tuple[tuple[str, str], ...] = (
    ("product_id", "text"),
    ("name", "text"),
    ("sessions", "count"),
    ("hosts", "count"),
)
OVERVIEW_TABLE += (*FUNNEL_CELLS, ("refund", "cny"))
PRODUCT_SESSIONS_TABLE: tuple[tuple[str, str], ...] = (
    ("started_at", "datetime"),
    ("room", "text"),
    ("host", "text"),
    ("price", "cny"),
)
PRODUCT_SESSIONS_TABLE += (*FUNNEL_CELLS, ("refund", "cny"))
HOSTS_TABLE = (
    ("host", "text"),
    ("sessions", "count"),
    ("clicks", "count"),
    ("orders", "count"),
    ("conversion_rate", "pct"),
    ("gmv", "cny"),
)
TOP_TABLE = (
    ("rank", "count"),
    ("name", "text"),
    ("gmv", "cny"),
    ("gmv_share", "pct"),
    ("orders", "count"),
    ("click_rate", "pct"),
    ("conversion_rate", "pct"),
)
SOURCE_TABLE = (
    ("source", "text"),
    ("viewers", "count"),
    ("viewers_share", "pct"),
    ("gmv", "cny"),
    ("gmv_share", "pct"),
)
WINDOW_TABLE = (
    ("name", "text"),
    ("first_on_shelf", "clock"),
    ("shelf_minute", "count"),
    ("explain_count", "count"),
    ("explain_seconds", "s"),
)
SPAN_TABLE = (
    ("category", "category"),
    ("severity", "severity"),
    ("detected_at", "clock"),
    ("resolved_at", "clock"),
    ("minutes", "count"),
    ("gmv", "cny"),
    ("gmv_per_minute", "cny"),
    ("baseline_per_minute", "cny"),
    ("gmv_at_risk", "cny"),
)
# What a session review reads, and where the team downloads it (the note of what to upload).
DETAIL_KINDS = ("minutes", "products", "sources")
_DETAIL_TABLES = {
    "minutes": SessionMinute.__table__,
    "products": SessionProduct.__table__,
    "sources": SessionSource.__table__,
}


def cell(value: Any, unit: str, lang: str) -> str:
    """One table cell as users see it: text as stored, clock times as HH:MM, numbers by their unit."""
    if unit == "category":  # a default incident category in the reader's language
        return category_name(value, lang)
    if unit in ("text", "severity", "clock", "datetime"):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return translate("common.no_data", lang)
        if unit in ("clock", "datetime"):
            return (
                f"{pd.Timestamp(value):%H:%M}" if unit == "clock" else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"
            )
        return translate(f"incidents.severity.{value}", lang) if unit == "severity" else str(value)
    return format_value(number_or_none(value), unit, lang)


def table_cell(value: Any, unit: str, lang: str) -> str:
    """A cell of a table: as `cell`, but money always to the cent (one number of decimals down a column)."""
    return format_cell(number_or_none(value), unit, lang) if unit == "cny" else cell(value, unit, lang)


def phrase(key: str, lang: str, **values: tuple[Any, str]) -> str:
    """A catalogue sentence whose parameters are (value, unit) pairs, each formatted as a cell."""
    return translate(key, lang, **{name: cell(v, unit, lang) for name, (v, unit) in values.items()})


def column_name(column: str, lang: str) -> str:
    return translate(f"review.page.col.{column}", lang)


def table(frame: pd.DataFrame, spec: tuple[tuple[str, str], ...], lang: str) -> pd.DataFrame:
    """The spec's columns of `frame`, formatted, under their headers in `lang`."""
    return pd.DataFrame(
        {column_name(c, lang): [table_cell(v, unit, lang) for v in frame[c]] for c, unit in spec},
        columns=[column_name(c, lang) for c, _ in spec],
    )


def top_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    ranked = frame.assign(rank=range(1, len(frame) + 1))
    return table(ranked, TOP_TABLE, lang)


TABLES = {
    "products": PRODUCT_TABLE,
    "sources": SOURCE_TABLE,
    "windows": WINDOW_TABLE,
    "spans": SPAN_TABLE,
    "overview": OVERVIEW_TABLE,
    "product_sessions": PRODUCT_SESSIONS_TABLE,
    "hosts": HOSTS_TABLE,
}


def review_table(kind: str, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A frame of lib.review (products, sources, windows, spans, overview, product_sessions, hosts) as
    the pages show it."""
    return table(frame, TABLES[kind], lang)


def detail_counts(engine: Engine, session_id: int) -> dict[str, int]:
    """How many minute, product and source rows the session has (what the page can show)."""
    out = {}
    with engine.connect() as conn:
        for kind, model in _DETAIL_TABLES.items():
            stmt = select(func.count()).select_from(model).where(model.c.session_id == session_id)
            out[kind] = int(conn.execute(stmt).scalar() or 0)
    return out


def missing_notes(counts: dict[str, int], lang: str, platform: str | None = "douyin") -> list[str]:
    """One line per missing kind of detail: which file to upload, from the session's own platform's back
    end (a Kuaishou session is not sent to Douyin's Compass)."""
    kinds = [kind for kind in DETAIL_KINDS if not counts.get(kind)]
    if platform == "douyin":
        return [translate(f"review.page.missing.{kind}", lang) for kind in kinds]
    tool_key = f"review.page.tool.{platform}"
    tool = translate(tool_key if tool_key in catalogue() else "review.page.tool.other", lang)
    return [translate(f"review.page.missing_on.{kind}", lang, tool=tool) for kind in kinds]


def retention_shares(retention: dict[str, rm.Segment | None]) -> dict[str, float | None]:
    """The share (0-1) of each retention segment; None where the segment has no figure."""
    return {key: None if seg is None else seg.share for key, seg in retention.items()}


def retention_tiles(retention: dict[str, rm.Segment | None], lang: str) -> list[dict[str, str]]:
    """The retention segments as tiles: label, value (a share, 0-100 %) and its help."""
    shares = retention_shares(retention)
    out = []
    for key in rm.RETENTION_KEYS:
        m = rm.detail_metric(f"retention_{key}")
        out.append(
            {
                "key": key,
                "label": m.name(lang),
                "value": cell(shares.get(key), "pct", lang),
                "help": m.help(lang),
            }
        )
    return out


def retention_caption(retention: dict[str, rm.Segment | None], lang: str) -> str:
    """The whole session's average watch time per visit against its minutes on air."""
    whole = retention.get("whole")
    if whole is None:
        return translate("review.page.retention_none", lang)
    return phrase(
        "review.page.retention_whole",
        lang,
        average=(whole.average_minutes, "min"),
        minutes=(whole.minutes, "count"),  # whole minute rows: no decimals
        visits=(whole.visits, "count"),
    )


def opening_caption(opening: dict[str, float | None], lang: str) -> str:
    """Online at minutes 5, 15, 30 and the last against the opening's peak: named as what it is."""
    return phrase(
        "review.page.online_vs_opening",
        lang,
        base=(opening.get("base"), "count"),
        **{key: (opening.get(key), "pct") for key in rm.OPENING_KEYS},
    )


def minute_caption(summary: dict[str, Any], lang: str) -> str:
    """Minute rows, their GMV and orders and the peak online: what the curves add up to."""
    return phrase(
        "review.page.minutes_caption",
        lang,
        count=(summary["count"], "count"),
        gmv=(summary["gmv"], "cny"),
        orders=(summary["orders"], "count"),
        peak=(summary["peak_online"], "count"),
    )


def span_label(row: Any, lang: str) -> str:
    """One incident span for the chart's tooltip: category, detected → resolved, GMV at risk."""
    resolved = row["resolved_at"]
    return phrase(
        "review.page.span_label",
        lang,
        category=(category_name(row["category"], lang), "text"),
        start=(row["detected_at"], "clock"),
        end=(resolved, "clock")
        if pd.notna(resolved)
        else (translate("review.page.unresolved", lang), "text"),
        risk=(row["gmv_at_risk"], "cny"),
    )
