"""AppTest of the scorecards page: managers see every table and any card with its source rows; staff see
only their own card and team score (another person's card URL shows nothing of it); admins edit
definitions and the promotion bar; managers enter monthly figures."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from lib import scorecards as sc
from lib.core import clock
from lib.core.db import write
from lib.core.models import ManualMetric, Person, ScorecardDefinition, User


def person_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Person.id).where(Person.name == name)).scalar_one()


def link(engine, username: str, name: str) -> int:
    pid = person_id(engine, name)
    with write(engine) as conn:
        conn.execute(update(User).where(User.username == username).values(person_id=pid))
    return pid


def page_text(at) -> str:
    """Everything the page shows as text, including table cells."""
    parts = [
        e.value
        for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "success", "error")
        for e in getattr(at, kind)
    ]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [str(s.options) for s in at.selectbox]
    return "\n".join(str(p) for p in parts)


def test_manager_sees_every_position_and_a_card_with_its_rows(imported, run_page):
    at = run_page(
        "scorecards", "manager", query={"month": "2026-10", "person": str(person_id(imported, "韩雪"))}
    )
    assert not at.exception
    subheaders = [s.value for s in at.subheader]
    for name in ("主播", "运营", "技术支持", "内容策划", "客服"):
        assert name in subheaders
    cs = next(
        df.value for df in at.dataframe if "韩雪" in set(df.value.get("姓名", [])) and "总分" in df.value
    )
    assert list(cs["姓名"]) == ["唐颖", "韩雪", "罗晨"] and list(cs["排名"]) == [1, 2, 3]
    assert list(cs["总分"]) == pytest.approx([109.75, 106.83, 90.89], abs=0.01)
    assert any("最佳协作小组" in s.value for s in at.success)
    text = page_text(at)
    assert "韩雪 · 2026-10 考核卡" in text
    manual = next(df.value for df in at.dataframe if "录入人" in df.value)
    assert set(manual["指标"]) == {"客服响应时长", "问题解决率", "客户满意度"}
    assert set(manual["来源文件"]) == {"manual_metrics_2026-10.csv"}
    # a host's card: the KPIs without data are named and the total is rescaled
    at.selectbox(key="sc_person").set_value(person_id(imported, "孙佳怡")).run()
    assert at.query_params["person"] == str(person_id(imported, "孙佳怡"))
    assert any("部分 KPI 无数据" in i.value or "所有 KPI 均无数据" in i.value for i in at.info)


def test_manager_month_with_sessions_shows_the_session_rows(imported, run_page):
    at = run_page(
        "scorecards", "manager", query={"month": "2026-11", "person": str(person_id(imported, "孙佳怡"))}
    )
    assert not at.exception
    sessions = next(df.value for df in at.dataframe if "开播时间" in df.value)
    assert len(sessions) == 7 and set(sessions["主播"]) == {"孙佳怡"}
    kpis = next(df.value for df in at.dataframe if "KPI" in df.value)
    assert list(kpis["KPI"]) == ["单场 GMV 达成率", "场观", "转化率", "互动率", "人均观看时长", "主播成长率"]
    assert "已封顶" in set(kpis["说明"])  # interaction rate 242 % of 70 %


def test_quarter_view_and_english(imported, run_page):
    english = run_page("scorecards", "manager", query={"month": "2026-11"}, lang="en")
    assert not english.exception and "Host" in [s.value for s in english.subheader]
    at = run_page("scorecards", "manager", query={"month": "2026-11"})
    at.radio(key="sc_mode").set_value("quarter").run()
    assert not at.exception
    at.selectbox(key="sc_quarter").set_value("2026-Q4").run()
    tables = [df.value for df in at.dataframe]
    cs = next(t for t in tables if "韩雪" in set(t.get("姓名", [])))
    assert cs.set_index("姓名").loc["韩雪", "季度得分"] == pytest.approx(106.83, abs=0.01)


def test_staff_sees_only_their_own_card(imported, run_page, users):
    pid = link(imported, users["staff"], "韩雪")
    at = run_page("scorecards", "staff", query={"month": "2026-10"})
    assert not at.exception
    text = page_text(at)
    assert "韩雪 · 2026-10 考核卡" in text and "A组" in text
    assert "唐颖" not in text and "罗晨" not in text  # no other person, no ranking table
    assert not any(s.value == "客服" for s in at.subheader)
    assert any(m.label.startswith("我的小组") for m in at.metric)
    assert pid


def test_staff_url_of_another_card_shows_no_data(imported, run_page, users):
    link(imported, users["staff"], "韩雪")
    other = person_id(imported, "唐颖")
    at = run_page("scorecards", "staff", query={"month": "2026-10", "person": str(other)})
    assert not at.exception
    assert any("只能查看自己的考核卡" in w.value for w in at.warning)
    text = page_text(at)
    assert "唐颖" not in text and "109.75" not in text
    assert "韩雪 · 2026-10 考核卡" in text  # their own card instead


def test_staff_without_person_sees_nothing(imported, run_page):
    at = run_page("scorecards", "staff", query={"month": "2026-10"})
    assert not at.exception
    assert any("尚未关联" in i.value for i in at.info)
    assert not at.dataframe and "韩雪" not in page_text(at)


@pytest.mark.one_database  # the role's wall, before any query: the same on every database
def test_logged_out_sees_no_data(imported, run_page):
    at = run_page("scorecards", None, query={"month": "2026-10"})
    assert not at.exception and not at.dataframe


def test_admin_saves_a_definition_and_bar(imported, run_page):
    at = run_page("scorecards", "admin", query={"month": "2026-10"})
    assert not at.exception
    this_month = clock.today().strftime("%Y-%m")
    at.selectbox(key="sc_def_pos").set_value("customer_service").run()
    picker = at.selectbox(key="sc_def_month")  # a month picked, never typed; a scored month is not offered
    assert picker.value == this_month and "2026-01" not in picker.options
    assert min(picker.options) == this_month
    at.number_input(key="sc_def_cap").set_value(110.0).run()
    at.button(key="sc_def_save").click().run()
    assert not at.exception and not at.error
    with imported.connect() as conn:
        rows = conn.execute(select(ScorecardDefinition.position_key, ScorecardDefinition.month_from)).all()
    assert rows == [("customer_service", this_month)]
    saved = sc.definition_for(sc.load_definitions(imported), "customer_service", this_month)
    assert saved.cap == pytest.approx(1.1) and saved.kpis == sc.DEFAULTS["customer_service"]
    # October keeps SPEC's definition (cap 120 %)
    assert sc.definition_for(sc.load_definitions(imported), "customer_service", "2026-10").cap == 1.2
    at.number_input(key="sc_bar").set_value(95.0).run()
    at.button(key="sc_bar_save").click().run()
    assert sc.promotion_bar(imported) == 95.0


@pytest.mark.one_database  # the role's wall, before any query: the same on every database
def test_manager_has_no_definition_editor(imported, run_page):
    at = run_page("scorecards", "manager", query={"month": "2026-10"})
    with pytest.raises(KeyError):
        at.button(key="sc_def_save")


def test_manager_enters_a_monthly_figure(imported, run_page):
    at = run_page("scorecards", "manager", query={"month": "2026-10"})
    pid = person_id(imported, "罗晨")
    at.selectbox(key="sc_manual_person").set_value(pid)
    at.selectbox(key="sc_manual_metric").set_value("cs_resolution_rate")
    at.number_input(key="sc_manual_value").set_value(250.0)
    submit = next(b for b in at.button if b.label == "保存")
    submit.click().run()
    assert any("超出范围" in e.value for e in at.error)

    def stored():
        with imported.connect() as conn:
            return conn.execute(
                select(ManualMetric.value, ManualMetric.import_batch_id).where(
                    ManualMetric.person_id == pid, ManualMetric.metric == "cs_resolution_rate"
                )
            ).one()

    value, batch = stored()
    assert value == pytest.approx(0.935) and batch is not None  # unchanged by the refused entry
    at.number_input(key="sc_manual_value").set_value(97.0)
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert stored() == (pytest.approx(0.97), None)  # now a manual entry, no longer the file's
    assert any("已保存" in s.value for s in at.success)


def test_position_tables_lead_with_who_is_where(imported, run_page):
    """Name, total, grade, rank and the change against last month first; the KPI columns on demand."""
    han = person_id(imported, "韩雪")
    with imported.connect() as conn:  # her October figures, 10 % lower in November
        october = conn.execute(
            select(ManualMetric.metric, ManualMetric.value).where(
                ManualMetric.person_id == han, ManualMetric.month == "2026-10"
            )
        ).all()
    assert october
    for metric, value in october:
        sc.save_manual_metric(imported, "t_manager", "2026-11", han, metric, value * 0.9)
    at = run_page("scorecards", "manager", query={"month": "2026-11"})
    assert not at.exception
    element = next(
        df for df in at.dataframe if "韩雪" in set(df.value.get("姓名", [])) and "总分" in df.value
    )
    assert list(element.proto.column_order) == ["姓名", "总分", "等级", "排名", "较上月", "小组"]
    assert list(element.value.columns[:6]) == ["姓名", "总分", "等级", "排名", "较上月", "小组"]
    now = {c.person: c.total for c in sc.score_month(imported, "2026-11", "customer_service")}
    before = {c.person: c.total for c in sc.score_month(imported, "2026-10", "customer_service")}
    rows = element.value.set_index("姓名")
    for name, total in now.items():
        expected = None if total is None or before.get(name) is None else round(total - before[name], 2)
        got = rows.loc[name, "较上月"]
        assert (got != got) if expected is None else got == pytest.approx(expected, abs=0.005)
    assert rows.loc["韩雪", "较上月"] < 0  # a real change is shown: her figures fell
    at.toggle(key="sc_detail").set_value(True).run()
    element = next(
        df for df in at.dataframe if "韩雪" in set(df.value.get("姓名", [])) and "总分" in df.value
    )
    assert list(element.proto.column_order) == []  # every column, KPI detail included
    assert any(" · 得分" in c for c in element.value.columns)
