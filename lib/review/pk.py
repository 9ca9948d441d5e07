"""PK (直播PK): two sessions side by side - totals with differences, minute curves aligned by minutes from
each one's start, products and sources compared - and the default partner (the host's previous session)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from lib import kpis
from lib.core.models import LiveSession
from lib.review.queries import (
    COUNT_COLUMNS,
    FUNNEL_COLUMNS,
    RATE_COLUMNS,
    minute_frame,
    products,
    session_header,
    sources,
)

LS = LiveSession.__table__
# The totals compared, in order: catalogue metrics of the session (lib.kpis.session_detail, one path).
PK_METRICS = (
    "gmv",
    "orders",
    "buyers",
    "viewers",
    "views",
    "peak_online",
    "avg_watch_seconds",
    "new_followers",
    "conversion_rate",
    "uv_value",
    "gpm",
    "avg_order_value",
    "interaction_rate",
    "duration_hours",
)
PK_TOTAL_COLUMNS = ("metric", "a", "b", "diff", "diff_pct")
PK_PRODUCT_FIELDS = (*FUNNEL_COLUMNS, *RATE_COLUMNS)
PK_SOURCE_FIELDS = ("viewers", "gmv", "viewers_share", "gmv_share")


def session_totals(engine: Engine, session_id: int) -> dict[str, float | None] | None:
    """The session's catalogue metrics (as the session page shows them), or None for an unknown id."""
    detail = kpis.session_detail(engine, session_id)
    if detail is None:
        return None
    return {k: detail["metrics"].get(k) for k in PK_METRICS}


def _difference(a: float | None, b: float | None) -> tuple[float | None, float | None]:
    if a is None or b is None:
        return None, None
    return a - b, ((a - b) / b if b else None)


def pk_totals(engine: Engine, session_a: int, session_b: int) -> pd.DataFrame:
    """One row per PK metric: a, b, diff = a − b, diff_pct = (a − b) / b (None where either is missing)."""
    ta = session_totals(engine, session_a) or {}
    tb = session_totals(engine, session_b) or {}
    rows = []
    for key in PK_METRICS:
        a, b = ta.get(key), tb.get(key)
        rows.append((key, a, b, *_difference(a, b)))
    return pd.DataFrame(rows, columns=list(PK_TOTAL_COLUMNS))


def pk_minutes(engine: Engine, session_a: int, session_b: int) -> pd.DataFrame:
    """Both minute frames on one axis (minute from each start): <field>_a and <field>_b for the counts,
    gmv and the running GMV (gmv_cum); a minute only one session reached has None for the other."""
    fields = (*COUNT_COLUMNS, "gmv")
    parts = []
    for suffix, sid in (("a", session_a), ("b", session_b)):
        frame = minute_frame(engine, sid)[["minute", *fields]].copy()
        frame["gmv_cum"] = frame["gmv"].fillna(0).cumsum().where(frame["gmv"].notna().cummax())
        parts.append(frame.rename(columns={f: f"{f}_{suffix}" for f in (*fields, "gmv_cum")}))
    merged = parts[0].merge(parts[1], on="minute", how="outer").sort_values("minute", ignore_index=True)
    return merged.astype({"minute": "Int64"})


def _compare(left: pd.DataFrame, right: pd.DataFrame, key: str, fields: tuple[str, ...]) -> pd.DataFrame:
    cols = [key, *fields]
    extra = ["name"] if "name" in left.columns else []
    merged = left[cols + extra].merge(right[cols + extra], on=key, how="outer", suffixes=("_a", "_b"))
    if extra:
        merged.insert(1, "name", merged["name_a"].combine_first(merged["name_b"]))
        merged = merged.drop(columns=["name_a", "name_b"])
    merged["gmv_diff"] = merged["gmv_a"].astype("float64") - merged["gmv_b"].astype("float64")
    order = merged["gmv_a"].astype("float64").fillna(0) + merged["gmv_b"].astype("float64").fillna(0)
    return merged.assign(_o=order).sort_values(["_o", key], ascending=[False, True]).drop(columns="_o")


def pk_products(engine: Engine, session_a: int, session_b: int) -> pd.DataFrame:
    """Products of both sessions (outer join on product id): funnel fields _a/_b and gmv_diff = a − b,
    by the two sessions' GMV together (highest first)."""
    out = _compare(products(engine, session_a), products(engine, session_b), "product_id", PK_PRODUCT_FIELDS)
    return out.reset_index(drop=True)


def pk_sources(engine: Engine, session_a: int, session_b: int) -> pd.DataFrame:
    """Traffic sources of both sessions (outer join on source): fields _a/_b and gmv_diff = a − b."""
    out = _compare(sources(engine, session_a), sources(engine, session_b), "source", PK_SOURCE_FIELDS)
    return out.reset_index(drop=True)


def _host_condition(header: dict[str, Any]) -> list[Any]:
    if header["host_person_id"] is not None:
        return [LS.c.host_person_id == header["host_person_id"]]
    # No roster link: the same name on the same account (the unique key's index serves it).
    return [
        LS.c.platform == header["platform"],
        LS.c.account == header["account"],
        LS.c.host_name == header["host_name"],
    ]


def host_sessions(engine: Engine, session_id: int, limit: int = 50) -> list[int]:
    """The host's other sessions, latest first (the PK picker lists them before any other)."""
    header = session_header(engine, session_id)
    if header is None or (header["host_person_id"] is None and header["host_name"] is None):
        return []
    stmt = (
        select(LS.c.id)
        .where(*_host_condition(header), LS.c.id != session_id)
        .order_by(LS.c.started_at.desc(), LS.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(stmt).scalars()]


def default_partner(engine: Engine, session_id: int) -> int | None:
    """The PK default: the same host's latest session that started before this one (None if none)."""
    header = session_header(engine, session_id)
    if header is None or (header["host_person_id"] is None and header["host_name"] is None):
        return None
    started = header["started_at"]
    stmt = (
        select(LS.c.id)
        .where(*_host_condition(header), LS.c.started_at < started)
        .order_by(LS.c.started_at.desc(), LS.c.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        found = conn.execute(stmt).scalar()
    return None if found is None else int(found)
