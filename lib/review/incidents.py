"""A session's incidents as spans on its minute curve, each with its GMV at risk
(lib.core.review_metrics.gmv_at_risk: GMV per minute inside detected → resolved against the 15 minutes
before)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from lib.core import review_metrics as rm
from lib.core.models import Incident, LiveSession
from lib.review.queries import minute_frame, minute_of

SPAN_COLUMNS = (
    "incident_id",
    "category",
    "severity",
    "detected_at",
    "resolved_at",
    "start_minute",
    "end_minute",
    "minutes",
    "gmv",
    "gmv_per_minute",
    "baseline_minutes",
    "baseline_per_minute",
    "gmv_at_risk",
)
INC = Incident.__table__
LS = LiveSession.__table__


def incident_spans(engine: Engine, session_id: int) -> pd.DataFrame:
    """One row per incident of the session (by detection time): its span in minutes from the start
    (detected → resolved, both minutes included; unresolved: the detection minute) and the GMV figures of
    lib.core.review_metrics.gmv_at_risk (None where the session has no minute rows there)."""
    with engine.connect() as conn:
        started = conn.execute(select(LS.c.started_at).where(LS.c.id == session_id)).scalar()
        rows = conn.execute(
            select(INC.c.id, INC.c.category, INC.c.severity, INC.c.detected_at, INC.c.resolved_at)
            .where(INC.c.session_id == session_id)
            .order_by(INC.c.detected_at, INC.c.id)
        ).all()
    if started is None or not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in SPAN_COLUMNS})
    minutes = minute_frame(engine, session_id)
    gmv = {
        int(m): (None if pd.isna(g) else float(g))
        for m, g in zip(minutes["minute"], minutes["gmv"], strict=True)
    }
    records = [_span(started, r, gmv) for r in rows]
    frame = pd.DataFrame.from_records(records, columns=list(SPAN_COLUMNS))
    return frame.astype({c: "Int64" for c in ("start_minute", "end_minute", "minutes", "baseline_minutes")})


def _span(started: Any, row: Any, gmv: dict[int, float | None]) -> dict[str, Any]:
    first = minute_of(started, row.detected_at)
    last = max(first, minute_of(started, row.resolved_at)) if row.resolved_at is not None else first
    inside = [gmv[m] for m in range(first, last + 1) if m in gmv]
    before = [gmv[m] for m in range(first - rm.BASELINE_MINUTES, first) if m in gmv]
    risk = rm.gmv_at_risk(inside, before)
    return {
        "incident_id": row.id,
        "category": row.category,
        "severity": row.severity,
        "detected_at": row.detected_at,
        "resolved_at": row.resolved_at,
        "start_minute": first,
        "end_minute": last,
        "minutes": risk.minutes,
        "gmv": risk.gmv,
        "gmv_per_minute": risk.per_minute,
        "baseline_minutes": risk.baseline_minutes,
        "baseline_per_minute": risk.baseline_per_minute,
        "gmv_at_risk": risk.gmv_at_risk,
    }
