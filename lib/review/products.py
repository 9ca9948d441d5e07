"""Products across sessions: which products sold in a period, one product's sessions and its hosts (who
sells it best). Rates are re-divided from sums (lib.core.review_metrics), never averaged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from lib import kpis
from lib.core import review_metrics as rm
from lib.core.models import LiveSession, Person, SessionProduct
from lib.review.queries import FUNNEL_COLUMNS

LS = LiveSession.__table__
SP = SessionProduct.__table__
SUMMED = FUNNEL_COLUMNS
OVERVIEW_COLUMNS = ("product_id", "name", "sessions", "hosts", *SUMMED, "click_rate", "conversion_rate")
PRODUCT_SESSION_COLUMNS = (
    "session_id",
    "started_at",
    "platform",
    "room",
    "host",
    "price",
    *SUMMED,
    "click_rate",
    "conversion_rate",
)
HOST_COLUMNS = ("host", "sessions", *SUMMED, "click_rate", "conversion_rate")
PRODUCTS_LIMIT = 500


def _rates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["click_rate"] = [
        rm.click_rate(_f(c), _f(e)) for c, e in zip(out["clicks"], out["exposure"], strict=True)
    ]
    out["conversion_rate"] = [
        rm.conversion_rate(_f(o), _f(c)) for o, c in zip(out["orders"], out["clicks"], strict=True)
    ]
    return out


def _f(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def products_overview(
    engine: Engine, date_from: dt.date, date_to: dt.date, limit: int = PRODUCTS_LIMIT
) -> pd.DataFrame:
    """Per product sold by sessions that started in [date_from, date_to] (the day index): its name (the
    latest), sessions, hosts, summed funnel and GMV, click and conversion rates; by GMV, highest first."""
    sums = [func.sum(SP.c[c]).label(c) for c in SUMMED]
    joined = SP.join(LS, LS.c.id == SP.c.session_id).outerjoin(Person, Person.id == LS.c.host_person_id)
    stmt = (
        select(
            SP.c.product_id,
            func.max(SP.c.name).label("name"),
            func.count().label("sessions"),
            func.count(func.distinct(kpis.host_label())).label("hosts"),
            *sums,
        )
        .select_from(joined)
        .where(LS.c.started_on >= date_from, LS.c.started_on <= date_to)
        .group_by(SP.c.product_id)
        .order_by(func.sum(SP.c.gmv).desc(), SP.c.product_id)
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows], columns=["product_id", "name", "sessions", "hosts", *SUMMED]
    )
    return _rates(frame)[list(OVERVIEW_COLUMNS)]


def product_sessions(engine: Engine, product_id: str) -> pd.DataFrame:
    """Every session that sold the product (the product index), latest first, with its funnel."""
    stmt = (
        select(
            LS.c.id.label("session_id"),
            LS.c.started_at,
            LS.c.platform,
            LS.c.room,
            kpis.host_label().label("host"),
            SP.c.price,
            *(SP.c[c] for c in SUMMED),
        )
        .select_from(
            SP.join(LS, LS.c.id == SP.c.session_id).outerjoin(Person, Person.id == LS.c.host_person_id)
        )
        .where(SP.c.product_id == product_id)
        .order_by(LS.c.started_at.desc(), LS.c.id.desc())
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(PRODUCT_SESSION_COLUMNS[:-2]))
    return _rates(frame)


def product_hosts(engine: Engine, product_id: str) -> pd.DataFrame:
    """Per host of the product's sessions: sessions, summed funnel and GMV, rates; by GMV, highest first."""
    sessions = product_sessions(engine, product_id)
    if sessions.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in HOST_COLUMNS})
    sessions["host"] = sessions["host"].fillna("")
    grouped = sessions.groupby("host", as_index=False).agg(
        sessions=("session_id", "count"), **{c: (c, lambda s: s.sum(min_count=1)) for c in SUMMED}
    )
    out = _rates(grouped).sort_values(["gmv", "host"], ascending=[False, True], ignore_index=True)
    return out[list(HOST_COLUMNS)]
