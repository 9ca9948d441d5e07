"""A case's linked sessions: their key numbers against the host's previous sessions (lib.kpis public API),
the editor's session choices, and a new case pre-filled from a session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, select

from lib import kpis, review
from lib.cases.model import LS, Viewer
from lib.core.formatting import format_metric
from lib.core.i18n import translate
from lib.core.metrics import METRICS, per_session_from_rows
from lib.core.platforms import PLATFORMS

KEY_METRICS = ("gmv", "viewers", "conversion_rate", "uv_value", "avg_watch_seconds", "interaction_rate")
PREVIOUS_SESSIONS = 5  # a linked session is compared with the host's previous sessions, up to this many


def _host_filter(record: dict[str, Any]) -> Any:
    if record.get("host_person_id"):
        return LS.c.host_person_id == record["host_person_id"]
    return (LS.c.host_person_id.is_(None)) & (LS.c.host_name == record.get("host_name"))


def _previous(engine: Engine, rec: dict[str, Any]) -> list[Mapping[str, Any]]:
    """The host's sessions before this one, newest first, at most PREVIOUS_SESSIONS."""
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                select(LS)
                .where(_host_filter(rec), LS.c.started_at < rec["started_at"])
                .order_by(LS.c.started_at.desc())
                .limit(PREVIOUS_SESSIONS)
            ).mappings()
        ]


def _card(sid: int, rec: dict[str, Any], previous: list[Mapping[str, Any]]) -> dict[str, Any]:
    before = per_session_from_rows(previous) if previous else {}
    metrics = {k: rec.get(k) for k in KEY_METRICS}
    change = {}
    for k in KEY_METRICS:
        old, new = before.get(k), metrics[k]
        change[k] = None if old in (None, 0) or new is None else (new - old) / old
    return {
        "id": sid,
        "started_at": rec["started_at"],
        "platform": rec["platform"],
        "room": rec.get("room"),
        "host": rec.get("host"),
        "title": rec.get("title"),
        "metrics": metrics,
        "previous": {k: before.get(k) for k in KEY_METRICS},
        "previous_count": len(previous),
        "change": change,
    }


def linked_sessions(engine: Engine, session_ids: tuple[int, ...]) -> list[dict[str, Any]]:
    """Each linked session's key metrics, the host's previous sessions (up to PREVIOUS_SESSIONS) as one
    typical session (totals per session, ratios re-divided from sums) and the relative change against it."""
    if not session_ids:
        return []
    roster = kpis.load_roster(engine)
    out = []
    for sid in session_ids:
        rows = kpis.session_rows(engine, kpis.Filters(dt.date.min, dt.date.max), roster, session_id=sid)
        if rows:
            out.append(_card(sid, rows[0], _previous(engine, rows[0])))
    return out


def session_choices(
    engine: Engine, viewer: Viewer, limit: int = 300, lang: str = "zh"
) -> list[tuple[int, str]]:
    """(id, label) of recent sessions for the editor's session picker: those the viewer may see (staff:
    the sessions they hosted, the review page's rule)."""
    return review.pickable_sessions(engine, viewer.role, viewer.person_id, limit, lang)


def session_label(engine: Engine, session_id: int) -> str | None:
    with engine.connect() as conn:
        r = conn.execute(
            select(LS.c.started_at, LS.c.platform, LS.c.room, LS.c.host_name).where(LS.c.id == session_id)
        ).first()
    return (
        None
        if r is None
        else f"{r.started_at:%Y-%m-%d %H:%M} · {r.platform} · {r.room or ''} · {r.host_name or ''}"
    )


def _metric_line(key: str, actual: Any, target: dict[str, Any] | None, lang: str) -> str:
    text = f"- {METRICS[key].name(lang)}：{format_metric(key, actual, lang)}"
    if target is None:
        return text
    goal = translate(f"kpis.kind.{target['kind']}", lang) + " " + format_metric(key, target["value"], lang)
    if target["value_high"] is not None:
        goal += "–" + format_metric(key, target["value_high"], lang)
    return text + translate(
        "cases.prefill.against",
        lang,
        target=goal,
        achievement=format_metric("gmv_achievement", target["achievement"], lang),
    )


def _background(detail: dict[str, Any], lang: str) -> str:
    stored = detail["stored"]
    lines = [
        translate(
            "cases.prefill.session",
            lang,
            date=f"{stored['started_at']:%Y-%m-%d %H:%M}",
            platform=translate(f"kpis.platform_name.{stored['platform']}", lang)
            if stored["platform"] in PLATFORMS
            else stored["platform"],
            room=stored.get("room") or "",
            host=detail["host"] or "",
        ),
        "",
    ]
    for key, actual in detail["metrics"].items():
        target = detail["targets"].get(key)
        if actual is None or (key not in KEY_METRICS and target is None):
            continue
        lines.append(_metric_line(key, actual, target, lang))
    return "\n".join(lines)


def session_prefill(
    engine: Engine, session_id: int, viewer: Viewer, lang: str = "zh"
) -> dict[str, Any] | None:
    """A new case's fields from a session: title, date, platform, the session linked, and a background
    listing its numbers against target (lib.kpis.session_detail) and its review facts (lib.review: Top 5,
    the biggest dip and what happened then). None when the session does not exist or the viewer may not
    see it (the review page's rule, lib.review.may_see_session: staff pre-fill from sessions they hosted)."""
    if not review.may_see_session(engine, session_id, viewer.role, viewer.person_id):
        return None
    detail = kpis.session_detail(engine, session_id)
    if detail is None:
        return None
    stored = detail["stored"]
    return {
        "title": translate(
            "cases.prefill.title",
            lang,
            date=f"{stored['started_at']:%m-%d}",
            host=detail["host"] or "",
            title=stored.get("title") or "",
        ).strip(),
        "case_date": stored["started_on"],
        "platform": stored["platform"] if stored["platform"] in PLATFORMS else None,
        # Numbers against target, then the review's facts: Top 5 and the biggest dip and what happened then.
        "background": _background(detail, lang) + "\n\n" + review.review_facts(engine, session_id, lang),
        "session_ids": (session_id,),
    }
