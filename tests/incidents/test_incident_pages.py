"""AppTest of the logging form (defaults, refusals, update, admin section) and the report's filters."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lib.core.db import now
from lib.core.models import Incident
from tests.incidents.incidents_testdata import T0, add, known_rows


def stored(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(Incident).order_by(Incident.id)).mappings()]


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def test_log_open_incident_then_resolve(engine, run_page):
    at = run_page("incidents", "staff")
    assert not at.exception
    assert at.datetime_input(key="inc_responded").value is None
    assert at.datetime_input(key="inc_resolved").value is None
    at.selectbox(key="inc_category").set_value("设备故障")
    start = now().replace(second=0) - dt.timedelta(minutes=10)
    at.datetime_input(key="inc_detected").set_value(start)
    at.datetime_input(key="inc_responded").set_value(start)
    at.text_area(key="inc_description").input("声卡无声")
    at.button(key="inc_save").click().run()
    assert not at.exception and not errors(at)
    (row,) = stored(engine)
    assert (row["category"], row["severity"], row["description"]) == ("设备故障", "simple", "声卡无声")
    assert row["resolved_at"] is None and row["responded_at"] == row["detected_at"]
    assert row["created_by"] == "t_staff"
    assert "#" in at.success[0].value
    # Update tab: resolve it now (within 5 minutes of detection, so no reason is needed).
    at.datetime_input(key=f"upd_resolved_{row['id']}").set_value(row["detected_at"] + dt.timedelta(minutes=3))
    at.button(key="upd_save").click().run()
    assert not at.exception and not errors(at)
    assert stored(engine)[0]["resolved_at"] == row["detected_at"] + dt.timedelta(minutes=3)


def test_form_refuses_out_of_order_and_missing_reason(engine, run_page):
    at = run_page("incidents", "staff")
    start = now().replace(second=0) - dt.timedelta(minutes=40)
    at.datetime_input(key="inc_detected").set_value(start)
    at.datetime_input(key="inc_responded").set_value(start - dt.timedelta(minutes=1))
    at.button(key="inc_save").click().run()
    assert "早于发现时间" in errors(at)[0]
    at.datetime_input(key="inc_responded").set_value(start + dt.timedelta(minutes=2))
    at.datetime_input(key="inc_resolved").set_value(start + dt.timedelta(minutes=25))
    at.button(key="inc_save").click().run()
    assert "请填写超时原因" in errors(at)[0]
    assert "解决 25.0 分钟 / 时限 5.0" in errors(at)[0]
    assert stored(engine) == []
    at.text_input(key="inc_reason").input("备用机不在现场")
    at.button(key="inc_save").click().run()
    assert not errors(at)
    assert stored(engine)[0]["overtime_reason"] == "备用机不在现场"


def test_future_time_refused(engine, run_page):
    at = run_page("incidents", "staff")
    at.datetime_input(key="inc_detected").set_value(now() + dt.timedelta(minutes=5))
    at.button(key="inc_save").click().run()
    assert "晚于当前时间" in errors(at)[0]
    assert stored(engine) == []


def test_report_figures_and_filters(engine, run_page):
    add(engine, known_rows(engine))
    at = run_page("incident_report", "manager")
    at.date_input(key="rep_period").set_value((T0.date(), T0.date())).run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["8", "1", "4.0 分钟", "71.4%"]  # through the one formatter
    figures = at.dataframe[0].value
    row = figures[figures["分组"] == "网络中断"].iloc[0]
    assert (row["问题数"], row["解决 P90（分）"], row["SLA 达标率 %"]) == (5, 11.3, 75.0)
    subheaders = [s.value for s in at.subheader]
    assert subheaders == [
        "超时清单（含原因） (2)",
        "超时未填原因（待跟进） (1)",
        "未解决问题 (1)",
    ]
    at.multiselect(key="rep_rooms").set_value(["佳怡生活馆"]).run()
    assert [m.value for m in at.metric][:2] == ["2", "0"]
    at.selectbox(key="rep_by").set_value("handler").run()
    assert sorted(at.dataframe[0].value["分组"]) == ["吴昊", "罗晨"]


def test_report_views_render(engine, run_page):
    from sqlalchemy import insert, update

    from lib.core.db import write
    from lib.core.models import LiveSession

    add(engine, known_rows(engine))
    with write(engine) as conn:
        sid = conn.execute(
            insert(LiveSession).values(
                platform="抖音", account="ym", room="一鸣数码", started_at=T0, started_on=T0.date()
            )
        ).inserted_primary_key[0]
        conn.execute(update(Incident).values(session_id=sid))
    at = run_page("incident_report", "manager")
    at.date_input(key="rep_period").set_value((T0.date(), T0.date())).run()
    for view in ("distribution", "trend", "departments", "timeline"):
        at.radio(key="rep_view").set_value(view).run()
        assert not at.exception, view
        assert not at.dataframe or view != "figures"
    assert at.selectbox(key="rep_sid").options[0].startswith("一鸣数码")


@pytest.mark.one_database  # the role's wall, before any query: the same on every database
def test_report_forbidden_for_staff(engine, run_page):
    add(engine, known_rows(engine))
    at = run_page("incident_report", "staff")
    assert at.error and not at.dataframe and not at.metric


def test_pages_in_english(engine, run_page):
    add(engine, known_rows(engine))
    at = run_page("incident_report", "manager", lang="en")
    assert not at.exception
    assert at.title[0].value == "Incident durations"
    assert "linear interpolation" in at.caption[0].value
    at = run_page("incidents", "admin", lang="en")
    assert not at.exception
    labels = [b.label for b in at.button]
    assert "Save incident" in labels and "Now" in labels


def test_report_lists_show_their_first_rows_and_export_the_whole_list(engine, run_page, monkeypatch):
    from lib import incidents as inc
    from lib.web.incidents_view import whole_list

    monkeypatch.setattr(inc, "LIST_SHOWN", 1)  # two breaches, one without a reason, one open
    add(engine, known_rows(engine))
    at = run_page("incident_report", "manager")
    at.date_input(key="rep_period").set_value((T0.date(), T0.date())).run()
    assert not at.exception
    assert [s.value for s in at.subheader] == [
        "超时清单（含原因） (1+)",
        "超时未填原因（待跟进） (1)",
        "未解决问题 (1)",
    ]
    assert [len(d.value) for d in at.dataframe[1:]] == [1, 1, 1]
    assert [c.value for c in at.caption if "下载文件包含完整清单" in c.value] == [
        "此处显示前 1 行；下载文件包含完整清单（最多 5000 行）。"
    ]
    flt = inc.ReportFilter(T0.date(), T0.date())
    export = whole_list(engine, "breaches", flt, T0, "zh")
    assert len(export) == 2
    assert export.equals(inc.present.list_table("breaches", inc.breaches(engine, flt), "zh"))
