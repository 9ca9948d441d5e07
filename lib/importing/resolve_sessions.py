"""Resolving a session export against the database: host names and accounts to people, rooms, and how to
find the stored sessions a file's rows may update."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from lib.core.models import HostAccount, LiveSession
from lib.importing.plan import IN_CHUNK, Fetch, Plan, chunks, person_ids, records_of

SESSION_COLUMNS = (
    "platform",
    "external_id",
    "account",
    "room",
    "host_name",
    "host_person_id",
    "title",
    "started_at",
    "started_on",
    "ended_at",
    "duration_minutes",
    "exposure",
    "viewers",
    "views",
    "peak_online",
    "avg_online",
    "avg_watch_seconds",
    "new_followers",
    "comments",
    "likes",
    "shares",
    "questions",
    "questions_replied",
    "product_exposure",
    "product_clicks",
    "orders",
    "buyers",
    "gmv",
    "refund_amount",
    "retention_rate",
)
_KEY_COLUMNS = ("platform", "external_id", "account", "host_name", "started_at")


def _link_hosts(conn: Connection, records: list[dict[str, Any]]) -> None:
    """Each row's host person (by platform alias or name) and, when the file has none, its account."""
    people = person_ids(conn)
    aliases: dict[tuple[str, str], int] = {}
    person_aliases: dict[tuple[int, str], list[str]] = {}
    for platform, alias, owner in conn.execute(
        select(HostAccount.platform, HostAccount.alias, HostAccount.person_id)
    ):
        aliases[(platform, alias)] = owner
        person_aliases.setdefault((owner, platform), []).append(alias)
    for r in records:
        host, platform = r.get("host_name"), r["platform"]
        pid: int | None = None
        if host:
            pid = aliases.get((platform, host)) or people.get(host)
        if pid is None and r.get("account"):
            pid = aliases.get((platform, r["account"]))
        r["host_person_id"] = pid
        if not r.get("account"):
            own = person_aliases.get((pid, platform), []) if pid else []
            r["account"] = own[0] if len(own) == 1 else host


def _fill_rooms(conn: Connection, records: list[dict[str, Any]]) -> None:
    """SPEC's room is "直播间/账号": the account, unless stored sessions of that account name a room."""
    known_rooms: dict[tuple[str, str], str | None] = {}
    for chunk in chunks(sorted({r["account"] for r in records}), IN_CHUNK):
        q = (
            select(LiveSession.platform, LiveSession.account, LiveSession.room)
            .where(
                LiveSession.account.in_(chunk),
                LiveSession.room.is_not(None),
                LiveSession.room != LiveSession.account,
            )
            .group_by(LiveSession.platform, LiveSession.account, LiveSession.room)
        )
        for platform, account, room in conn.execute(q):
            known_rooms[(platform, account)] = room
    for r in records:
        r["room"] = known_rooms.get((r["platform"], r["account"])) or r["account"]


def _session_fetch(columns: tuple[str, ...]) -> Fetch:
    def fetch(c: Connection, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Stored sessions near the file's time range, plus any matched by external id outside it."""
        starts = [r["started_at"] for r in recs]
        platforms = sorted({r["platform"] for r in recs})
        lo, hi = min(starts) - dt.timedelta(days=1), max(starts) + dt.timedelta(days=1)
        t = LiveSession.__table__
        cols = [t.c.id, *[t.c[x] for x in _KEY_COLUMNS], *[t.c[x] for x in columns if x not in _KEY_COLUMNS]]
        q = select(*cols).where(t.c.platform.in_(platforms), t.c.started_at.between(lo, hi))
        rows = [dict(m) for m in c.execute(q).mappings()]
        seen = {(r["platform"], r["external_id"]) for r in rows if r["external_id"]}
        missing = [(r["platform"], r["external_id"]) for r in recs if r.get("external_id")]
        missing = [k for k in missing if k not in seen]
        for platform in {p for p, _ in missing}:
            ids = [e for p, e in missing if p == platform]
            for chunk in chunks(ids, IN_CHUNK):
                q = select(*cols).where(t.c.platform == platform, t.c.external_id.in_(chunk))
                rows += [dict(m) for m in c.execute(q).mappings()]
        return rows

    return fetch


def _key(r: dict[str, Any]) -> tuple:
    return ("n", r["platform"], r.get("account"), r.get("host_name"), r["started_at"])


def _alt_key(r: dict[str, Any]) -> tuple | None:
    return ("e", r["platform"], r["external_id"]) if r.get("external_id") else None


def resolve_sessions(conn: Connection, frame: pd.DataFrame, headers: dict[str, str]) -> tuple[Plan, list]:
    records = records_of(frame, SESSION_COLUMNS)
    _link_hosts(conn, records)
    if "room" not in frame.columns:
        _fill_rooms(conn, records)
    columns = tuple(c for c in SESSION_COLUMNS if c in frame.columns or c in ("host_person_id", "account"))
    plan = Plan(LiveSession.__table__, records, columns, _key, _session_fetch(columns), alt_key=_alt_key)
    return plan, []
