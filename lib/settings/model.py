"""The settings an admin changes (lib.settings): each one's kind, bounds and default, and the refusal.

Versioned settings (schedule tolerances, script due rules) are in force from a month: a figure of a period
uses the value in force then, so a change never rewrites a past month. The time zone and the survey
thresholds are not figures of a period and have one current value.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from lib.core import forms
from lib.core.effective import SettingsError
from lib.surveys import DEFAULT_COMMENT_K, DEFAULT_K, MIN_K


@dataclass(frozen=True)
class Spec:
    key: str
    kind: str  # int / zone
    default: int | None  # None: the zone's default is lib.core.clock's (LIVEOPS_TIMEZONE, ...)
    lo: int = 0
    hi: int = 0
    versioned: bool = False
    unit: str = ""  # minutes / days / responses


SPECS: tuple[Spec, ...] = (
    # Schedule tolerances (how a held session matches its plan, and when it was held as planned).
    Spec("plan.match_window_minutes", "int", 30, 1, 240, True, "minutes"),
    Spec("plan.on_time_minutes", "int", 10, 0, 240, True, "minutes"),
    Spec("plan.length_tolerance_minutes", "int", 15, 0, 600, True, "minutes"),
    # Script due rules (seed 000: draft one week before; seed 004: reviewed two days before).
    Spec("plan.draft_days_before", "int", 7, 1, 60, True, "days"),
    Spec("plan.review_days_before", "int", 2, 1, 60, True, "days"),
    Spec("plan.forecast_days_before", "int", 3, 1, 60, True, "days"),
    Spec("team.timezone", "zone", None),
    Spec("surveys.k", "int", DEFAULT_K, MIN_K, 1000, False, "responses"),
    Spec("surveys.comment_k", "int", DEFAULT_COMMENT_K, MIN_K, 1000, False, "responses"),
)
BY_KEY = {s.key: s for s in SPECS}
VERSIONED = tuple(s.key for s in SPECS if s.versioned)
# (smaller, larger): the first may not exceed the second in any month.
ORDERED = (
    ("plan.on_time_minutes", "plan.match_window_minutes"),
    ("plan.review_days_before", "plan.draft_days_before"),
)


def spec(key: str) -> Spec:
    found = BY_KEY.get(str(key).strip())
    if found is None:
        raise SettingsError("unknown_key", field=str(key), value=str(key))
    return found


def parse_int(s: Spec, raw: object) -> int:
    """A whole number within the setting's bounds, else a refusal naming the setting and the value."""
    text = str(raw if raw is not None else "").strip()
    try:
        number = float(text)
    except ValueError:
        raise SettingsError("not_whole", field=s.key, value=text) from None
    if number != number or number != int(number):
        raise SettingsError("not_whole", field=s.key, value=text)
    if not s.lo <= number <= s.hi:
        raise SettingsError("out_of_range", field=s.key, value=text, lo=s.lo, hi=s.hi)
    return int(number)


def claim(conn: Connection, token: str | None, actor: str) -> None:
    """The settings forms' write-once token (a resubmitted form writes nothing: forms.AlreadySubmitted)."""
    if token:
        forms.claim(conn, token, "settings", actor)
