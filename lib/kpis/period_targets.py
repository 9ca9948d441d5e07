"""Period targets on the KPI figures (tiles, ranking, home page): where a month's or quarter's total is set
for the figure's scope and the range is that period (to date or whole), the figure is read against it
with pacing instead of the per-session target × sessions held (lib.targets.period decides which applies
and computes the pacing; this module only maps the KPI filters and groups onto its scopes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from lib import targets as tg
from lib.kpis.queries import Filters, Roster


def _id(value: Any) -> str | None:
    return None if value is None or value != value else str(int(value))


def figure_scope(by: str, row: dict[str, Any], filters: Filters, roster: Roster) -> tuple[str, str] | None:
    """The period-target scope of one figure: the filters narrowed by the group `row` of `by` ("all": the
    filters' whole figure); None when no single scope's total is this figure."""
    team_id = roster.team_id(filters.team) if filters.team else None
    if filters.team and team_id is None:
        return None
    host_ids = roster.person_ids(filters.host) if filters.host else []
    person = str(host_ids[0]) if len(host_ids) == 1 else None
    platform, room, team, host_given = filters.platform, filters.room, _id(team_id), bool(filters.host)
    if by == "host":
        person, host_given = _id(row.get("person_id")), True
    elif by == "team":
        team = _id(row.get("team_id"))
        if team is None:
            return None  # hosts without a team
    elif by == "room":
        room = row.get("group")
    elif by == "platform":
        platform = row.get("group")
    elif by != "all":
        return None
    return tg.filter_scope(platform, room, team, person, host_given)


def with_period_targets(
    by: str,
    rows: Sequence[dict[str, Any]],
    filters: Filters,
    roster: Roster,
    periods: Sequence[tg.PeriodTargetRow],
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """Copies of `rows` whose period-target metrics (GMV, viewers, new followers, sessions) are read
    against the period target of their scope where one applies (replacing the per-session one in
    `targets`); the rows themselves are left as they are (red flags read per-session targets)."""
    if not periods:
        return list(rows)
    out = []
    for row in rows:
        scope = figure_scope(by, row, filters, roster)
        found = {}
        for key in tg.PERIOD_METRICS:
            target = tg.resolve_period(periods, key, filters.date_from, filters.date_to, scope)
            if target is not None:
                found[key] = tg.evaluate_period(target, row.get(key), filters.date_to, now)
        out.append({**row, "targets": {**row.get("targets", {}), **found}} if found else row)
    return out


def with_period_tiles(
    tiles: Sequence[dict[str, Any]],
    filters: Filters,
    roster: Roster,
    periods: Sequence[tg.PeriodTargetRow],
    now: dt.datetime,
    sessions: int,
) -> list[dict[str, Any]]:
    """The KPI page's tiles with period targets where they apply (target, achievement and status from the
    period target and its pacing)."""
    figures = {"sessions": sessions, **{tile["metric"]: tile["actual"] for tile in tiles}}
    [row] = with_period_targets("all", [figures], filters, roster, periods, now)
    out = []
    for tile in tiles:
        target = row.get("targets", {}).get(tile["metric"])
        if target is not None:
            tile = {
                **tile,
                "target": target,
                "achievement": target["achievement"],
                "status": target["status"],
            }
        out.append(tile)
    return out
