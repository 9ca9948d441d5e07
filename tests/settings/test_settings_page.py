"""The settings page (AppTest): admins see and change every section; managers and staff are refused and
shown none of it; a refused value shows its message and stores nothing; a second tap writes once."""

import datetime as dt

import pytest
import sqlalchemy as sa

from lib import incidents as inc
from lib import plan, settings
from lib.core.i18n import translate
from lib.core.models import AuditLog, SettingValue


def _errors(at):
    return [e.value.replace("\\", "") for e in at.error]  # without the Markdown escapes of typed values


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_refused_for_managers_and_staff(run_page, role):
    at = run_page("settings", role)
    assert not at.exception
    assert translate("auth.no_access", "zh") in [e.value for e in at.error] + [w.value for w in at.warning]
    assert not at.tabs and not at.dataframe and not at.button


def test_admin_sees_every_section(run_page):
    at = run_page("settings", "admin")
    assert not at.exception
    assert [tab.label for tab in at.tabs] == [
        "部门 · 团队 · 岗位",
        "问题类型与 SLA",
        "排期规则",
        "时区与问卷",
        "变更记录",
    ]
    shown = at.dataframe[2].value  # positions
    assert "数据分析" in shown["中文名称"].tolist()
    assert (
        at.number_input(key="set_plan_match_window_minutes_" + at.selectbox(key="set_plan_month").value).value
        == 30
    )


def test_admin_renames_a_department_once(engine, run_page):
    at = run_page("settings", "admin")
    depts = {r["name"]: r["id"] for r in settings.named_rows(engine, "department")}
    at.selectbox(key="set_department_ren_pick").set_value(depts["客服部"])
    at.text_input(key="set_department_ren_name").input("客户服务部")
    at.button(key="set_department_ren_go").click().run()
    assert not at.exception and not _errors(at)
    assert "客户服务部" in [r["name"] for r in settings.named_rows(engine, "department")]
    assert any("已改名为：客户服务部" in s.value for s in at.success)
    assert not [b for b in at.button if b.key == "set_department_ren_go"]  # closed: a late tap finds nothing


def test_admin_saves_plan_rules_from_a_month(engine, run_page, clock_at):
    clock_at("2026-12-10T12:00")
    at = run_page("settings", "admin")
    at.selectbox(key="set_plan_month").set_value("2027-01").run()
    at.number_input(key="set_plan_on_time_minutes_2027-01").set_value(12)
    at.button(key="set_plan_go").click().run()
    assert not at.exception and not _errors(at)
    book = plan.rules(engine)
    assert book.at(dt.date(2026, 12, 31)).on_time.seconds == 600  # December unchanged
    assert book.at(dt.date(2027, 1, 1)).on_time.seconds == 720


def test_admin_bad_plan_rule_shows_the_field_and_stores_nothing(engine, run_page, clock_at):
    clock_at("2026-12-10T12:00")
    at = run_page("settings", "admin")
    at.number_input(key="set_plan_review_days_before_2026-12").set_value(9)  # after the 7-day draft
    at.button(key="set_plan_go").click().run()
    assert not at.exception
    assert _errors(at) == [
        "脚本审核截止（开播前天数）（9）不能大于 脚本初稿截止（开播前天数）（7），2026-12 起。"
    ]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SettingValue)).scalar() == 0
        assert conn.execute(sa.select(AuditLog.action).where(AuditLog.action == "setting_set")).all() == []


def test_admin_saves_the_sla_table_as_a_new_version(engine, run_page, clock_at):
    clock_at("2026-12-10T12:00")
    at = run_page("settings", "admin")
    at.button(key="set_save_slas").click().run()  # the unchanged table, from this month
    assert not at.exception and not _errors(at)
    assert [b for _a, b in inc.sla_versions(engine)][-1] is None and len(inc.sla_versions(engine)) == 2


def test_incidents_page_has_no_second_sla_editor(run_page):
    at = run_page("incidents", "admin")
    assert not at.exception and not at.expander
    assert not [b for b in at.button if b.key in ("adm_save_slas", "adm_save_categories")]
