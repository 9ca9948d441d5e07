"""Every setting by key: what is in force now (with its versions), and setting one by key — the one path the
settings page and `python -m lib.cli settings` share."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine

from lib import surveys
from lib.core import clock
from lib.core.dates import month_of
from lib.core.db import audit, set_setting, write
from lib.core.effective import SettingsError
from lib.settings.model import SPECS, claim, parse_int, spec
from lib.settings.versions import book, set_versioned


def check_zone(raw: object) -> str:
    name = str(raw if raw is not None else "").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError("bad_zone", field="team.timezone", value=name) from None
    return name


def set_timezone(engine: Engine, raw: object, actor: str, token: str | None = None) -> str:
    """The team's time zone, stored for every process (lib.core.clock reads it before LIVEOPS_TIMEZONE).
    Stored times are wall-clock times of the team and are not converted."""
    name = check_zone(raw)
    old = clock.zone_name()
    with write(engine) as conn:
        claim(conn, token, actor)
        set_setting(conn, clock.ZONE_SETTING, name)
        audit(conn, actor, "setting_set", key="team.timezone", value=name, old=old)
    clock.forget_stored_zone()
    return name


def set_value(engine: Engine, key: str, raw: object, actor: str, month_from: str | None = None) -> object:
    """Validate and store one setting by key (versioned ones from `month_from`, default this month)."""
    s = spec(key)
    if s.versioned:
        return set_versioned(engine, s.key, raw, actor, month_from)
    if month_from is not None:
        raise SettingsError("not_versioned", field=s.key, value=month_from)
    if s.kind == "zone":
        return set_timezone(engine, raw, actor)
    value = parse_int(s, raw)
    now = surveys.thresholds(engine)
    k, comment_k = (value, now.comment_k) if s.key == "surveys.k" else (now.k, value)
    surveys.set_thresholds(engine, k, comment_k, actor)  # the surveys' own rule: comment K never below K
    return value


def listing(engine: Engine) -> list[dict[str, Any]]:
    """Each setting: key, kind, unit, bounds, default, the value in force now, and for versioned ones every
    stored version (month_from, value, set_by, set_at)."""
    this_month = month_of(clock.today())
    versions = book(engine)
    now = surveys.thresholds(engine)
    current = {"team.timezone": clock.zone_name(), "surveys.k": now.k, "surveys.comment_k": now.comment_k}
    out = []
    for s in SPECS:
        item: dict[str, Any] = {
            "key": s.key,
            "kind": s.kind,
            "unit": s.unit,
            "versioned": s.versioned,
            "value": versions.value(s.key, this_month) if s.versioned else current[s.key],
            "default": s.default,
        }
        if s.kind == "int":
            item.update(min=s.lo, max=s.hi)
        if s.versioned:
            item["versions"] = [
                {"month_from": v.month_from, "value": v.value, "set_by": v.set_by, "set_at": v.set_at}
                for v in versions.versions.get(s.key, ())
            ]
        out.append(item)
    return out
