"""Planning vocabulary: a planned session's input, its validation, and the documented tolerances.

Times are naive wall-clock times of the team's zone (lib.core.clock), like every stored time.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal, overload

from lib.core.errors import CodedError
from lib.core.platforms import PLATFORM_NAMES, PLATFORMS

# The tolerances and script due rules are settings in force from a month: lib.plan.rules.
MAX_MINUTES = 24 * 60
STATUSES = ("planned", "cancelled")
TEXT_LIMITS = {
    "account": 128,
    "host_name": 64,
    "theme": 255,
    "products": 1000,
    "ops_owner": 64,
    "content_owner": 64,
    "floor_manager": 64,
}
MAX_FORECAST = 1e12


class PlanError(CodedError):
    """A refused schedule entry; `params` name the field and value (and the clash it would make)."""

    prefix: ClassVar[str] = "plan.error"


@dataclass(frozen=True)
class PlanInput:
    platform: str
    account: str
    host_name: str
    starts_at: dt.datetime
    minutes: int
    theme: str | None = None
    products: str | None = None
    ops_owner: str | None = None
    content_owner: str | None = None
    floor_manager: str | None = None
    forecast_gmv: float | None = None
    forecast_viewers: int | None = None

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)

    def as_row(self) -> dict[str, Any]:
        row = {f.name: getattr(self, f.name) for f in fields(self)}
        row["ends_at"] = self.ends_at
        return row


# A planned session's own fields (what a form or a file row gives, what an edit may change), in one place.
PLAN_FIELDS = tuple(f.name for f in fields(PlanInput))
# The fields a schedule file's cells give as they are (its date, start and end or length make starts_at
# and minutes).
FILE_FIELDS = tuple(f for f in PLAN_FIELDS if f not in ("starts_at", "minutes"))


def _text(raw: Any) -> str | None:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    text = " ".join(str(raw).split())
    return text or None


def platform_key(raw: Any) -> str:
    text = _text(raw)
    key = PLATFORM_NAMES.get(text.lower() if text else "")
    if key not in PLATFORMS:
        raise PlanError("platform", field="platform", value=text or "")
    return key


@overload
def _number(raw: Any, name: str, integer: Literal[True]) -> int | None: ...
@overload
def _number(raw: Any, name: str, integer: Literal[False]) -> float | None: ...
def _number(raw: Any, name: str, integer: bool) -> float | int | None:
    text = _text(raw)
    if text is None:
        return None
    try:
        value = float(text.replace(",", "").replace("，", ""))
    except ValueError:
        raise PlanError("number", field=name, value=text) from None
    if not math.isfinite(value) or value < 0 or value > MAX_FORECAST:
        raise PlanError("number", field=name, value=text)
    return int(round(value)) if integer else round(value, 2)


def _start(raw: Any) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        return raw.replace(tzinfo=None, second=0, microsecond=0)
    text = _text(raw)
    try:
        return dt.datetime.fromisoformat(text or "").replace(tzinfo=None, second=0, microsecond=0)
    except ValueError:
        raise PlanError("start", field="starts_at", value=text or "") from None


def _minutes(raw: Any) -> int:
    text = _text(raw)
    try:
        value = float(text or "")
    except ValueError:
        raise PlanError("minutes", field="minutes", value=text or "", max=MAX_MINUTES) from None
    if not math.isfinite(value) or value != int(value) or not 1 <= value <= MAX_MINUTES:
        raise PlanError("minutes", field="minutes", value=text or "", max=MAX_MINUTES)
    return int(value)


def _texts(raw: dict[str, Any]) -> tuple[str, str, dict[str, str | None]]:
    """The account and host (both required), then the other texts by field."""
    out: dict[str, str | None] = {}
    for name, limit in TEXT_LIMITS.items():
        value = _text(raw.get(name))
        if value is not None and len(value) > limit:
            raise PlanError("too_long", field=name, value=value[:20] + "…", max=limit)
        out[name] = value
    account, host_name = out.pop("account"), out.pop("host_name")
    if account is None:
        raise PlanError("required", field="account", value="")
    if host_name is None:
        raise PlanError("required", field="host_name", value="")
    return account, host_name, out


def validate(raw: dict[str, Any]) -> PlanInput:
    """A PlanInput from what a form or a file row gave (strings or typed values); PlanError names the
    first field that is wrong."""
    platform = platform_key(raw.get("platform"))
    account, host_name, texts = _texts(raw)
    return PlanInput(
        platform=platform,
        account=account,
        host_name=host_name,
        starts_at=_start(raw.get("starts_at")),
        minutes=_minutes(raw.get("minutes")),
        forecast_gmv=_number(raw.get("forecast_gmv"), "forecast_gmv", integer=False),
        forecast_viewers=_number(raw.get("forecast_viewers"), "forecast_viewers", integer=True),
        **texts,
    )


def script_due(starts_at: dt.datetime, days_before: int) -> dt.datetime:
    """The moment a script is due: the end of the day `days_before` days before the session's day."""
    day = starts_at.date() - dt.timedelta(days=days_before - 1)
    return dt.datetime.combine(day, dt.time())
