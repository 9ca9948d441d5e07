"""One session's review as plain data (JSON-ready): what `python -m lib.cli review --json` prints, from
the same reads the review page shows."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib.review.incidents import SPAN_COLUMNS, incident_spans
from lib.review.pk import session_totals
from lib.review.present import retention_shares
from lib.review.queries import (
    minute_frame,
    minute_summary,
    products,
    session_header,
    session_online_vs_opening,
    session_retention,
    sources,
)

PRODUCT_FIELDS = ("product_id", "name", "exposure", "clicks", "orders", "units", "gmv", "refund")
PRODUCT_EXTRA = ("price", "click_rate", "conversion_rate")
SOURCE_FIELDS = ("source", "viewers", "gmv")


def plain(value: Any) -> Any:
    """A frame cell as JSON wants it: None for NaN/NA, Python numbers, ISO times."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.isoformat(sep=" ", timespec="minutes")
    return value


def records(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{c: plain(row[c]) for c in columns} for _i, row in frame.iterrows()]


def review_json(engine: Engine, session_id: int) -> dict[str, Any] | None:
    """The session (who, when), its totals, minute summary, retention, products, sources and incidents
    with their GMV at risk; None for an unknown id. Sections without detail rows are empty / None."""
    header = session_header(engine, session_id)
    if header is None:
        return None
    session = {
        k: plain(header[k]) for k in ("id", "platform", "account", "room", "host", "started_at", "ended_at")
    }
    spans = incident_spans(engine, session_id)
    return {
        "session": session,
        "totals": {k: plain(v) for k, v in (session_totals(engine, session_id) or {}).items()},
        "minutes": {k: plain(v) for k, v in minute_summary(minute_frame(engine, session_id)).items()},
        # Shares only (0-1); the online-against-opening ratios (may exceed 1) are apart, named as what they are.
        "retention": {
            k: plain(v) for k, v in retention_shares(session_retention(engine, session_id)).items()
        },
        "online_vs_opening": {k: plain(v) for k, v in session_online_vs_opening(engine, session_id).items()},
        "products": records(products(engine, session_id), PRODUCT_FIELDS + PRODUCT_EXTRA),
        "sources": records(sources(engine, session_id), SOURCE_FIELDS),
        "incidents": records(spans, SPAN_COLUMNS),
    }
