"""Resolving a session-detail file (trend, product list, traffic sources) against the stored sessions:
each row's session by account + start minute (a trend file names both in the lines above its header),
trend times to minutes from the start, and the reconciliation warnings (detail totals against the
session's totals; a warning, not a refusal: platforms revise figures)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Column, Connection, Table, select

from lib.core.formatting import Quantity
from lib.core.models import LiveSession, SessionMinute, SessionProduct, SessionSource
from lib.importing import values as v
from lib.importing.checks import above_session
from lib.importing.fields import MAX_SESSION_MINUTES
from lib.importing.plan import IN_CHUNK, chunks
from lib.importing.validate import RowError

LS = LiveSession.__table__
TREND_COUNTS = ("online", "entering", "leaving", "comments", "likes", "new_followers", "orders")
# kind -> (table, key column, stored columns besides session_id and the key)
TARGETS: dict[str, tuple[Table, str, tuple[str, ...]]] = {
    "session_trend": (SessionMinute.__table__, "minute", (*TREND_COUNTS, "gmv_cents")),
    "session_products": (
        SessionProduct.__table__,
        "product_id",
        ("name", "price", "first_on_shelf", "explain_count", "explain_seconds")
        + ("exposure", "clicks", "orders", "units", "gmv", "refund"),
    ),
    "session_sources": (SessionSource.__table__, "source", ("viewers", "gmv")),
}
_LABEL = r"\s*[:：]+\s*"
META_ROOM = re.compile(rf"^(直播间|直播间名称|直播账号|主播)(?:名称)?{_LABEL}(.+)$")
META_ACCOUNT = re.compile(rf"^(抖音号|主播抖音号|账号|快手号|主播账号){_LABEL}(.+)$")
META_START = re.compile(rf"^(开播时间|直播开始时间|开始时间|直播时间){_LABEL}(.+)$")
ACCOUNT_IN_PARENS = re.compile(r"^(.*?)\s*[(（]\s*([^()（）]+?)\s*[)）]\s*$")


@dataclass
class DetailPlan:
    """What a detail file will write: per session, the whole set of its rows of one table."""

    kind: str
    table: Table
    key: str
    columns: tuple[str, ...]
    records: list[dict[str, Any]]
    session_ids: list[int]
    warnings: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class TrendMeta:
    account: str | None
    room: str | None
    started_at: dt.datetime | None


def start_minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def _line_text(row: Iterable[Any]) -> str:
    cells = [str(c).strip().lstrip("\ufeff") for c in row if not v.is_none(c) and str(c).strip()]
    return ":".join(cells)


def trend_meta(above: list[list[Any]]) -> tuple[TrendMeta, list[RowError]]:
    """The account (from 抖音号:…, or the `(…)` after the room's name), room and start of a trend file;
    lines naming two different accounts are refused (which session the file is cannot be told)."""
    accounts: list[tuple[int, str]] = []  # (line, account) in file order
    room = None
    started = None
    errors: list[RowError] = []
    for number, row in enumerate(above, start=1):
        text = _line_text(row)
        if match := META_ACCOUNT.match(text):
            accounts.append((number, v.normalise_name(match.group(2))))
        elif match := META_ROOM.match(text):
            value = match.group(2)
            if paren := ACCOUNT_IN_PARENS.match(value):
                room = paren.group(1) or None
                accounts.append((number, v.normalise_name(paren.group(2))))
            else:
                room = value
        elif match := META_START.match(text):
            try:
                started = v.parse_datetime(match.group(2))
            except v.ValueParseError:
                errors.append(RowError(number, match.group(1), match.group(2), "bad_datetime"))
    named = list(dict.fromkeys(a for _n, a in accounts))
    if len(named) > 1:
        line, other = next((n, a) for n, a in accounts if a != named[0])
        errors.append(
            RowError(line, None, other, "detail_trend_conflicting_account", {"accounts": "、".join(named)})
        )
    return TrendMeta(named[0] if named else None, room, started), errors


def stored_sessions(conn: Connection, wanted: set[tuple[str, dt.datetime]]) -> dict[tuple, list[dict]]:
    """The stored sessions of (account, start minute) pairs: one range of the day index (started_on is
    started_at's date) per chunk of accounts, never a scan of every session."""
    if not wanted:
        return {}
    first, last = min(w[1] for w in wanted), max(w[1] for w in wanted) + dt.timedelta(minutes=1)
    cols: tuple[Column, ...] = (LS.c.id, LS.c.platform, LS.c.account, LS.c.started_at, LS.c.ended_at)
    cols += (LS.c.gmv, LS.c.orders, LS.c.viewers)
    found: dict[tuple, list[dict]] = {}
    for accounts in chunks(sorted({w[0] for w in wanted}), IN_CHUNK):
        stmt = select(*cols).where(
            LS.c.started_on >= first.date(),
            LS.c.started_on <= last.date(),
            LS.c.account.in_(accounts),
            LS.c.started_at >= first,
            LS.c.started_at < last,
        )
        for row in conn.execute(stmt).mappings():
            key = (row["account"], start_minute(row["started_at"]))
            if key in wanted:
                found.setdefault(key, []).append(dict(row))
    return found


def _session_of(
    found: dict[tuple, list[dict]], key: tuple[str, dt.datetime], row: int | None, errors: list[RowError]
) -> dict | None:
    sessions = found.get(key, [])
    params = {"account": key[0], "start": f"{key[1]:%Y-%m-%d %H:%M}"}
    if not sessions:
        errors.append(RowError(row, None, None, "detail_no_session", params))
        return None
    if len(sessions) > 1:
        errors.append(RowError(row, None, None, "detail_ambiguous_session", {**params, "n": len(sessions)}))
        return None
    return sessions[0]


def trend_minutes(times: list[Any], start: dt.datetime) -> tuple[list[int | None], list[tuple[int, str]]]:
    """Minutes from the start minute for each row's time: a full date-time directly, a clock time on the
    start's day, moving to the next day each time the clock goes back (a session past midnight)."""
    zero = start_minute(start)
    day, previous = zero.date(), None
    out: list[int | None] = []
    problems: list[tuple[int, str]] = []
    for i, value in enumerate(times):
        if isinstance(value, dt.time):
            moment = dt.datetime.combine(day, value)
            while previous is not None and moment < previous:
                day += dt.timedelta(days=1)
                moment = dt.datetime.combine(day, value)
        else:
            moment = value
        previous = moment
        minute = int((start_minute(moment) - zero).total_seconds() // 60)
        if not 0 <= minute < MAX_SESSION_MINUTES:
            problems.append((i, "trend_time_outside"))
            out.append(None)
        else:
            out.append(minute)
    return out, problems


def _column(frame: pd.DataFrame, column: str) -> list[Any]:
    """A parsed column's values (None where empty or where the file has no such column)."""
    if column not in frame.columns:
        return [None] * len(frame)
    return [None if x is None or x != x else x for x in frame[column].tolist()]  # NaN != NaN


def _reconcile(
    code: str, session: dict, total: float | None, stored: Any, rows: int, row: int | None, unit: str = "cny"
) -> list[RowError]:
    """A warning when a detail total and the session's total differ by more than rounding (0.005 a row)."""
    if total is None or stored is None:
        return []
    gap = float(total) - float(stored)
    if abs(gap) <= max(0.01, 0.005 * rows):
        return []
    params = {
        "session_id": session["id"],  # so a page can hide the stored figures from who may not see them
        "account": session["account"],
        "start": f"{session['started_at']:%Y-%m-%d %H:%M}",
        "file_total": Quantity(float(total), unit),
        "stored": Quantity(float(stored), unit),
        "gap": Quantity(gap, unit),
    }
    return [RowError(row, None, None, code, params)]


def _total(records: list[dict[str, Any]], column: str, scale: float = 1.0) -> float | None:
    present = [r[column] for r in records if r.get(column) is not None]
    return sum(present) / scale if present else None


@dataclass
class TrendDraft:
    """What a trend file says without the database: its session's key (account, start minute), each row's
    minute from the start and the minute rows (their session id still to come), the problems found."""

    key: tuple[str, dt.datetime] | None
    errors: list[RowError]  # refusals that stand whether or not the session is stored
    minute_errors: list[RowError]  # reported only once the session is found
    records: list[dict[str, Any]]
    rows: list[int] = field(default_factory=list)  # each record's file row, time as written, and header
    times: list[Any] = field(default_factory=list)
    column: str | None = None


def trend_draft(frame: pd.DataFrame, headers: dict[str, str], above: list[list[Any]]) -> TrendDraft:
    """The database-free part of resolving a trend file (a worker process can do it: lib.importing.many).
    The minutes count from the start minute of the lines above the header, which is the stored session's
    start minute whenever the session is found (that is how it is found)."""
    meta, errors = trend_meta(above)
    times = frame["time"].tolist()
    rows = frame["_row"].tolist()
    started = meta.started_at or next((t for t in times if isinstance(t, dt.datetime)), None)
    if any(e.code == "detail_trend_conflicting_account" for e in errors):
        return TrendDraft(None, errors, [], [])  # which session it is cannot be told: nothing more to say
    if meta.account is None or started is None:
        missing = "detail_trend_no_account" if meta.account is None else "detail_trend_no_start"
        return TrendDraft(None, [*errors, RowError(None, None, None, missing)], [], [])
    minutes, problems = trend_minutes(times, started)
    column = headers.get("time")
    later = [
        RowError(int(rows[i]), column, times[i], code, {"start": f"{started:%Y-%m-%d %H:%M}"})
        for i, code in problems
    ]
    seen: dict[int, int] = {}
    for i, minute in enumerate(minutes):
        if minute is not None and seen.setdefault(minute, i) != i:
            later.append(RowError(int(rows[i]), column, times[i], "detail_duplicate_minute"))
    # Whole columns at once: a cell at a time through pandas was most of a trend import's time.
    values = {c: _column(frame, c) for c in (*TREND_COUNTS, "gmv")}
    records = []
    for i, minute in enumerate(minutes):
        rec = {"session_id": None, "minute": minute}
        rec.update({c: values[c][i] for c in TREND_COUNTS})
        gmv = values["gmv"][i]
        rec["gmv_cents"] = None if gmv is None else int(round(gmv * 100))
        records.append(rec)
    key = (meta.account, start_minute(started))
    return TrendDraft(key, errors, later, records, [int(r) for r in rows], times, column)


# A trend minute may lie this long after the session's stored end (the platform's last minute bucket and
# its rounding of the end time); nothing before the start minute (minute 0) is taken.
TREND_GRACE_MINUTES = 5


def _after_end(draft: TrendDraft, session: dict) -> list[RowError]:
    """Rows past the session's end (a `19:59` appended to a 20:00 session, rows running to the next day)."""
    end = session.get("ended_at")
    if end is None:  # no stored end: the 24-hour bound of trend_minutes is all there is
        return []
    start = start_minute(session["started_at"])
    last = int((start_minute(end) - start).total_seconds() // 60) + TREND_GRACE_MINUTES
    params = {
        "start": f"{session['started_at']:%Y-%m-%d %H:%M}",
        "end": f"{end:%Y-%m-%d %H:%M}",
        "grace": TREND_GRACE_MINUTES,
    }
    return [
        RowError(draft.rows[i], draft.column, draft.times[i], "trend_minute_after_end", params)
        for i, rec in enumerate(draft.records)
        if rec["minute"] is not None and rec["minute"] > last
    ]


def resolve_trend(conn: Connection, draft: TrendDraft) -> tuple[DetailPlan | None, list[RowError]]:
    """A trend file's session (by the account and start in the lines above the header, or its first full
    date-time), its minute rows; warnings when minute GMV/orders miss the session's totals."""
    errors = list(draft.errors)
    if draft.key is None:
        return None, errors
    session = _session_of(stored_sessions(conn, {draft.key}), draft.key, None, errors)
    if session is None:
        return None, errors
    errors += draft.minute_errors + _after_end(draft, session)
    records = draft.records
    for rec in records:
        rec["session_id"] = session["id"]
    table, key_column, columns = TARGETS["session_trend"]
    plan = DetailPlan("session_trend", table, key_column, columns, records, [session["id"]])
    n = len(records)
    plan.warnings += _reconcile(
        "reconcile_minutes_gmv", session, _total(records, "gmv_cents", 100), session["gmv"], n, None
    )
    plan.warnings += _reconcile(
        "reconcile_minutes_orders", session, _total(records, "orders"), session["orders"], 0, None, "count"
    )
    return plan, errors


def resolve_listed(
    conn: Connection, kind: str, frame: pd.DataFrame, headers: dict[str, str]
) -> tuple[DetailPlan | None, list[RowError]]:
    """A product list or a traffic-source file: each row's session by account + start; per session the
    rows it will hold; warnings when product GMV or source viewers miss the session's totals."""
    table, key_column, columns = TARGETS[kind]
    rows = frame["_row"].tolist()
    keys = [(a, start_minute(s)) for a, s in zip(frame["account"], frame["started_at"], strict=True)]
    found = stored_sessions(conn, set(keys))
    errors: list[RowError] = []
    by_session: dict[int, list[dict[str, Any]]] = {}
    rows_of: dict[int, list[int]] = {}  # each record's file row
    sessions: dict[int, tuple[dict, int]] = {}
    refused: set[tuple] = set()
    renamed = {"product_name": "name"}
    keys_of = frame[key_column].tolist()
    stored = {  # whole columns at once, as in resolve_trend
        renamed.get(name, name): _column(frame, name)
        for name in frame.columns
        if renamed.get(name, name) in columns
    }
    for i, key in enumerate(keys):
        if key in refused:
            continue
        session = _session_of(found, key, int(rows[i]), errors)
        if session is None:
            refused.add(key)
            continue
        rec = {"session_id": session["id"], key_column: keys_of[i]}
        for target, cells in stored.items():
            rec[target] = cells[i]
        if rec.get("explain_seconds") is not None:
            rec["explain_seconds"] = int(round(rec["explain_seconds"]))
        by_session.setdefault(session["id"], []).append(rec)
        rows_of.setdefault(session["id"], []).append(int(rows[i]))
        sessions.setdefault(session["id"], (session, int(rows[i])))
    plan = DetailPlan(
        kind, table, key_column, columns, [r for rs in by_session.values() for r in rs], list(by_session)
    )
    for sid, recs in by_session.items():
        session, first_row = sessions[sid]
        plan.warnings += above_session(session, recs, rows_of[sid], headers.get("gmv", ""))
        if kind == "session_products":
            plan.warnings += _reconcile(
                "reconcile_products_gmv", session, _total(recs, "gmv"), session["gmv"], len(recs), first_row
            )
        else:
            plan.warnings += _reconcile(
                "reconcile_sources_viewers",
                session,
                _total(recs, "viewers"),
                session["viewers"],
                0,
                first_row,
                "count",
            )
    return plan, errors


def resolve_detail(
    conn: Connection,
    kind: str,
    frame: pd.DataFrame,
    headers: dict[str, str],
    above: list[list[Any]],
    draft: TrendDraft | None = None,
) -> tuple[DetailPlan | None, list[RowError]]:
    """A detail file against the stored sessions; a trend file's `draft` may come ready (trend_draft)."""
    if kind == "session_trend":
        return resolve_trend(conn, draft or trend_draft(frame, headers, above))
    return resolve_listed(conn, kind, frame, headers)
