"""Issue 20: the KPI page's tiles and ranking and the home page's figures (`overview --json`) read a period
target, where one is set for the figure's scope, with pacing; never scaled by the sessions held; elsewhere
the per-session target × sessions stays and says so."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import insert

from lib import cli, kpis, rollups
from lib import targets as tg
from lib.core.db import write
from lib.core.models import LiveSession

D, T = dt.date, dt.datetime
NOV_7 = T(2026, 11, 7, 8, 30)


def _gmv(sessions, until: dt.date, **match) -> float:
    return sum(
        s["gmv"]
        for s in sessions
        if s["start"][:10] <= until.isoformat() and all(s[k] == v for k, v in match.items())
    )


def _session(engine, day: dt.date, gmv: float, viewers: int = 1_000, host: str = "h") -> None:
    with write(engine) as conn:
        conn.execute(
            insert(LiveSession).values(
                platform="douyin",
                account="a",
                room="r",
                host_name=host,
                started_at=T.combine(day, dt.time(20)),
                started_on=day,
                gmv=gmv,
                viewers=viewers,
                buyers=10,
            )
        )
        rollups.refresh_days(conn, [day])  # written straight into the table: its roll-up too


def _pace(actual: float, target: float, days: int, now: dt.datetime) -> dict:
    """Plain pacing of a month starting on now's 1st: minutes gone, share reached, the rest per day left.
    The test clock runs on from its moment while the test runs: time gone is equal to within a minute."""
    start = T(now.year, now.month, 1)
    days_left = days - now.day + 1
    return {
        "time_share": pytest.approx(
            (now - start).total_seconds() / (days * 86_400), abs=60 / (days * 86_400)
        ),
        "target_share": pytest.approx(actual / target),
        "needed_per_day": pytest.approx((target - actual) / days_left),
    }


def test_kpi_tiles_read_the_month_target_with_pacing(engine, truth, clock_at):
    clock_at(NOV_7.isoformat())
    tg.set_period_target(engine, "boss", "gmv", "2026-11", "all", "", 3_000_000)
    filters = kpis.Filters(D(2026, 11, 1), D(2026, 11, 7))
    view = kpis.kpi_view(engine, filters)
    tiles = {t["metric"]: t for t in view.tiles}
    gmv = _gmv(truth["truth"], D(2026, 11, 7))
    target = tiles["gmv"]["target"]
    assert target["value"] == 3_000_000 and target["target_kind"] == "period"  # not 100,000 × sessions
    assert target["pacing"] == _pace(gmv, 3_000_000, 30, NOV_7)
    assert tiles["gmv"]["achievement"] == pytest.approx(gmv / 3_000_000)
    assert tiles["gmv"]["status"] == ("green" if gmv / 3e6 >= (6 * 24 + 8.5) / 720 else "red")
    viewers = tiles["viewers"]["target"]  # no period target for viewers: 5,000 per session × sessions
    assert viewers["target_kind"] == "per_session" and viewers["value"] == 5_000 * view.sessions
    caption = kpis.tile_caption(tiles["gmv"], "zh")
    assert caption.startswith("2026-11 月目标 ¥300万 · 完成进度") and "时间进度 21.2%" in caption
    assert "剩 24 天" in caption
    assert kpis.tile_caption(tiles["viewers"], "zh").startswith(f"单场目标 5,000 × {view.sessions} 场")
    # more sessions held: the period target stays; the per-session one grows with them
    for day in (2, 3, 4):
        _session(engine, D(2026, 11, day), 1_000)
    again = {t["metric"]: t for t in kpis.kpi_view(engine, filters).tiles}
    assert again["gmv"]["target"]["value"] == 3_000_000
    assert again["viewers"]["target"]["value"] == 5_000 * (view.sessions + 3)


def test_ranking_reads_each_rows_own_period_target(engine, truth, clock_at):
    clock_at(NOV_7.isoformat())
    lin = str(truth["people"]["林晓雨"])
    tg.set_period_target(engine, "boss", "gmv", "2026-11", "person", lin, 500_000)
    tg.set_period_target(engine, "boss", "gmv", "2026-11", "room", "一鸣数码", 2_000_000)
    filters = kpis.Filters(D(2026, 11, 1), D(2026, 11, 7))
    ranking = kpis.kpi_view(engine, filters, rank_by="host").ranking.set_index("group")
    lin_gmv = _gmv(truth["truth"], D(2026, 11, 7), host="林晓雨")
    row = ranking.loc["林晓雨"]
    assert row["target_kind"] == "period"
    assert row["gmv_achievement"] == pytest.approx(lin_gmv / 500_000)
    assert row["time_share"] == pytest.approx((6 * 24 + 8.5) / 720, abs=1e-4)
    assert row["needed_per_day"] == pytest.approx((500_000 - lin_gmv) / 24)
    assert row["status"] == ("green" if lin_gmv / 500_000 >= (6 * 24 + 8.5) / 720 else "red")
    other = ranking.loc["陈子墨"]
    assert other["target_kind"] == "per_session" and other["time_share"] != other["time_share"]  # NaN
    rooms = kpis.kpi_view(engine, filters, rank_by="room").ranking.set_index("group")
    assert rooms.loc["一鸣数码", "target_kind"] == "period"
    room_gmv = _gmv(truth["truth"], D(2026, 11, 7), room="一鸣数码")
    assert rooms.loc["一鸣数码", "gmv_achievement"] == pytest.approx(room_gmv / 2_000_000)
    assert rooms.loc["居家好物严选", "target_kind"] == "per_session"
    # a host on one platform is part of two totals: no period target there
    on_douyin = kpis.Filters(D(2026, 11, 1), D(2026, 11, 7), platform="douyin")
    narrowed = kpis.kpi_view(engine, on_douyin, rank_by="host").ranking
    assert "period" not in set(narrowed["target_kind"])
    # the ranking's export says which target applies, in words
    table = kpis.ranking_for_export(ranking.reset_index(), "host", "zh").set_index("主播")
    assert table.loc["林晓雨", "GMV 目标口径"] == "周期目标"
    assert table.loc["陈子墨", "GMV 目标口径"] == "单场目标 × 场次"
    assert table.loc["林晓雨", "状态"] == ("进度正常" if row["status"] == "green" else "落后于时间进度")


def test_filtered_tiles_resolve_the_filters_scope(engine, truth, clock_at):
    clock_at(NOV_7.isoformat())
    lin = str(truth["people"]["林晓雨"])
    tg.set_period_target(engine, "boss", "gmv", "2026-11", "person", lin, 500_000)
    tg.set_period_target(engine, "boss", "gmv", "2026-11", "all", "", 3_000_000)
    start, end = D(2026, 11, 1), D(2026, 11, 7)

    def target(**filters):
        tiles = {t["metric"]: t for t in kpis.kpi_view(engine, kpis.Filters(start, end, **filters)).tiles}
        return tiles["gmv"]["target"]

    assert target(host="林晓雨")["value"] == 500_000
    assert target(host="林晓雨", team="A组")["value"] == 500_000  # her own team repeats her scope
    assert target(host="林晓雨", platform="douyin")["target_kind"] == "per_session"
    assert target(team="A组")["target_kind"] == "per_session"  # no team target set
    assert target()["value"] == 3_000_000
    # not the month from its 1st: per-session targets only
    later = kpis.kpi_view(engine, kpis.Filters(D(2026, 11, 2), end)).tiles
    assert next(t for t in later if t["metric"] == "gmv")["target"]["target_kind"] == "per_session"


def test_overview_json_carries_target_kind_and_pacing(engine, capsys, clock_at):
    now = T(2026, 12, 7, 8, 30)
    clock_at(now.isoformat())
    for day, gmv in ((1, 120_000.0), (3, 80_000.0), (6, 200_000.0)):
        _session(engine, D(2026, 12, day), gmv)
    tg.set_period_target(engine, "boss", "gmv", "2026-12", "all", "", 3_100_000)
    tg.set_period_target(engine, "boss", "sessions", "2026-12", "all", "", 124)
    assert cli.main(["overview", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    start, end = D.fromisoformat(out["period"]["start"]), D.fromisoformat(out["period"]["end"])
    assert start == D(2026, 12, 1)
    until = min(now, T.combine(end + dt.timedelta(days=1), dt.time()))
    tiles = {t["metric"]: t for t in out["tiles"]}
    gmv = tiles["gmv"]
    assert gmv["actual"] == 400_000 and gmv["target"] == 3_100_000  # never 100,000 × 3 sessions
    assert gmv["target_kind"] == "period"
    assert gmv["pacing"] == _pace(400_000, 3_100_000, 31, until)
    assert gmv["status"] == (
        "green" if 400_000 / 3_100_000 >= (until - T(2026, 12, 1)) / dt.timedelta(days=31) else "red"
    )
    assert tiles["sessions"]["target_kind"] == "period" and tiles["sessions"]["target"] == 124
    assert tiles["sessions"]["pacing"] == _pace(3, 124, 31, until)
    assert tiles["viewers"]["target_kind"] == "per_session" and tiles["viewers"]["pacing"] is None
    assert tiles["viewers"]["target"] == 3 * 5_000
    # the home page's tile says the same as the JSON (one path: lib.targets words it)
    [tile] = [t for t in kpis.overview_tiles(engine, now) if t.metric == "gmv"]
    assert tile.detail["pacing"] == gmv["pacing"]
