"""Period targets: a month's (or quarter's) total for a scope, which one applies to a filter, and pacing.

A period target is a total to reach over the whole period (a room's GMV in December). It is never scaled
by the sessions held: fewer sessions do not lower it. It is read with pacing (SPEC "Comparisons and
targets"): 时间进度, the share of the period gone by the team's clock, against 完成进度, the share of the
target reached, and what is still needed per remaining day. Pure functions: the caller passes the moment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from lib.core.dates import month_bounds, month_end, month_of, quarter_month_keys, quarter_of

PERIOD_METRICS = ("gmv", "viewers", "new_followers", "sessions")  # totals a manager sets per period
PERIOD_SCOPES = ("all", "platform", "room", "team", "person")  # person: a host (people.id)
PERIOD_RE = re.compile(r"^\d{4}-((0[1-9]|1[0-2])|Q[1-4])$")  # YYYY-MM or YYYY-Qn


@dataclass(frozen=True)
class PeriodTargetRow:
    id: int
    metric: str
    period: str
    scope_kind: str
    scope_value: str
    value: float
    set_by: str | None
    set_at: dt.datetime
    version: int


@dataclass(frozen=True)
class Pacing:
    time_share: float  # 时间进度: share of the period gone, 0..1
    target_share: float  # 完成进度: actual / target (above 1 when exceeded)
    needed_per_day: float | None  # what is still missing / days left; None once the period is over
    days_left: int  # calendar days left, today included while it is not over
    status: str  # green: at or ahead of pace; red: behind


def is_quarter(period: str) -> bool:
    return "-Q" in period


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a YYYY-MM month or a YYYY-Qn quarter (the caller validates the text)."""
    if is_quarter(period):
        months = quarter_month_keys(int(period[:4]), int(period[-1]))
        return month_bounds(months[0])[0], month_bounds(months[2])[1]
    return month_bounds(period)


def periods_of_range(date_from: dt.date, date_to: dt.date) -> list[str]:
    """The periods whose target a date range is read against, preferred first: the month when the range
    starts on a month's 1st and stays in it, then the quarter when it starts on a quarter's first day and
    stays in it. Any other range has none (per-session targets still apply to it)."""
    out: list[str] = []
    if date_to < date_from:
        return out
    if date_from.day == 1 and date_to <= month_end(date_from):
        out.append(month_of(date_from))
    quarter = quarter_of(month_of(date_from))
    q_start, q_end = period_bounds(quarter)
    if date_from == q_start and date_to <= q_end:
        out.append(quarter)
    return out


def filter_scope(
    platform: str | None, room: str | None, team_id: str | None, person_id: str | None, host_given: bool
) -> tuple[str, str] | None:
    """The one scope whose period total a filtered figure is: a host (a team filter beside it only repeats
    the host's team), a room (its platform likewise), a team, a platform, or the whole team. A figure
    narrowed two ways (a host in one room, a team on one platform) is part of two totals and of no period
    target: None. `host_given` with no `person_id`: a host off the roster, who has no target."""
    if host_given:
        return ("person", person_id) if person_id and not platform and not room else None
    if room:
        return None if team_id else ("room", room)
    if team_id:
        return None if platform else ("team", team_id)
    if platform:
        return ("platform", platform)
    return ("all", "")


def resolve_period(
    rows: Iterable[PeriodTargetRow],
    metric: str,
    date_from: dt.date,
    date_to: dt.date,
    scope: tuple[str, str] | None,
) -> PeriodTargetRow | None:
    """The period target of `metric` for a figure over date_from..date_to in `scope`, or None."""
    if scope is None or metric not in PERIOD_METRICS:
        return None
    candidates = [r for r in rows if r.metric == metric and (r.scope_kind, r.scope_value) == scope]
    for period in periods_of_range(date_from, date_to):
        found = [r for r in candidates if r.period == period]
        if found:
            return max(found, key=lambda r: r.id)
    return None


def until_of(date_to: dt.date, now: dt.datetime) -> dt.datetime:
    """The moment a figure over a range ending `date_to` stands at: now, or the end of date_to if earlier."""
    return min(now, dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))


def pacing(actual: float | None, target: float, start: dt.date, end: dt.date, until: dt.datetime) -> Pacing:
    """Pacing of `actual` (None: nothing yet) against a period total `target` over start..end (whole
    days) at the moment `until`."""
    begin = dt.datetime.combine(start, dt.time())
    stop = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    moment = min(max(until, begin), stop)
    time_share = (moment - begin) / (stop - begin)
    done = float(actual or 0.0)
    target_share = done / target if target else 0.0
    days_left = (stop.date() - moment.date()).days
    needed = None if days_left <= 0 else max(0.0, target - done) / days_left
    status = "green" if target_share >= time_share else "red"
    return Pacing(time_share, target_share, needed, days_left, status)


def evaluate_period(
    row: PeriodTargetRow, actual: float | None, date_to: dt.date, now: dt.datetime
) -> dict[str, object]:
    """The JSON-friendly view of a period target against a figure over a range ending `date_to`, read
    at `now`; the same keys as lib.targets.evaluate plus `target_kind`, `period` and `pacing`."""
    start, end = period_bounds(row.period)
    pace = pacing(actual, row.value, start, end, until_of(date_to, now))
    return {
        "kind": "at_least",
        "value": row.value,
        "value_high": None,
        "scope": row.scope_kind,
        "achievement": pace.target_share,
        "gap": float(actual or 0.0) - row.value,
        "growth": False,
        "status": pace.status,
        "target_kind": "period",
        "period": row.period,
        "pacing": {
            "time_share": pace.time_share,
            "target_share": pace.target_share,
            "needed_per_day": pace.needed_per_day,
        },
        "days_left": pace.days_left,
    }
