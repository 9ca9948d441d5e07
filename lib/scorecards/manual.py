"""The managers' monthly figures form: enter or correct one person's manual metric for a month
(validate -> write -> audit). The monthly file goes through lib.importing instead."""

from __future__ import annotations

from sqlalchemy import Engine, select

from lib.core import forms
from lib.core.db import audit, write
from lib.core.errors import CodedError
from lib.core.metrics import METRICS
from lib.core.models import ManualMetric, Person
from lib.scorecards.definitions import MANUAL_KPIS, MONTH_RE

# Plausible ranges of a manual value by unit (percentages are fractions here).
MANUAL_RANGES = {"pct": (0.0, 1.0), "score": (0.0, 5.0), "s": (0.0, 86_400.0)}


class ManualEntryError(CodedError):
    """A refused monthly figure; `code` is a key under scorecards.manual.error."""

    prefix = "scorecards.manual.error"


def save_manual_metric(
    engine: Engine,
    username: str,
    month: str,
    person_id: int,
    metric: str,
    value: float | None,
    token: str | None = None,
) -> None:
    """Enter or correct one monthly figure (percentages as fractions); refused with the field named.
    `token`: the form's write-once token (lib.core.forms)."""
    if not MONTH_RE.match(month or ""):
        raise ManualEntryError("month", value=month)
    if metric not in MANUAL_KPIS:
        raise ManualEntryError("metric", value=metric)
    low, high = MANUAL_RANGES.get(METRICS[metric].unit, (0.0, float("inf")))
    if value is None or not low <= float(value) <= high:
        raise ManualEntryError("value", value=value, low=low, high=high)
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "manual_metric", username)
        if conn.execute(select(Person.id).where(Person.id == person_id)).first() is None:
            raise ManualEntryError("person", value=person_id)
        t = ManualMetric.__table__
        existing = conn.execute(
            select(t.c.id, t.c.value).where(
                t.c.month == month, t.c.person_id == person_id, t.c.metric == metric
            )
        ).first()
        if existing is None:
            conn.execute(
                t.insert().values(
                    month=month, person_id=person_id, metric=metric, value=float(value), entered_by=username
                )
            )
        else:
            conn.execute(
                t.update()
                .where(t.c.id == existing.id)
                .values(value=float(value), entered_by=username, import_batch_id=None)
            )
        audit(
            conn,
            username,
            "manual_metric.set",
            month=month,
            person_id=person_id,
            metric=metric,
            value=float(value),
            before=None if existing is None else existing.value,
        )
