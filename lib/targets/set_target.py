"""Setting a target: validate -> one write (stale-edit check, insert) -> audit."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Connection, Engine, insert, select

from lib.core import forms
from lib.core.db import audit, bump_data_version, inserted_id, now, write
from lib.core.errors import CodedError
from lib.core.metrics import METRICS
from lib.core.models import Target
from lib.targets.resolve import KINDS, MONTH_RE, SCOPE_ORDER


class TargetError(CodedError):
    """Bad target input; `code` is an i18n key under kpis.target_error, `params` fill it."""

    prefix = "kpis.target_error"


def validate(
    metric: str,
    scope_kind: str,
    scope_value: str,
    month_from: str,
    kind: str,
    value: float | None,
    value_high: float | None,
) -> None:
    """Raise TargetError naming the bad field and value."""
    if metric not in METRICS:
        raise TargetError("metric", value=metric)
    if scope_kind not in SCOPE_ORDER:
        raise TargetError("scope", value=scope_kind)
    if scope_kind != "all" and not str(scope_value).strip():
        raise TargetError("scope_value", value=scope_kind)
    if not MONTH_RE.match(month_from or ""):
        raise TargetError("month", value=month_from)
    if kind not in KINDS:
        raise TargetError("kind", value=kind)
    if value is None:
        raise TargetError("value", value="")
    if kind == "between" and (value_high is None or value_high < value):
        raise TargetError("between", low=value, high=value_high)


def set_target(
    engine: Engine,
    username: str,
    metric: str,
    scope_kind: str,
    scope_value: str,
    month_from: str,
    kind: str,
    value: float | None,  # None (nothing typed) is refused by validate
    value_high: float | None = None,
    based_on: int | None | Literal["any"] = "any",
    token: str | None = None,
) -> int:
    """Add a target row (history kept: earlier months keep the value they had) and audit it. `based_on`:
    the latest row for this metric, scope and month when the form was filled (None: there was none); if
    another was set since, raise forms.StaleEdit naming it. `token`: the form's write-once token."""
    scope_value = "" if scope_kind == "all" else str(scope_value).strip()
    validate(metric, scope_kind, scope_value, month_from, kind, value, value_high)
    assert value is not None  # validate refuses None
    if kind != "between":
        value_high = None
    with write(engine) as conn:
        if token:
            forms.claim(conn, token, "target", username)
        if based_on != "any":
            check_not_stale(conn, metric, scope_kind, scope_value, month_from, based_on)
        inserted = conn.execute(
            insert(Target).values(
                metric=metric,
                scope_kind=scope_kind,
                scope_value=scope_value,
                month_from=month_from,
                kind=kind,
                value=float(value),
                value_high=value_high,
                period=METRICS[metric].target_period,
                set_by=username,
                set_at=now(),
            )
        )
        new_id = inserted_id(inserted)
        audit(
            conn,
            username,
            "target.set",
            id=new_id,
            metric=metric,
            scope_kind=scope_kind,
            scope_value=scope_value,
            month_from=month_from,
            kind=kind,
            value=value,
            value_high=value_high,
        )
    return int(new_id)


def check_not_stale(
    conn: Connection, metric: str, scope_kind: str, scope_value: str, month_from: str, based_on: int | None
) -> None:
    """Raise forms.StaleEdit when the latest row for this key is not `based_on` (set by someone since)."""
    bump_data_version(conn)  # first: its row lock orders concurrent setters, so this read is current
    key = (
        Target.metric == metric,
        Target.scope_kind == scope_kind,
        Target.scope_value == scope_value,
        Target.month_from == month_from,
    )
    latest = conn.execute(
        select(Target.id, Target.set_by, Target.set_at).where(*key).order_by(Target.id.desc()).limit(1)
    ).first()
    if latest is not None and latest.id != based_on:
        raise forms.StaleEdit(latest.set_by, latest.set_at)
