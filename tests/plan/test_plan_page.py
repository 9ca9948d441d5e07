"""The schedule page (AppTest): a day's cards, the rooms × days grid, edit with clash refused, copy last
week, staff read-only, the login wall."""

import datetime as dt

from lib import plan
from lib.core import db
from tests.plan.helpers import planned


def _monday(clock_at):
    clock_at("2026-11-04T09:00:00")  # a Wednesday
    return dt.date(2026, 11, 2)


def _widget(elements, label):
    return next(w for w in elements if w.label == label)


def _texts(at):
    shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    return shown.replace("\\", "")  # Markdown escapes of what users typed


def test_manager_sees_today_and_the_week_grid(engine, run_page, clock_at):
    _monday(clock_at)
    planned(engine, "2026-11-04 19:00", 120, account="小雨家电旗舰店", theme="宠粉福利夜", ops_owner="吴昊")
    planned(engine, "2026-11-04 23:00", 180, account="居家好物严选", host="周俊杰")
    planned(engine, "2026-11-05 10:00", 120, account="居家好物严选", host="陈子墨")
    at = run_page("schedule", "manager")
    assert not at.exception
    shown = _texts(at)
    assert "19:00–21:00 · 抖音 小雨家电旗舰店 · 林晓雨" in shown and "23:00–02:00+1" in shown
    assert "**10:00–12:00 · 抖音 居家好物严选 · 陈子墨**" not in shown  # another day's card
    assert (
        "11-05 10:00–12:00 · 抖音 居家好物严选 · 陈子墨 · 脚本: 审核逾期" in shown
    )  # tomorrow's missing script
    assert "宠粉福利夜" in shown and "运营负责人 吴昊" in shown
    grid = at.dataframe[0].value
    assert list(grid.columns)[:4] == ["直播间", "11-02 周一", "11-03 周二", "11-04 周三"]
    row = grid.set_index("直播间").loc["抖音 · 居家好物严选"]
    assert row["11-04 周三"] == "23:00–02:00+1 周俊杰" and row["11-05 周四"] == "10:00–12:00 陈子墨"


def test_edit_saves_keeps_history_and_refuses_a_clash(engine, run_page, clock_at):
    _monday(clock_at)
    first = planned(engine, "2026-11-04 19:00", 120, account="a")
    planned(engine, "2026-11-04 19:00", 120, account="b", host="王可")
    at = run_page("schedule", "manager")
    at.button(key=f"plan_edit_{first}").click().run()
    _widget(at.text_input, "主播").set_value("王可")  # the host: 王可 is in room b at that time
    at.button(key="plan_save").click().run()
    assert not at.exception
    assert any("王可" in e.value and "b" in e.value for e in at.error)
    assert plan.planned_session(engine, first, dt.datetime(2026, 11, 4))["host_name"] == "林晓雨"


def test_a_change_is_saved_with_its_history(engine, run_page, clock_at):
    _monday(clock_at)
    first = planned(engine, "2026-11-04 19:00", 120, account="a")
    at = run_page("schedule", "manager")
    at.button(key=f"plan_edit_{first}").click().run()
    _widget(at.number_input, "时长（分钟）").set_value(150)
    at.button(key="plan_save").click().run()
    assert not at.exception and not at.error
    stored = plan.planned_session(engine, first, dt.datetime(2026, 11, 4))
    assert stored["minutes"] == 150 and stored["version"] == 2
    history = next(d.value for d in at.dataframe if "操作" in d.value.columns)
    assert list(history["操作"]) == ["新增", "修改"]
    assert "时长（分钟）: 120 → 150" in history["内容"].iloc[-1]


def test_copy_last_week_in_one_tap(engine, run_page, clock_at):
    _monday(clock_at)
    planned(engine, "2026-10-27 19:00", 120, account="a")
    at = run_page("schedule", "manager")
    at.button(key="plan_copy").click().run()
    assert not at.exception and not at.error
    rows = plan.schedule(engine, dt.date(2026, 11, 2), dt.date(2026, 11, 8), dt.datetime(2026, 11, 4))
    assert [(r["account"], r["starts_at"]) for r in rows] == [("a", dt.datetime(2026, 11, 3, 19, 0))]


def test_staff_sees_the_plan_but_cannot_change_it(engine, run_page, clock_at):
    _monday(clock_at)
    first = planned(engine, "2026-11-04 19:00", 120, account="a")
    at = run_page("schedule", "staff")
    assert not at.exception and "林晓雨" in _texts(at)
    keys = {b.key for b in at.button}
    assert f"plan_edit_{first}" not in keys and "plan_copy" not in keys and "plan_add" not in keys


def test_english_and_the_login_wall(engine, run_page, clock_at):
    _monday(clock_at)
    planned(engine, "2026-11-04 19:00", 120, account="a")
    at = run_page("schedule", "manager", lang="en")
    assert not at.exception and at.title[0].value == "Live schedule"
    assert "19:00–21:00 · Douyin a · 林晓雨" in _texts(at) and "Script: Review overdue" in _texts(at)
    wall = run_page("schedule")
    assert "林晓雨" not in _texts(wall) and len(wall.dataframe) == 0


def test_import_a_schedule_file_then_undo(engine, run_page, clock_at, samples):
    _monday(clock_at)
    name = "schedule_2026-11-02_2026-11-08.xlsx"
    at = run_page("schedule", "manager")
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader(key="plan_upload").set_value((name, (samples / name).read_bytes(), mime)).run()
    assert not at.exception and "29 场排期检查通过" in " ".join(s.value for s in at.success)
    at.button(key="plan_import_commit").click().run()
    week = (dt.date(2026, 11, 2), dt.date(2026, 11, 8), dt.datetime(2026, 11, 4))
    assert not at.exception and len(plan.schedule(engine, *week)) == 29
    at.button(key="plan_undo").click().run()
    assert not at.exception and plan.schedule(engine, *week) == []


def test_a_bad_file_lists_its_rows_and_imports_nothing(engine, run_page, clock_at):
    _monday(clock_at)
    data = "日期,开始时间,时长,平台,直播间,主播\n2026-11-02,19:00,abc,抖音,a,甲\n".encode()
    at = run_page("schedule", "manager")
    at.file_uploader(key="plan_upload").set_value(("plan.csv", data, "text/csv")).run()
    assert not at.exception and "有 1 处问题" in at.error[0].value
    errors = at.dataframe[-1].value
    assert list(errors.iloc[0]) == [2, "时长", "时长“abc”应为 1 到 1440 之间的整数分钟。"]
    assert "plan_import_commit" not in {b.key for b in at.button}


def test_home_page_shows_todays_plan_and_missing_scripts(engine, run_page, clock_at):
    _monday(clock_at)
    approved = planned(engine, "2026-11-04 10:00", 120, account="a")
    planned(engine, "2026-11-04 19:00", 120, account="b", host="王可")
    planned(engine, "2026-11-05 19:00", 120, account="c", host="赵敏")  # tomorrow: not listed
    with db.write(engine) as conn:
        plan.record_script(conn, approved, "approved", "t_manager")
    at = run_page("overview", "staff")
    assert not at.exception and "今日排期" in [s.value for s in at.subheader]
    lines = [m.value.replace("\\", "") for m in at.markdown if m.value.startswith("- ")]
    assert lines == ["- 10:00–12:00 · 抖音 a · 林晓雨", "- 19:00–21:00 · 抖音 b · 王可 · *脚本: 审核逾期*"]


def test_home_page_without_a_plan_says_nothing_of_it(engine, run_page, clock_at):
    _monday(clock_at)
    at = run_page("overview", "staff")
    assert not at.exception and "今日排期" not in [s.value for s in at.subheader]
