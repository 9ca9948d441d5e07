"""KPI aggregation in SQL against totals computed by hand from truth_*.json, filters, targets, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import pytest
from sqlalchemy import insert, select

from lib import kpis, rollups
from lib import targets as tg
from lib.cli import main
from lib.core.db import write
from lib.core.metrics import metrics_from_rows
from lib.core.models import LiveSession
from tests.kpis.truth_data import PLATFORM_KEYS, expected_totals

WEEK = kpis.Filters(dt.date(2026, 11, 2), dt.date(2026, 11, 8))
TEAMS = {"林晓雨": "A组", "陈子墨": "A组", "王欣然": "B组", "赵一鸣": "B组", "孙佳怡": "C组", "周俊杰": "C组"}


def assert_matches(got: list[dict], expected: dict[str, dict]) -> None:
    assert {g["group"] for g in got} == set(expected)
    for g in got:
        want = expected[g["group"]]
        for key, value in want.items():
            assert g[key] == pytest.approx(value, rel=1e-9), (g["group"], key)
        # not in the truth records: no data, never zero
        assert g["retention_rate"] is None and g["comment_reply_rate"] is None


@pytest.mark.parametrize(
    ("by", "key"),
    [
        ("host", lambda s: s["host"]),
        ("platform", lambda s: PLATFORM_KEYS[s["platform"]]),
        ("room", lambda s: s["room"]),
        ("team", lambda s: TEAMS[s["host"]]),
        ("day", lambda s: s["start"][:10]),
        ("week", lambda s: "2026-11-02"),
        ("month", lambda s: "2026-11-01"),
    ],
)
def test_groups_equal_truth_totals(engine, truth, by, key):
    got = [kpis.public(r) for r in kpis.group_rows(engine, WEEK, by)]
    assert_matches(got, expected_totals(truth["truth"], key))


def test_sessions_one_object_each(engine, truth):
    got = [kpis.public(r) for r in kpis.group_rows(engine, WEEK, "session")]
    assert len(got) == 30
    first = next(g for g in got if g["group"] == truth["sessions"]["xyjd2021-000001"])
    assert first["gmv"] == 99024.32 and first["viewers"] == 3314
    assert first["conversion_rate"] == pytest.approx(114 / 3314)
    assert first["duration_hours"] == pytest.approx(253 / 60)
    assert first["targets"]["duration_hours"]["status"] == "amber"  # 4.2 h against 2–4 h
    assert "new_followers" not in first["targets"]  # a monthly total says nothing about one session


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        ({"platform": "douyin"}, lambda s: s["platform"] == "抖音"),
        ({"host": "林晓雨"}, lambda s: s["host"] == "林晓雨"),
        ({"team": "B组"}, lambda s: TEAMS[s["host"]] == "B组"),
        ({"room": "居家好物严选"}, lambda s: s["room"] == "居家好物严选"),
        ({"room": "居家好物严选", "host": "周俊杰"}, lambda s: s["host"] == "周俊杰"),
        ({"platform": "taobao", "team": "A组"}, lambda s: False),
        ({"team": "Z组"}, lambda s: False),  # no such team: nothing, not everything
        ({"host": "无此人"}, lambda s: False),
    ],
)
def test_filters(engine, truth, filters, keep):
    got = [kpis.public(r) for r in kpis.group_rows(engine, WEEK._replace(**filters), "month")]
    wanted = [s for s in truth["truth"] if keep(s)]
    if not wanted:
        assert got == []
        return
    assert_matches(got, expected_totals(wanted, lambda s: "2026-11-01"))


def test_dates_inclusive_and_a_session_belongs_to_its_start_day(engine, truth):
    day = kpis.Filters(dt.date(2026, 11, 2), dt.date(2026, 11, 2))
    got = kpis.group_rows(engine, day, "day")
    starting = [s for s in truth["truth"] if s["start"].startswith("2026-11-02")]
    assert [r["sessions"] for r in got] == [len(starting)]  # includes 林晓雨's session ending after midnight
    assert got[0]["gmv"] == pytest.approx(sum(s["gmv"] for s in starting))


def test_sql_equals_python_reference_for_every_metric(engine, truth):
    """Mixed coverage: Douyin rows lose likes/shares (as Compass exports them), one row has no viewers."""
    with write(engine) as conn:
        conn.execute(
            LiveSession.__table__.update()
            .where(LiveSession.platform == "douyin")
            .values(likes=None, shares=None)
        )
        conn.execute(
            LiveSession.__table__.update()
            .where(LiveSession.id == truth["sessions"]["xyjd2021-000001"])
            .values(viewers=None, avg_watch_seconds=None)
        )
        rollups.rebuild_connection(conn)  # written straight into the table: roll-ups too
    rows = kpis.session_rows(engine, WEEK, kpis.load_roster(engine))
    by_host = defaultdict(list)
    for r in rows:
        by_host[r["host"]].append(r)
    for g in kpis.group_rows(engine, WEEK, "host"):
        want = metrics_from_rows(by_host[g["group"]])
        for key, value in want.items():
            assert g[key] == (pytest.approx(value) if value is not None else None), (g["group"], key)
    douyin = next(g for g in kpis.group_rows(engine, WEEK, "platform") if g["group"] == "douyin")
    assert douyin["interaction_rate"] is None and douyin["share_rate"] is None
    assert douyin["conversion_rate"] is not None


def test_no_data_is_null_not_zero(engine, truth):
    with write(engine) as conn:
        conn.execute(
            insert(LiveSession).values(
                platform="jd",
                account="jd_new",
                room="京东新店",
                host_name="新主播",
                started_at=dt.datetime(2026, 11, 4, 20),
                started_on=dt.date(2026, 11, 4),
                duration_minutes=150,
            )
        )
        rollups.rebuild_connection(conn)  # written straight into the table: roll-ups too
    team_a = kpis.load_roster(engine).team_id("A组")
    tg.set_target(engine, "t", "viewers", "team", str(team_a), "2026-11", "at_least", 1000)
    got = {r["group"]: kpis.public(r) for r in kpis.group_rows(engine, WEEK, "host")}
    assert got["林晓雨"]["targets"]["viewers"]["value"] == 3 * 1000  # team target reaches its host
    assert got["新主播"]["targets"]["viewers"]["value"] == 5000  # a host off the roster: whole team's
    teams = {r["group"]: kpis.public(r) for r in kpis.group_rows(engine, WEEK, "team")}
    assert teams[None]["sessions"] == 1 and teams["A组"]["targets"]["viewers"]["scope"] == "team"
    new = got["新主播"]
    assert new["sessions"] == 1 and new["duration_hours"] == 2.5
    assert new["gmv"] is None and new["viewers"] is None and new["conversion_rate"] is None
    assert new["targets"]["gmv"]["achievement"] is None and new["targets"]["gmv"]["status"] == "no_data"


def test_targets_in_groups_most_specific_wins(engine, truth):
    lin = truth["people"]["林晓雨"]
    tg.set_target(engine, "t", "gmv", "person", str(lin), "2026-11", "at_least", 50_000)
    tg.set_target(engine, "t", "conversion_rate", "platform", "kuaishou", "2026-01", "at_least", 0.05)
    hosts = {r["group"]: r for r in kpis.group_rows(engine, WEEK, "host")}
    assert hosts["林晓雨"]["targets"]["gmv"]["value"] == 3 * 50_000
    assert hosts["林晓雨"]["targets"]["gmv"]["scope"] == "person"
    assert hosts["陈子墨"]["targets"]["gmv"]["value"] == 5 * 100_000
    platforms = {r["group"]: r for r in kpis.group_rows(engine, WEEK, "platform")}
    ks = platforms["kuaishou"]
    assert ks["targets"]["conversion_rate"]["value"] == 0.05
    assert ks["targets"]["conversion_rate"]["achievement"] == pytest.approx(ks["conversion_rate"] / 0.05)
    assert platforms["douyin"]["targets"]["conversion_rate"]["value"] == 0.03
    # a host's month-long new-follower target scales to the 7 days of the week
    assert hosts["林晓雨"]["targets"]["new_followers"]["value"] == pytest.approx(5000 * 7 / 30)


def test_gmv_mom_against_same_days_last_month(engine, truth):
    lin = truth["people"]["林晓雨"]
    with write(engine) as conn:
        conn.execute(
            insert(LiveSession).values(
                platform="douyin",
                account="xyjd2021",
                room="小雨家电旗舰店",
                host_name="林晓雨",
                host_person_id=lin,
                started_at=dt.datetime(2026, 10, 5, 20),
                started_on=dt.date(2026, 10, 5),
                gmv=200_000,
                viewers=1000,
            )
        )
        rollups.rebuild_connection(conn)  # written straight into the table: roll-ups too
    hosts = {r["group"]: r for r in kpis.group_rows(engine, WEEK, "host")}
    lin_gmv = sum(s["gmv"] for s in truth["truth"] if s["host"] == "林晓雨")
    assert hosts["林晓雨"]["gmv_mom"] == pytest.approx((lin_gmv - 200_000) / 200_000)
    assert hosts["陈子墨"]["gmv_mom"] is None  # nothing last month: no data
    months = kpis.group_rows(engine, kpis.Filters(dt.date(2026, 10, 1), dt.date(2026, 11, 30)), "month")
    assert [m["group"] for m in months] == [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    total = sum(s["gmv"] for s in truth["truth"])
    assert months[1]["gmv_mom"] == pytest.approx((total - 200_000) / 200_000)


def test_cli_kpi_by_host_json(engine, truth, capsys):
    assert main(["kpi", "--from", "2026-11-02", "--to", "2026-11-08", "--by", "host", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert_matches(got, expected_totals(truth["truth"], lambda s: s["host"]))
    lin = next(g for g in got if g["group"] == "林晓雨")
    assert set(lin["targets"]["gmv"]) >= {"kind", "value", "achievement"}
    assert lin["targets"]["gmv"]["value"] == 300_000
    assert lin["targets"]["gmv"]["achievement"] == pytest.approx(lin["gmv"] / 300_000)
    assert lin["gmv_achievement"] == lin["targets"]["gmv"]["achievement"]
    assert lin["targets"]["duration_hours"]["kind"] == "between"
    assert (lin["targets"]["duration_hours"]["value"], lin["targets"]["duration_hours"]["value_high"]) == (
        2,
        4,
    )


def test_cli_filters_and_errors(engine, truth, capsys):
    assert (
        main(
            [
                "kpi",
                "--from",
                "2026-11-02",
                "--to",
                "2026-11-08",
                "--platform",
                "快手",
                "--by",
                "platform",
                "--json",
            ]
        )
        == 0
    )
    got = json.loads(capsys.readouterr().out)
    assert [g["group"] for g in got] == ["kuaishou"] and got[0]["sessions"] == 9
    assert main(["kpi", "--from", "2026-11-08", "--to", "2026-11-02", "--json"]) == 2
    assert "before" in capsys.readouterr().err
    assert main(["kpi", "--from", "2026-11-02", "--to", "2026-11-08", "--platform", "weibo", "--json"]) == 2
    assert "weibo" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["kpi", "--from", "2026-02-30", "--to", "2026-11-08"])


def test_kpi_view_tiles_funnel_durations_and_flags(engine, truth):
    view = kpis.kpi_view(engine, WEEK, "day", "host")
    tiles = {t["metric"]: t for t in view.tiles}
    total_gmv = sum(s["gmv"] for s in truth["truth"])
    assert view.sessions == 30
    assert tiles["gmv"]["actual"] == pytest.approx(total_gmv)
    assert tiles["gmv"]["target"]["value"] == 30 * 100_000
    assert tiles["gmv"]["achievement"] == pytest.approx(total_gmv / 3_000_000)
    assert tiles["duration_hours"]["status"] == "green"
    assert tiles["gmv_mom"]["actual"] is None and tiles["gmv_mom"]["status"] == "no_data"  # no October data
    # no exposure in the truth records: the funnel starts at viewers
    assert [s for s, _ in view.funnel] == ["viewers", "product_clicks", "buyers"]
    assert view.funnel[1][1] == sum(s["product_clicks"] for s in truth["truth"])
    assert view.durations["sessions"].sum() == 30
    in_band = sum(1 for s in truth["truth"] if 120 <= s["duration_minutes"] < 240)
    assert view.durations.query("2 <= hours_from < 4")["sessions"].sum() == in_band
    # 赵一鸣: 5 sessions, GMV ¥258,737.66 = 52 % of 5 × ¥100,000, under the 70 % rule
    assert {(f["group"], f["metric"], f["reason"]) for f in view.flags} == {
        ("赵一鸣", "gmv_per_session", "target")
    }
    assert list(view.ranking["group"])[0] == "陈子墨"  # highest GMV first


def test_red_flag_against_own_normal(engine, truth):
    lin = truth["people"]["林晓雨"]
    with write(engine) as conn:
        for day in (2, 4, 6, 8):  # a strong same week last month: 4 sessions of 400k GMV and 10k viewers
            conn.execute(
                insert(LiveSession).values(
                    platform="douyin",
                    account="xyjd2021",
                    room="小雨家电旗舰店",
                    host_name="林晓雨",
                    host_person_id=lin,
                    started_at=dt.datetime(2026, 10, day, 20),
                    started_on=dt.date(2026, 10, day),
                    gmv=400_000,
                    viewers=10_000,
                    buyers=500,
                )
            )
        rollups.rebuild_connection(conn)  # written straight into the table: roll-ups too
    view = kpis.kpi_view(engine, WEEK, "day", "host")
    flags = {(f["group"], f["metric"], f["reason"]) for f in view.flags}
    assert ("林晓雨", "gmv_per_session", "normal") in flags
    assert ("林晓雨", "viewers_per_session", "normal") in flags
    total = sum(s["gmv"] for s in truth["truth"])
    tiles = {t["metric"]: t for t in view.tiles}
    assert tiles["gmv_mom"]["actual"] == pytest.approx((total - 1_600_000) / 1_600_000)
    # A growth target is met by points above or below its rate, never by a ratio of rates.
    assert tiles["gmv_mom"]["achievement"] is None
    assert tiles["gmv_mom"]["target"]["gap"] == pytest.approx(tiles["gmv_mom"]["actual"] - 0.15)
    assert tiles["gmv_mom"]["status"] == ("green" if tiles["gmv_mom"]["actual"] >= 0.15 else "red")
    assert tiles["gmv"]["mom"] == tiles["gmv_mom"]["actual"]
    lin = view.ranking[view.ranking["group"] == "林晓雨"].iloc[0]
    lin_gmv = sum(s["gmv"] for s in truth["truth"] if s["host"] == "林晓雨")
    assert lin["gmv_mom"] == pytest.approx((lin_gmv - 1_600_000) / 1_600_000)


def test_a_host_adds_up_across_platform_nicknames(engine, truth):
    """The roster links a person to the nicknames platforms export: one host, one row."""
    lin = truth["people"]["林晓雨"]
    with write(engine) as conn:
        conn.execute(
            insert(LiveSession).values(
                platform="kuaishou",
                account="ks_xiaoyu",
                room="小雨快手店",
                host_name="小雨姐姐",
                host_person_id=lin,
                started_at=dt.datetime(2026, 11, 7, 20),
                started_on=dt.date(2026, 11, 7),
                gmv=1000.5,
                viewers=100,
            )
        )
        rollups.rebuild_connection(conn)  # written straight into the table: roll-ups too
    hosts = {r["group"]: r for r in kpis.group_rows(engine, WEEK, "host")}
    lin_truth = [s for s in truth["truth"] if s["host"] == "林晓雨"]
    assert "小雨姐姐" not in hosts
    assert hosts["林晓雨"]["sessions"] == len(lin_truth) + 1
    assert hosts["林晓雨"]["gmv"] == pytest.approx(sum(s["gmv"] for s in lin_truth) + 1000.5)
    assert kpis.filter_options(engine, WEEK.date_from, WEEK.date_to)["host"].count("林晓雨") == 1


def test_recent_sessions_latest_first(engine, truth):
    """The session picker: the latest sessions first by start time (then id), across days and within one."""
    with engine.connect() as conn:
        rows = conn.execute(select(LiveSession.id, LiveSession.started_at)).all()
    want = [r.id for r in sorted(rows, key=lambda r: (r.started_at, r.id), reverse=True)]
    assert len({r.started_at.date() for r in rows}) > 1 and len(rows) > 12
    assert [i for i, _label in kpis.recent_sessions(engine, 12)] == want[:12]
    assert [i for i, _label in kpis.recent_sessions(engine, 1000)] == want
