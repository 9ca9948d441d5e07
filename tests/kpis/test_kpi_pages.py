"""AppTest of the KPI, targets and session-detail pages: numbers, filters, shared links, access."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from sqlalchemy import insert, select

from lib.core.db import write
from lib.core.models import AuditLog, Case, CaseSession, Incident, Target
from lib.targets import load_targets, resolve

WEEK = {"preset": "custom", "from": "2026-11-02", "to": "2026-11-08"}


def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frame(at, column: str) -> pd.DataFrame:
    """The page's table with this column (the order of tables is layout, not meaning; AppTest does not
    see a read-only table's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def money(value: float, lang: str = "zh") -> str:
    """A money tile: on a Chinese screen from ¥1万 up in 万 to two decimals, trailing zeros dropped
    (issue 20: ¥316.35万); in English and below 1万 in full."""
    if lang == "en" or abs(value) < 10_000:
        return f"¥{value:,.0f}"
    return "¥" + f"{value / 10_000:.2f}".rstrip("0").rstrip(".") + "万"


def help_of(at, label: str) -> str:
    return next(m.proto.help for m in at.metric if m.label == label)


def test_kpi_page_shows_truth_totals(run_page, truth):
    at = run_page("kpis", "manager", query=WEEK)
    assert not at.exception
    total = sum(s["gmv"] for s in truth["truth"])
    viewers = sum(s["viewers"] for s in truth["truth"])
    buyers = sum(s["buyers"] for s in truth["truth"])
    got = tiles(at)
    assert got["成交金额"] == money(total)
    assert f"¥{total:,.0f}" in help_of(at, "成交金额")  # the exact figure behind ¥305.6万
    assert got["场观"] == money(viewers).removeprefix("¥")  # a count from 1万 up reads 万 too
    assert got["转化率"] == f"{buyers / viewers * 100:.1f}%"
    assert got["GMV 环比增长"] == "暂无数据"  # no October sessions: no data, not 0 %
    captions = [c.value for c in at.caption]
    assert f"单场目标 ¥10万 × 30 场 = ¥300万 · 达成 {total / 3_000_000 * 100:.1f}%" in captions
    assert any("2026-11-02 至 2026-11-08" in c and "30 场" in c for c in captions)
    table = frame(at, "查看")
    assert list(table["主播"])[:2] == ["陈子墨", "周俊杰"] and len(table) == 6
    flags = frame(at, "原因")
    assert flags.to_dict("records") == [
        {"主播": "赵一鸣", "原因": "单场 GMV ¥51,748，低于目标 ¥100,000 的 70%"}
    ]


def test_filters_change_the_numbers_and_the_url(run_page, truth):
    at = run_page("kpis", "manager", query=WEEK)
    at.selectbox(key="kpis_platform").set_value("kuaishou").run()
    assert not at.exception
    ks = [s for s in truth["truth"] if s["platform"] == "快手"]
    assert tiles(at)["成交金额"] == money(sum(s["gmv"] for s in ks))
    assert at.query_params["platform"] == "kuaishou"
    at.selectbox(key="kpis_host").set_value("王欣然").run()
    wang = [s for s in ks if s["host"] == "王欣然"]
    assert tiles(at)["成交金额"] == money(sum(s["gmv"] for s in wang))
    assert at.query_params["host"] == "王欣然"
    at.button_group(key="kpis_by").set_value("room").run()
    assert list(frame(at, "直播间")["直播间"]) == ["欣然厨房电器"]
    assert at.query_params["by"] == "room"


def test_shared_link_restores_the_view(run_page, truth):
    query = {**WEEK, "team": "A组", "gran": "week", "by": "platform", "metric": "conversion_rate"}
    at = run_page("kpis", "manager", query=query)
    assert not at.exception
    assert at.selectbox(key="kpis_preset").value == "custom"
    assert at.date_input(key="kpis_from").value == dt.date(2026, 11, 2)
    assert at.selectbox(key="kpis_team").value == "A组"
    assert at.button_group(key="kpis_gran").value == "week"
    assert at.button_group(key="kpis_by").value == "platform"
    assert at.selectbox(key="kpis_metric").value == "conversion_rate"
    team_a = [s for s in truth["truth"] if s["host"] in ("林晓雨", "陈子墨")]
    assert tiles(at)["成交金额"] == money(sum(s["gmv"] for s in team_a))
    assert dict(at.query_params) == query  # the URL keeps the view


def test_presets_and_bad_links(run_page, truth):
    at = run_page("kpis", "manager", query={"preset": "last_week", "platform": "weibo", "gran": "year"})
    assert not at.exception
    assert at.selectbox(key="kpis_platform").value == ""  # unknown platform ignored
    assert at.button_group(key="kpis_gran").value == "day"
    at = run_page("kpis", "manager", query={"preset": "custom", "from": "2026-11-08", "to": "2026-11-02"})
    assert at.error and "早于" in at.error[0].value
    at = run_page("kpis", "manager", query={"preset": "custom", "from": "2020-01-01", "to": "2020-01-31"})
    assert not at.exception and at.info and "没有直播场次" in at.info[0].value


def test_session_granularity_and_english(run_page, truth):
    at = run_page("kpis", "admin", query={**WEEK, "gran": "session"}, lang="en")
    assert not at.exception
    assert tiles(at)["GMV"] == money(sum(s["gmv"] for s in truth["truth"]), "en")
    assert "Ranking" in [s.value for s in at.subheader]
    links = frame(at, "Session detail")
    sid = truth["sessions"]["xyjd2021-000001"]
    assert f"session_detail?session={sid}" in set(links["Session detail"]) and len(links) == 30


def test_export_of_the_ranked_table_reads_back(engine, truth):
    from lib import kpis
    from lib.core import exports

    view = kpis.kpi_view(engine, kpis.Filters(dt.date(2026, 11, 2), dt.date(2026, 11, 8)), "day", "platform")
    frame = kpis.ranking_for_export(view.ranking, "platform", "zh")
    back = pd.read_excel(io.BytesIO(exports.to_xlsx_bytes({"排行": frame})), engine="openpyxl")
    assert list(back["平台"]) == ["抖音", "淘宝直播", "快手"]
    assert back["成交金额"].sum() == sum(s["gmv"] for s in truth["truth"])
    assert list(back["直播场次"]) == [14, 7, 9]
    csv = pd.read_csv(io.BytesIO(exports.to_csv_bytes(frame)), encoding="utf-8-sig")
    assert list(csv.columns) == list(frame.columns)


@pytest.mark.one_database  # the role's wall, before any query: the same on every database
def test_access(run_page, truth):
    # (staff open the review page of their own sessions: tests/review/test_review_staff.py)
    for page in ("targets", "kpis"):
        at = run_page(page, "staff", query=WEEK)
        assert at.error and at.error[0].value == "无权访问：您的账号角色不能查看此页面。"
        assert not at.metric and not at.dataframe
        at = run_page(page, None, query=WEEK)
        assert at.warning and not at.metric and not at.dataframe


def test_targets_page_sets_a_target_with_history(run_page, truth, engine):
    at = run_page("targets", "manager")
    assert not at.exception
    current = at.dataframe[0].value
    assert "2.0 小时 – 4.0 小时" in list(current["目标值"])  # durations in the reader's language
    at.selectbox(key="targets_metric").set_value("conversion_rate")
    at.selectbox(key="targets_scope_kind").set_value("platform").run()
    at.selectbox(key="targets_scope_value").set_value("douyin")
    at.selectbox(key="targets_month_from").set_value("2026-12")  # a month picked, never typed
    at.number_input(key="targets_value").set_value(5.0)
    at.button(key="targets_submit").click().run()
    assert not at.exception and at.success
    rows = load_targets(engine)
    new = resolve(rows, "conversion_rate", "2026-12", {"platform": "douyin"})
    assert (new.scope_kind, new.value, new.set_by) == ("platform", 0.05, "t_manager")
    assert resolve(rows, "conversion_rate", "2026-11", {"platform": "douyin"}).value == 0.03
    with engine.connect() as conn:
        assert conn.execute(
            select(AuditLog.username).where(AuditLog.action == "target.set")
        ).scalars().all() == ["t_manager"]


def test_targets_page_refuses_bad_between(run_page, truth, engine):
    at = run_page("targets", "admin")
    at.selectbox(key="targets_metric").set_value("duration_hours")
    at.selectbox(key="targets_kind").set_value("between").run()
    at.number_input(key="targets_value").set_value(4.0)
    at.number_input(key="targets_value_high").set_value(2.0)
    at.button(key="targets_submit").click().run()
    assert at.error and "上限" in at.error[0].value
    with engine.connect() as conn:
        assert len(conn.execute(select(Target.id).where(Target.metric == "duration_hours")).all()) == 1


def test_session_detail_fields_incidents_and_cases(run_page, truth, engine):
    sid = truth["sessions"]["jjhw888-000005"]
    with write(engine) as conn:
        conn.execute(
            insert(Incident).values(
                session_id=sid,
                category="网络中断",
                severity="complex",
                detected_at=dt.datetime(2026, 11, 2, 22, 3, 6),
                resolved_at=dt.datetime(2026, 11, 2, 22, 16, 8),
                handler_name="邓浩然",
                escalated=False,
            )
        )
        case_id = conn.execute(
            insert(Case).values(
                title="会员日复盘",
                case_date=dt.date(2026, 11, 3),
                author="t_manager",
                status="published",
                created_at=dt.datetime(2026, 11, 3),
                updated_at=dt.datetime(2026, 11, 3),
            )
        ).inserted_primary_key[0]
        conn.execute(insert(CaseSession).values(case_id=case_id, session_id=sid))
    at = run_page("session_detail", "manager", query={"session": str(sid)})
    assert not at.exception
    metrics, incidents, cases, fields = (d.value for d in at.dataframe)
    stored = dict(zip(fields["字段"], fields["值"], strict=True))  # the import's names, formatted values
    assert (stored["成交金额(元)"], stored["直播间"], stored["直播标题"]) == (
        "¥32,477",
        "居家好物严选",
        "会员日",
    )
    assert stored["平台"] == "抖音" and "external_id" not in stored and "id" not in stored
    row = metrics[metrics["指标"] == "成交金额"].iloc[0]
    assert (row["实际"], row["状态"]) == ("¥32,477", "未达标")
    assert list(incidents["问题类别"]) == ["网络中断"]  # the review page names its columns
    assert list(cases["标题"]) == ["会员日复盘"]
    fields_box = next(e for e in at.expander if e.label == "全部字段")
    assert not fields_box.proto.expanded  # 全部字段 stays closed until asked


def test_session_detail_no_data_sections_and_bad_id(run_page, truth):
    sid = truth["sessions"]["xyjd2021-000001"]
    at = run_page("session_detail", "manager", query={"session": str(sid)})
    infos = [i.value for i in at.info]
    assert "没有关联到本场的问题记录。" in infos and "没有案例引用本场。" in infos
    at = run_page("session_detail", "manager", query={"session": "abc"})
    assert at.error and "abc" in at.error[0].value
    at = run_page("session_detail", "manager", query={"session": "999999"})
    assert at.warning and "999999" in at.warning[0].value


def test_link_text_is_not_rendered_as_markdown(run_page, truth):
    at = run_page("session_detail", "manager", query={"session": "[x](http://evil.example)"})
    # shown as text: escaped, and `://` broken by an invisible word joiner so no auto-link can form
    assert at.error and "\\[x\\]\\(http\\:\u2060//evil\\.example\\)" in at.error[0].value


def test_rank_by_team_names_hosts_without_team(run_page, truth, engine):
    from lib import rollups
    from lib.core.models import LiveSession

    with write(engine) as conn:
        conn.execute(
            insert(LiveSession).values(
                platform="jd",
                account="jd_new",
                room="京东新店",
                host_name="新主播",
                started_at=dt.datetime(2026, 11, 4, 20),
                started_on=dt.date(2026, 11, 4),
                gmv=10.0,
            )
        )
        rollups.rebuild_connection(conn)  # written straight into the table: roll-ups too
    at = run_page("kpis", "manager", query={**WEEK, "by": "team"})
    assert not at.exception
    table = frame(at, "小组")
    assert set(table["小组"]) == {"A组", "B组", "C组", "（未分组）"}


def test_filters_fold_under_a_summary_of_what_they_apply(run_page, truth):
    at = run_page("kpis", "manager", query=WEEK)
    (box,) = [e for e in at.expander if "kpis_preset" in {w.key for w in e.selectbox}]
    assert box.label == "筛选：自定义 2026-11-02 – 2026-11-08 · 全部平台、直播间、小组和主播"
    assert not box.proto.expanded  # folded: the tiles come first
    at.selectbox(key="kpis_platform").set_value("kuaishou").run()
    at.selectbox(key="kpis_host").set_value("王欣然").run()
    (box,) = [e for e in at.expander if "kpis_preset" in {w.key for w in e.selectbox}]
    assert box.label == "筛选：自定义 2026-11-02 – 2026-11-08 · 快手 · 王欣然"
    at = run_page("kpis", "manager", query={**WEEK, "platform": "douyin"}, lang="en")
    (box,) = [e for e in at.expander if "kpis_preset" in {w.key for w in e.selectbox}]
    assert box.label == "Filters: Custom 2026-11-02 – 2026-11-08 · Douyin"


def test_a_ranking_row_opens_that_hosts_view(run_page, truth):
    """One tap on any cell of a row opens that row's view (issue 20: a link cell needed two taps on a
    phone); the tap is the table's cell selection, as the browser sends it."""
    at = run_page("kpis", "manager", query={**WEEK, "platform": "douyin"})
    table = frame(at, "查看")
    row = list(table["主播"]).index("林晓雨")
    at.session_state["kpis_table"] = {"selection": {"rows": [], "columns": [], "cells": [[row, "场观"]]}}
    at.run()
    assert not at.exception
    assert dict(at.query_params) == {
        **WEEK,
        "platform": "douyin",
        "host": "林晓雨",
        "by": "room",
        "gran": "day",
        "metric": "gmv",
    }
    lin = [s for s in truth["truth"] if s["host"] == "林晓雨" and s["platform"] == "抖音"]
    assert tiles(at)["成交金额"] == money(sum(s["gmv"] for s in lin))
    assert at.selectbox(key="kpis_host").value == "林晓雨"
    rooms = frame(at, "直播间")
    assert set(rooms["直播间"]) == {s["room"] for s in lin}
    assert rooms["直播场次"].sum() == len(lin)
