"""Issue 11 items 5 and 6: the home page's figures come from the KPI aggregation and the target resolver;
`overview --json` prints them; a growth target is met by points, not by a ratio of rates."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import insert

from lib import cli, kpis, rollups
from lib import targets as tg
from lib.core.db import write
from lib.core.models import LiveSession, Target
from lib.kpis import overview

D = dt.date
TODAY = dt.datetime(2026, 12, 1, 9)  # the default period is November


def _session(
    engine, day: dt.date, gmv: float | None, viewers: int | None, buyers: int | None, hour: int = 20
) -> None:
    with write(engine) as conn:
        conn.execute(
            insert(LiveSession).values(
                platform="douyin",
                account="a",
                room="r",
                host_name="h",
                started_at=dt.datetime.combine(day, dt.time(hour)),
                started_on=day,
                gmv=gmv,
                viewers=viewers,
                buyers=buyers,
            )
        )
        rollups.refresh_days(conn, [day])  # written straight into the table: its roll-up too


def _target(
    engine,
    metric: str,
    value: float,
    month_from: str = "2026-01",
    set_at: dt.datetime | None = None,
    scope_kind: str = "all",
    scope_value: str = "",
) -> None:
    with write(engine) as conn:
        conn.execute(
            insert(Target).values(
                metric=metric,
                scope_kind=scope_kind,
                scope_value=scope_value,
                month_from=month_from,
                kind="at_least",
                value=value,
                period="session",
                set_by="t",
                set_at=set_at or dt.datetime(2026, 1, 1),
            )
        )


def _tiles(engine, today: dt.datetime = TODAY) -> dict[str, overview.Tile]:
    return {t.metric: t for t in overview.overview_tiles(engine, today)}


def test_conversion_counts_only_sessions_with_both_inputs(engine):
    # Two sessions with buyers and viewers, three exported without 成交人数 (the November).
    _session(engine, D(2026, 11, 3), 10_000, 2_000, 60)
    _session(engine, D(2026, 11, 4), 20_000, 4_000, 135)
    for day in (5, 6, 7):
        _session(engine, D(2026, 11, day), 5_000, 3_000, None)
    tiles = _tiles(engine)
    assert tiles["conversion_rate"].actual == pytest.approx(195 / 6_000)  # not 195 / 15_000
    assert tiles["viewers"].actual == 15_000 and tiles["sessions"].actual == 5
    kpi = {t["metric"]: t for t in kpis.kpi_view(engine, kpis.Filters(D(2026, 11, 1), D(2026, 11, 30))).tiles}
    assert tiles["conversion_rate"].actual == kpi["conversion_rate"]["actual"]
    assert tiles["gmv"].actual == kpi["gmv"]["actual"] == 45_000


def test_targets_come_from_the_resolver(engine):
    for day in (3, 4):
        _session(engine, D(2026, 11, day), 30_000, 2_000, 40)
    _session(engine, D(2026, 10, 3), 40_000, 2_000, 40)
    # Two rows for the same month: the later one set wins, as on the KPI page.
    _target(engine, "gmv", 20_000, "2026-11", dt.datetime(2026, 11, 2))
    _target(engine, "gmv", 25_000, "2026-11", dt.datetime(2026, 11, 5))
    _target(engine, "gmv", 90_000, "2027-01")  # not yet in force
    _target(engine, "conversion_rate", 0.025)
    _target(
        engine, "viewers", 4_000, scope_kind="platform", scope_value="douyin"
    )  # not the home page's scope
    tiles = _tiles(engine)
    nov = kpis.Filters(D(2026, 11, 1), D(2026, 11, 30))
    row = kpis.period_figures(engine, nov, ("gmv", "viewers", "conversion_rate"))
    resolved = tg.resolve(tg.load_targets(engine), "gmv", "2026-11", {})
    assert resolved.value == 25_000
    assert tiles["gmv"].target == 2 * 25_000 == row["targets"]["gmv"]["value"]  # per session × sessions
    assert tiles["gmv"].achievement == pytest.approx(60_000 / 50_000)
    assert tiles["gmv"].status == "green"
    assert tiles["conversion_rate"].target == 0.025  # a rate is not scaled
    assert tiles["conversion_rate"].achievement == pytest.approx((80 / 4_000) / 0.025)
    # the seeded all-scope default (5,000 per session), not the douyin row: the home page is every platform
    assert tiles["viewers"].target == 2 * 5_000 == row["targets"]["viewers"]["value"]
    assert tiles["gmv"].previous == 40_000 and tiles["gmv"].change == pytest.approx(0.5)


def test_overview_command_prints_the_home_page_figures(engine, capsys):
    _session(engine, D(2026, 11, 3), 12_345.67, 2_000, 50)
    _session(engine, D(2026, 10, 9), 10_000, 1_000, None)
    _target(engine, "gmv", 10_000)
    assert cli.main(["overview", "--date", "2026-12-01", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["period"] == {
        "start": "2026-11-01",
        "end": "2026-11-30",
        "label": "kpis.period.previous_month_early",
        "start_at": "2026-11-01T00:00:00",
        "end_at": "2026-11-30T23:59:59",
        "previous_start": "2026-10-01T00:00:00",
        "previous_end": "2026-10-31T23:59:59",
    }
    tiles = {t["metric"]: t for t in out["tiles"]}
    assert list(tiles) == list(overview.TILE_METRICS)
    assert tiles["gmv"] == {
        "metric": "gmv",
        "actual": 12_345.67,
        "previous": 10_000,
        "change": pytest.approx(0.234567),
        "target": 10_000,
        "achievement": pytest.approx(1.234567),
        "status": "green",
        "gap": pytest.approx(2_345.67),
        "target_kind": "per_session",  # no period target: the per-session one × sessions held
        "pacing": None,
    }
    assert tiles["conversion_rate"]["previous"] is None  # October's only session has no buyers
    assert tiles["sessions"]["actual"] == 1 and tiles["sessions"]["previous"] == 1
    # The KPI command gives the same numbers for the same period.
    assert cli.main(["kpi", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "month", "--json"]) == 0
    [month] = json.loads(capsys.readouterr().out)
    assert (
        month["gmv"] == tiles["gmv"]["actual"]
        and month["conversion_rate"] == tiles["conversion_rate"]["actual"]
    )
    assert cli.main(["overview", "--date", "2026-12-09"]) == 0
    assert capsys.readouterr().out.startswith("2026-12-01 – 2026-12-09 (kpis.period.month_to_date)")
    with pytest.raises(SystemExit):
        cli.main(["overview", "--date", "12/01/2026"])


def test_daily_gmv_covers_the_period_and_the_month_before(engine):
    _session(engine, D(2026, 11, 3), 1_000, 10, 1)
    _session(engine, D(2026, 11, 3), 500, 10, 1, hour=10)
    _session(engine, D(2026, 10, 31), 700, 10, 1)
    _session(engine, D(2026, 12, 1), 900, 10, 1)  # today: not in the default period
    daily = overview.daily_gmv(engine, TODAY)
    assert list(zip(daily["month"], daily["day"], daily["gmv"], strict=True)) == [
        ("2026-10", 31, 700),
        ("2026-11", 3, 1_500),
    ]


# --- growth targets (item 6) -----------------------------------------------------------------------


def _growth(value: float, actual: float | None) -> dict:
    row = tg.TargetRow(
        1, "gmv_mom", "all", "", "2026-11", "at_least", value, None, "month", "t", dt.datetime(2026, 1, 1)
    )
    return tg.evaluate(row, actual, 10, 1.0)


def test_growth_target_is_met_by_points():
    ev = _growth(0.15, 0.686)
    assert ev["achievement"] is None  # never "达成 457.3 %"
    assert ev["gap"] == pytest.approx(0.536) and ev["status"] == "green"
    assert _growth(0.15, 0.14)["status"] == "amber"  # 1 point short of 15 %: within 10 % of it
    assert _growth(0.15, 0.12)["status"] == "red"
    assert _growth(0.15, -0.20)["status"] == "red"
    assert _growth(0.15, None)["status"] == "no_data"
    assert _growth(0.0, 0.0)["status"] == "green"


@pytest.mark.parametrize(
    ("actual", "lang", "text"),
    [
        (0.182, "zh", "目标 15.0%，高出 3.2 个百分点"),
        (0.10, "zh", "目标 15.0%，低于 5.0 个百分点"),
        (0.15, "zh", "目标 15.0%，恰好达到"),
        (0.182, "en", "Target 15.0%, 3.2 points above"),
    ],
)
def test_growth_tile_caption(actual, lang, text, monkeypatch):
    monkeypatch.setattr("lib.web.i18n.current_language", lambda: lang)
    target = _growth(0.15, actual)
    tile = {"metric": "gmv_mom", "actual": actual, "target": target, "achievement": target["achievement"]}
    assert kpis.tile_caption(tile, lang) == text
    assert kpis.met_text("gmv_mom", target, lang) == text.split("，" if lang == "zh" else ", ", 1)[1]


def test_other_tiles_keep_their_achievement(monkeypatch):
    monkeypatch.setattr("lib.web.i18n.current_language", lambda: "zh")
    row = tg.TargetRow(
        1, "gmv", "all", "", "2026-11", "at_least", 100_000, None, "session", "t", dt.datetime(2026, 1, 1)
    )
    target = tg.evaluate(row, 150_000, 1, 1.0)
    tile = {"metric": "gmv", "actual": 150_000, "target": target, "achievement": target["achievement"]}
    # it says which target applies: the per-session target times the sessions held (万 on a Chinese tile)
    assert kpis.tile_caption(tile, "zh") == "单场目标 ¥10万 × 1 场 = ¥10万 · 达成 150.0%"


def test_kpi_page_growth_tile_says_points(run_page, engine, clock_at):
    clock_at("2026-12-01T09:00")  # default period: November, against October
    _session(engine, D(2026, 10, 5), 100_000, 2_000, 40)
    _session(engine, D(2026, 11, 5), 118_200, 2_000, 40)  # +18.2 % against the seeded 15 % target
    at = run_page("kpis", "manager")
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "目标 15.0%，高出 3.2 个百分点" in captions
    assert not any("达成" in c and "15.0%" in c for c in captions)
