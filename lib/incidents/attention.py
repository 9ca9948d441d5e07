"""What needs attention now (the home page): incidents still open and SLA breaches still lacking a reason,
over the incident report's default period, counted in SQL with the newest few named. The report's lists
("open incidents", "breaches without a reason") show the same incidents for the same period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, or_, select

from lib.core.bounds import parse_date
from lib.incidents.model import ReportFilter
from lib.incidents.sql import IncidentQuery, dialect_of

REPORT_DAYS = 30  # the report opens on the last REPORT_DAYS days (today included)
SHOWN = 3  # incidents named per list on the home page


@dataclass(frozen=True)
class Attention:
    date_from: dt.date
    date_to: dt.date
    open_count: int
    open_items: tuple[dict[str, Any], ...]  # id, category, severity, room, detected_at (oldest first)
    unexplained_count: int  # resolved over their SLA without a reason
    unexplained_items: tuple[dict[str, Any], ...]  # newest first

    @property
    def total(self) -> int:
        return self.open_count + self.unexplained_count


def report_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The incident report's default period: the last REPORT_DAYS days up to today."""
    return today - dt.timedelta(days=REPORT_DAYS - 1), today


def period_link(date_from: dt.date, date_to: dt.date) -> dict[str, str]:
    """The report's query string for a period (what linked_period reads)."""
    return {"from": date_from.isoformat(), "to": date_to.isoformat()}


def linked_period(params: Mapping[str, str], today: dt.date) -> tuple[dt.date, dt.date]:
    """The period a link asks the report for (`from`, `to`), else the default one."""
    start, end = parse_date(params.get("from")), parse_date(params.get("to"))
    if start is None or end is None or end < start:
        return report_period(today)
    return start, end


def attention(engine: Engine, today: dt.date, shown: int = SHOWN) -> Attention:
    """Open incidents and breaches without a reason detected in report_period(today)."""
    date_from, date_to = report_period(today)
    q = IncidentQuery(dialect_of(engine))
    where = q.where(ReportFilter(date_from, date_to))
    no_reason = or_(q.i.c.overtime_reason.is_(None), q.i.c.overtime_reason == "")
    lists: dict[str, tuple[list[Any], list[Any]]] = {
        "open": ([~q.is_resolved], [q.i.c.detected_at, q.i.c.id]),  # the oldest has waited longest
        "unexplained": ([q.breach == 1, no_reason], [q.i.c.detected_at.desc(), q.i.c.id.desc()]),
    }
    cols = (q.i.c.id, q.i.c.category, q.i.c.severity, q.i.c.room, q.i.c.detected_at)
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for name, (conds, order) in lists.items():
            both: list[ColumnElement] = [*where, *conds]
            out[f"{name}_count"] = int(
                conn.execute(select(func.count()).select_from(q.source).where(*both)).scalar_one()
            )
            rows = conn.execute(
                select(*cols).select_from(q.source).where(*both).order_by(*order).limit(shown)
            )
            out[f"{name}_items"] = tuple(dict(r._mapping) for r in rows)
    return Attention(date_from, date_to, **out)
