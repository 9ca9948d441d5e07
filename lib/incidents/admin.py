"""The admin's write workflows: the incident categories and the SLA table (validate -> write -> audit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update

from lib.core import clock, forms
from lib.core.dates import month_of
from lib.core.db import audit, write
from lib.core.effective import check_month
from lib.core.models import Incident, IncidentCategory, IncidentSla
from lib.incidents.model import SEVERITIES, IncidentError
from lib.incidents.queries import categories
from lib.incidents.rollup import incident_days, refresh_days


def save_categories(
    engine: Engine, rows: list[dict[str, Any]], username: str, token: str | None = None
) -> None:
    """Admin edit: rows {id (None = new), name, sort_order, active}. A rename renames logged incidents too."""
    names = [str(r.get("name") or "").strip() for r in rows]
    for pos, name in enumerate(names, start=1):
        if not name or len(name) > 64:
            raise IncidentError("bad_category_name", row=pos, value=name)
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise IncidentError("duplicate_category", value=dup)
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "incident_categories", username)
        existing = dict(conn.execute(select(IncidentCategory.id, IncidentCategory.name)).all())
        for row, name in zip(rows, names, strict=True):
            values = {
                "name": name,
                "sort_order": int(row.get("sort_order") or 0),
                "active": bool(row.get("active", True)),
            }
            row_id = row.get("id")
            if row_id is None or pd.isna(row_id) or int(row_id) not in existing:
                conn.execute(insert(IncidentCategory).values(**values))
                continue
            old = existing[int(row_id)]
            conn.execute(update(IncidentCategory).where(IncidentCategory.id == int(row_id)).values(**values))
            if old != name:  # the incidents' key and SLA change: their days' roll-ups are recomputed
                days = incident_days(conn, Incident.category.in_([old, name]))
                conn.execute(update(Incident).where(Incident.category == old).values(category=name))
                refresh_days(conn, days)
        audit(conn, username, "incident_categories_saved", count=len(rows))


def save_slas(
    engine: Engine,
    rows: list[dict[str, Any]],
    username: str,
    month_from: str | None = None,
    token: str | None = None,
) -> str:
    """Admin edit: a new SLA table in force from the first day of `month_from` (default this month; never a
    past month), so incidents detected before keep the SLA of their time. rows {category (None/'' = all),
    severity, *_minutes}. Saving the same month again replaces that month's table. Returns the month."""
    this_month = month_of(clock.today())
    month = check_month(month_from if month_from is not None else this_month, this_month)
    cats = {c["name"]: c["id"] for c in categories(engine, active_only=False)}
    seen: set[tuple[int | None, str]] = set()
    clean = []
    for pos, row in enumerate(rows, start=1):
        cat = row.get("category")
        cat = None if cat is None or (isinstance(cat, float) and pd.isna(cat)) or cat == "" else str(cat)
        if cat is not None and cat not in cats:
            raise IncidentError("unknown_category", row=pos, value=cat)
        sev = row.get("severity")
        if sev not in SEVERITIES:
            raise IncidentError("bad_severity", row=pos, value=sev)
        values: dict[str, Any] = {"category_id": cats.get(cat) if cat else None, "severity": sev}
        for col in ("respond_minutes", "resolve_minutes", "meeting_minutes"):
            v = row.get(col)
            v = None if v is None or pd.isna(v) else float(v)
            if v is not None and v <= 0:
                raise IncidentError("bad_minutes", row=pos, column=col, value=v)
            values[col] = v
        respond, resolve = values["respond_minutes"], values["resolve_minutes"]
        if respond is not None and resolve is not None and resolve < respond:
            # Resolving includes responding: a resolve limit under the response limit can never be met late.
            raise IncidentError(
                "resolve_before_respond",
                row=pos,
                value=f"{cat or '*'} / {sev}",
                respond=f"{respond:g}",
                resolve=f"{resolve:g}",
            )
        key = (values["category_id"], sev)
        if key in seen:
            raise IncidentError("duplicate_sla", row=pos, value=f"{cat or '*'} / {sev}")
        seen.add(key)
        clean.append(values)
    for sev in SEVERITIES:
        if (None, sev) not in seen:
            raise IncidentError("generic_sla_missing", value=sev)
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "incident_slas", username)
        _store_version(conn, clean, month)
        # Incidents are judged by the SLA table in force when detected: only the days from the month on
        # change their SLA met counts, recomputed here in the same transaction.
        start = dt.datetime.combine(dt.date.fromisoformat(f"{month}-01"), dt.time())
        refresh_days(conn, incident_days(conn, Incident.detected_at >= start))
        audit(conn, username, "incident_slas_saved", count=len(clean), month_from=month)
    return month


def _store_version(conn: Connection, rows: list[dict[str, Any]], month: str) -> None:
    """`rows` as the SLA table from the first day of `month` until the next stored table: the table in
    force then ends there; a table stored for that very month is replaced."""
    start = dt.datetime.combine(dt.date.fromisoformat(f"{month}-01"), dt.time())
    s = IncidentSla.__table__
    following = conn.execute(select(func.min(s.c.valid_from)).where(s.c.valid_from > start)).scalar()
    conn.execute(delete(s).where(s.c.valid_from == start))
    conn.execute(
        update(s)
        .where(s.c.valid_from < start, or_(s.c.valid_to.is_(None), s.c.valid_to > start))
        .values(valid_to=start)
    )
    for values in rows:
        conn.execute(insert(s).values(**values, valid_from=start, valid_to=following))
