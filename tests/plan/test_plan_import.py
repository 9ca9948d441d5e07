"""The schedule file (排期表): the samples (CSV; XLSX with a title row and other header spellings), bad rows
named by row and column, clashes, all or nothing, undo."""

import datetime as dt

import pytest

from lib import plan
from lib.core import db
from tests.plan.helpers import planned, when

CSV = "schedule_2026-11-02_2026-11-08.csv"
XLSX = "schedule_2026-11-02_2026-11-08.xlsx"
HEADER = "日期,开始时间,结束时间,平台,直播间,主播,主题,运营负责人,内容负责人,场控\n"


def _week(engine):
    return plan.schedule(engine, dt.date(2026, 11, 2), dt.date(2026, 11, 8), when("2026-11-01 00:00"))


@pytest.mark.parametrize("name", [CSV, XLSX])
def test_the_sample_schedules_preview_and_import(engine, samples, name):
    data = (samples / name).read_bytes()
    checked = plan.preview_import(engine, data, name)
    assert checked.ok, [e.message("en") for e in checked.errors] or checked.file_error
    assert len(checked.rows) == 29
    first_night = next(p for _, p in checked.rows if p.host_name == "林晓雨")
    assert (first_night.starts_at, first_night.minutes) == (when("2026-11-02 20:00"), 240)  # ends 00:00
    assert first_night.ops_owner == "吴昊" and first_night.content_owner == "彭诗涵"
    assert first_night.floor_manager == "何佳琪" and first_night.forecast_gmv == 114000
    checked, ref = plan.import_schedule(engine, data, name, "t_manager")
    assert ref is not None and len(_week(engine)) == 29
    again, second = plan.import_schedule(engine, data, name, "t_manager")  # the same plan again clashes
    assert second is None and len(again.errors) == 29 and len(_week(engine)) == 29
    assert plan.undo_import(engine, ref, "t_manager") == 29
    assert _week(engine) == []


def test_bad_rows_are_named_and_nothing_is_written(engine):
    data = (
        HEADER
        + "2026-11-02,19:00,21:00,抖音,room-a,林晓雨,上新,吴昊,彭诗涵,何佳琪\n"
        + "2026-13-02,19:00,21:00,抖音,room-b,王可,,,,\n"
        + "2026-11-03,25:00,21:00,抖音,room-b,王可,,,,\n"
        + "2026-11-03,19:00,21:00,微博,room-b,王可,,,,\n"
        + "2026-11-03,19:00,21:00,抖音,,王可,,,,\n"
        + "2026-11-03,19:00,abc,抖音,room-c,赵敏,,,,\n"
    ).encode()
    checked, ref = plan.import_schedule(engine, data, "plan.csv", "t_manager")
    assert ref is None and _week(engine) == []
    found = [(e.row, e.column, e.error.code) for e in checked.errors]
    assert found == [
        (3, "日期", "date"),
        (4, "开始时间", "time"),
        (5, "平台", "platform"),
        (6, "直播间", "required"),
        (7, "结束时间", "time"),
    ]
    assert checked.errors[0].message("zh").startswith("第 3 行，列“日期”")
    assert checked.errors[0].message("en").startswith("Row 3, column “日期”")


def test_clashes_within_the_file_and_with_the_stored_plan(engine):
    planned(engine, "2026-11-03 20:00", 120, account="room-z", host="赵敏")
    data = (
        HEADER
        + "2026-11-02,19:00,21:00,抖音,room-a,林晓雨,,,,\n"
        + "2026-11-02,20:00,22:00,抖音,room-b,林晓雨,,,,\n"
        + "2026-11-03,20:30,21:00,抖音,room-c,赵敏,,,,\n"
    ).encode()
    checked, ref = plan.import_schedule(engine, data, "plan.csv", "t_manager")
    assert ref is None
    assert [(e.row, e.error.code) for e in checked.errors] == [(3, "host_clash"), (4, "host_clash")]


def test_lengths_and_other_spellings(engine):
    data = (
        "直播日期,开播时间,时长,直播平台,账号,主播姓名\n"
        "2026/11/2,19:30,2小时,快手,ks_a,甲\n"
        "2026年11月3日,23:00,90分钟,淘宝,tb_b,乙\n"
        "2026-11-04,10点,2:30,京东,jd_c,丙\n"
    ).encode("gb18030")
    checked = plan.preview_import(engine, data, "排期.csv")
    assert checked.ok, [e.message("en") for e in checked.errors]
    assert [(p.platform, p.starts_at, p.minutes) for _, p in checked.rows] == [
        ("kuaishou", when("2026-11-02 19:30"), 120),
        ("taobao", when("2026-11-03 23:00"), 90),
        ("jd", when("2026-11-04 10:00"), 150),
    ]


def test_a_file_without_the_columns_says_which(engine):
    checked = plan.preview_import(
        engine, "日期,开始时间,平台,主播\n2026-11-02,19:00,抖音,甲\n".encode(), "x.csv"
    )
    assert checked.file_error.code == "missing_columns"
    assert "直播间" in checked.file_error.message("zh") and "结束时间" in checked.file_error.message("zh")
    checked = plan.preview_import(engine, b"a,b\n1,2\n", "x.csv")
    assert checked.file_error.code == "no_header"


def test_undo_is_refused_once_an_imported_session_changed(engine):
    data = (HEADER + "2026-11-02,19:00,21:00,抖音,room-a,林晓雨,,,,\n").encode()
    _, ref = plan.import_schedule(engine, data, "plan.csv", "t_manager")
    pid = _week(engine)[0]["id"]
    with db.write(engine) as conn:
        plan.set_status(conn, pid, "cancelled", "t_manager")
    with pytest.raises(plan.PlanError) as err:
        plan.undo_import(engine, ref, "t_manager")
    assert err.value.code == "import_changed" and len(_week(engine)) == 1
