"""Reads of one session's review (engine first, hashable arguments, so lib.web.ui.cached can cache them):
its header, minute frame, retention, products with their funnel, traffic sources, product windows.

Every read is one index range on (session_id, ...) - never a scan of the detail tables. A session without
detail rows gives empty frames (with their columns) and None figures, never an error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from lib.core import review_metrics as rm
from lib.core.models import LiveSession, Person, SessionMinute, SessionProduct, SessionSource

LS = LiveSession.__table__
SM = SessionMinute.__table__
SP = SessionProduct.__table__
SS = SessionSource.__table__

COUNT_COLUMNS = ("online", "entering", "leaving", "comments", "likes", "new_followers", "orders")
MINUTE_COLUMNS = ("minute", "at", *COUNT_COLUMNS, "gmv")
# A product's funnel and money: summed across sessions, compared in a PK.
FUNNEL_COLUMNS = ("exposure", "clicks", "orders", "units", "gmv", "refund")
RATE_COLUMNS = ("click_rate", "conversion_rate")
PRODUCT_COLUMNS = (
    "product_id",
    "name",
    "price",
    "first_on_shelf",
    "explain_count",
    "explain_seconds",
    *FUNNEL_COLUMNS,
)
PRODUCT_FRAME_COLUMNS = (*PRODUCT_COLUMNS, *RATE_COLUMNS, "gmv_share")
SOURCE_COLUMNS = ("source", "viewers", "gmv", "viewers_share", "gmv_share")
WINDOW_COLUMNS = ("product_id", "name", "first_on_shelf", "shelf_minute", "explain_count", "explain_seconds")
HEADER_COLUMNS = (
    "id",
    "platform",
    "account",
    "room",
    "host_name",
    "host_person_id",
    "started_at",
    "ended_at",
    "duration_minutes",
)
TOP_N = 5
PRODUCTS_PAGE = 50  # rows of the products table at a time (>= TOP_N: the page takes its Top 5 from page 1)
WINDOWS_SHOWN = 100  # shelf times drawn on the curves and listed (the first on the shelf)


def start_minute(started_at: dt.datetime) -> dt.datetime:
    """Minute 0 of a session: its start time truncated to the minute (minute rows count from it)."""
    return started_at.replace(second=0, microsecond=0)


def minute_of(started_at: dt.datetime, moment: dt.datetime) -> int:
    """Whole minutes from the session's start minute to the minute of `moment` (negative before it)."""
    delta = moment.replace(second=0, microsecond=0) - start_minute(started_at)
    return int(delta.total_seconds() // 60)


def session_header(engine: Engine, session_id: int) -> dict[str, Any] | None:
    """Who, where and when of one session (host = the roster name when linked), or None."""
    stmt = (
        select(*(LS.c[c] for c in HEADER_COLUMNS), Person.name.label("person"))
        .select_from(LS.outerjoin(Person, Person.id == LS.c.host_person_id))
        .where(LS.c.id == session_id)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    out = {c: row[c] for c in HEADER_COLUMNS}
    out["host"] = row["person"] or row["host_name"]
    return out


def find_sessions(engine: Engine, platform: str, account: str, started_at: dt.datetime) -> list[int]:
    """Ids of the sessions of a platform account that started in that minute (two hosts may share one)."""
    first = start_minute(started_at)
    stmt = select(LS.c.id).where(
        LS.c.platform == platform,
        LS.c.account == account,
        LS.c.started_at >= first,
        LS.c.started_at < first + dt.timedelta(minutes=1),
    )
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(stmt.order_by(LS.c.id)).scalars()]


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})


def minute_frame(engine: Engine, session_id: int) -> pd.DataFrame:
    """One row a minute: minute (from the start minute), at (its clock time), the counts, gmv in yuan."""
    with engine.connect() as conn:
        started = conn.execute(select(LS.c.started_at).where(LS.c.id == session_id)).scalar()
        if started is None:
            return _empty(MINUTE_COLUMNS)
        rows = conn.execute(
            select(SM.c.minute, *(SM.c[c] for c in COUNT_COLUMNS), SM.c.gmv_cents)
            .where(SM.c.session_id == session_id)
            .order_by(SM.c.minute)
        ).all()
    if not rows:
        return _empty(MINUTE_COLUMNS)
    zero = start_minute(started)
    records = [
        {
            "minute": r[0],
            "at": zero + dt.timedelta(minutes=r[0]),
            **{c: r[i + 1] for i, c in enumerate(COUNT_COLUMNS)},
            "gmv": None if r[-1] is None else r[-1] / 100,
        }
        for r in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=list(MINUTE_COLUMNS))
    return frame.astype({c: "Int64" for c in ("minute", *COUNT_COLUMNS)})


def _sum(frame: pd.DataFrame, column: str) -> float | None:
    values = frame[column].dropna()
    return None if values.empty else values.sum().item()  # type: ignore[attr-defined]  # a numpy scalar; stubs say float


def minute_summary(frame: pd.DataFrame) -> dict[str, Any]:
    """count, gmv, orders, peak_online of a minute frame (None where no minute has the figure)."""
    peak = frame["online"].dropna()
    gmv = _sum(frame, "gmv")
    return {
        "count": len(frame),
        "gmv": None if gmv is None else round(gmv, 2),
        "orders": _sum(frame, "orders"),
        "peak_online": None if peak.empty else int(peak.max()),
    }


def _minute_rows(engine: Engine, session_id: int) -> list[rm.MinuteRow]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(SM.c.minute, SM.c.online, SM.c.entering)
            .where(SM.c.session_id == session_id)
            .order_by(SM.c.minute)
        ).all()
    return [(int(m), o, e) for m, o, e in rows]


def session_retention(engine: Engine, session_id: int) -> dict[str, rm.Segment | None]:
    """Retention segments of a session (lib.core.review_metrics.retention_segments): first_5, first_15,
    whole, each with its share (0-1), person-minutes, visits and minutes; None where there is no figure."""
    return rm.retention_segments(_minute_rows(engine, session_id))


def session_online_vs_opening(engine: Engine, session_id: int) -> dict[str, float | None]:
    """Online at minutes 5, 15, 30 and the last against the opening's peak (not a retention; may
    exceed 1): base, at_5, at_15, at_30, at_end."""
    return rm.online_vs_opening((m, o) for m, o, _e in _minute_rows(engine, session_id))


def _by_gmv() -> tuple:
    """Products by GMV, highest first, missing GMV last, then by id: the same order on every database."""
    return (SP.c.gmv.is_(None), SP.c.gmv.desc(), SP.c.product_id)


def products_gmv(engine: Engine, session_id: int) -> float | None:
    """The sum of the session's product GMV (the base of each product's share), one aggregate in SQL."""
    with engine.connect() as conn:
        total = conn.execute(select(func.sum(SP.c.gmv)).where(SP.c.session_id == session_id)).scalar()
    return None if total is None else float(total)


def products(engine: Engine, session_id: int, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """The session's products by GMV (highest first) with their funnel: click and conversion rates,
    and each product's share of the products' GMV. `limit`/`offset`: one page of that order, read as
    such (ORDER BY ... LIMIT in SQL: a session with 150,000 products must not be read whole by a page)."""
    stmt = (
        select(*(SP.c[c] for c in PRODUCT_COLUMNS)).where(SP.c.session_id == session_id).order_by(*_by_gmv())
    )
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    if not rows:
        return _empty(PRODUCT_FRAME_COLUMNS)
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(PRODUCT_COLUMNS))
    for column in ("price", "explain_count", "explain_seconds", *FUNNEL_COLUMNS):  # a page of None: NaN
        frame[column] = pd.to_numeric(frame[column])
    total = None if limit is None else products_gmv(engine, session_id)
    # The database ordered them; pandas sorts again by the same keys (NaN last) so every backend's
    # collation of ids gives one order.
    ordered = with_funnel(frame, total).sort_values(
        ["gmv", "product_id"], ascending=[False, True], ignore_index=True, na_position="last"
    )
    return ordered


def with_funnel(frame: pd.DataFrame, total: float | None = None) -> pd.DataFrame:
    """Add click_rate, conversion_rate (lib.core.review_metrics) and gmv_share to a product frame; the
    share is of `total` (default: the frame's own GMV, when the frame holds every product)."""
    total = frame["gmv"].dropna().sum() if total is None else total
    out = frame.copy()
    out["click_rate"] = [
        rm.click_rate(_num(c), _num(e)) for c, e in zip(out["clicks"], out["exposure"], strict=True)
    ]
    out["conversion_rate"] = [
        rm.conversion_rate(_num(o), _num(c)) for o, c in zip(out["orders"], out["clicks"], strict=True)
    ]
    out["gmv_share"] = [rm.ratio(_num(g), total) for g in out["gmv"]]
    return out


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def top_products(engine: Engine, session_id: int, n: int = TOP_N) -> pd.DataFrame:
    """The session's n best products by GMV (n rows read, not the whole list)."""
    return products(engine, session_id, limit=n)


def sources(engine: Engine, session_id: int) -> pd.DataFrame:
    """Traffic sources by viewers (most first), with each source's share of viewers and of GMV."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(SS.c.source, SS.c.viewers, SS.c.gmv).where(SS.c.session_id == session_id)
        ).all()
    if not rows:
        return _empty(SOURCE_COLUMNS)
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["source", "viewers", "gmv"])
    viewers, gmv = frame["viewers"].dropna().sum(), frame["gmv"].dropna().sum()
    frame["viewers_share"] = [rm.ratio(_num(v), viewers) for v in frame["viewers"]]
    frame["gmv_share"] = [rm.ratio(_num(g), gmv) for g in frame["gmv"]]
    return frame.sort_values(["viewers", "source"], ascending=[False, True], ignore_index=True)


def product_windows(
    engine: Engine,
    session_id: int,
    limit: int | None = WINDOWS_SHOWN,
    between: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """When each product came on the shelf (clock time and minute from the start) and how long it was
    explained (times, seconds), in shelf order; the page draws them on the minute curves. At most `limit`
    products (the first on the shelf; None: all), those first on the shelf in minutes `between` (from,
    to: both included) when given - read as such in SQL, never the whole list of a huge session."""
    with engine.connect() as conn:
        started = conn.execute(select(LS.c.started_at).where(LS.c.id == session_id)).scalar()
        if started is None:
            return _empty(WINDOW_COLUMNS)
        stmt = select(
            SP.c.product_id, SP.c.name, SP.c.first_on_shelf, SP.c.explain_count, SP.c.explain_seconds
        ).where(SP.c.session_id == session_id)
        if between is not None:
            zero = start_minute(started)
            stmt = stmt.where(
                SP.c.first_on_shelf >= zero + dt.timedelta(minutes=between[0]),
                SP.c.first_on_shelf < zero + dt.timedelta(minutes=between[1] + 1),
            )
        stmt = stmt.order_by(SP.c.first_on_shelf.is_(None), SP.c.first_on_shelf, SP.c.product_id)
        rows = conn.execute(stmt if limit is None else stmt.limit(limit)).all()
    if not rows:
        return _empty(WINDOW_COLUMNS)
    records = [
        {
            "product_id": r.product_id,
            "name": r.name,
            "first_on_shelf": r.first_on_shelf,
            "shelf_minute": None if r.first_on_shelf is None else minute_of(started, r.first_on_shelf),
            "explain_count": r.explain_count,
            "explain_seconds": r.explain_seconds,
        }
        for r in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=list(WINDOW_COLUMNS))
    frame["shelf_minute"] = frame["shelf_minute"].astype("Int64")
    return frame.sort_values(["shelf_minute", "product_id"], ignore_index=True, na_position="last")
