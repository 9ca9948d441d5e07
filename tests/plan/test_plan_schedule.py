"""The schedule: validated input (zh/en messages), clashes refused with their reason, every change kept."""

import datetime as dt

import pytest

from lib import plan
from lib.core import db
from tests.plan.helpers import planned, when


def _raw(**over):
    return {
        "platform": "抖音",
        "account": "room-a",
        "host_name": "林晓雨",
        "starts_at": "2026-11-02 19:30",
        "minutes": "120",
    } | over


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"platform": "微博"}, "platform", "platform"),
        ({"account": "  "}, "required", "account"),
        ({"host_name": None}, "required", "host_name"),
        ({"starts_at": "11/02 7pm"}, "start", "starts_at"),
        ({"minutes": "0"}, "minutes", "minutes"),
        ({"minutes": "90.5"}, "minutes", "minutes"),
        ({"minutes": "1441"}, "minutes", "minutes"),
        ({"forecast_gmv": "-5"}, "number", "forecast_gmv"),
        ({"forecast_viewers": "inf"}, "number", "forecast_viewers"),
        ({"theme": "x" * 256}, "too_long", "theme"),
    ],
)
def test_bad_input_is_refused_naming_the_field(over, code, field):
    with pytest.raises(plan.PlanError) as err:
        plan.validate(_raw(**over))
    assert err.value.code == code
    assert err.value.params["field"] == field
    assert err.value.message("zh") != err.value.key() and err.value.message("en") != err.value.key()


def test_valid_input_is_normalised():
    p = plan.validate(_raw(forecast_gmv="120,000", forecast_viewers="8000", theme="  冬季 新品  "))
    assert (p.platform, p.starts_at, p.minutes) == ("douyin", when("2026-11-02 19:30"), 120)
    assert (p.forecast_gmv, p.forecast_viewers, p.theme) == (120000.0, 8000, "冬季 新品")
    assert p.ends_at == when("2026-11-02 21:30")


def test_one_room_twice_is_refused(engine):
    planned(engine, "2026-11-02 19:00", 120)
    with pytest.raises(plan.PlanError) as err:
        planned(engine, "2026-11-02 20:30", 60, host="王可")
    assert err.value.code == "room_clash"
    assert "林晓雨" in err.value.message("zh") and "room-a" in err.value.message("en")
    planned(engine, "2026-11-02 21:00", 60, host="王可")  # back to back is fine


def test_one_host_in_two_rooms_is_refused(engine):
    planned(engine, "2026-11-02 19:00", 120)
    with pytest.raises(plan.PlanError) as err:
        planned(engine, "2026-11-02 18:00", 90, account="room-b")
    assert err.value.code == "host_clash"
    assert "room-a" in err.value.message("zh")
    planned(engine, "2026-11-02 19:00", 120, account="room-b", host="王可")


def test_a_cancelled_session_frees_its_slot_and_restoring_it_checks_again(engine):
    first = planned(engine, "2026-11-02 19:00")
    with db.write(engine) as conn:
        plan.set_status(conn, first, "cancelled", "t_manager")
    second = planned(engine, "2026-11-02 19:30", host="王可")
    with pytest.raises(plan.PlanError), db.write(engine) as conn:
        plan.set_status(conn, first, "planned", "t_manager")
    assert second


def test_every_change_is_kept_and_a_move_after_approval_says_so(engine, clock_at):
    clock_at("2026-10-20T10:00:00")
    pid = planned(engine, "2026-11-02 19:00", theme="上新")
    with db.write(engine) as conn:
        plan.record_script(conn, pid, "submitted", "t_staff", text="脚本")
        plan.record_script(conn, pid, "approved", "t_manager")
        moved = plan.validate(_raw(starts_at="2026-11-02 20:00", theme="上新"))
        notes = plan.update(conn, pid, moved, "t_manager")
        assert plan.update(conn, pid, moved, "t_manager") == []  # nothing changed: no history row
        changes = plan.history(conn, pid)
    assert notes == ["moved_after_approval"]
    assert [c["action"] for c in changes] == ["create", "script", "script", "update"]
    assert changes[-1]["username"] == "t_manager"
    assert changes[-1]["changes"]["starts_at"] == ["2026-11-02 19:00", "2026-11-02 20:00"]
    assert changes[-1]["changes"]["moved_after_approval"] == [None, True]


def test_a_stale_edit_is_refused(engine):
    pid = planned(engine, "2026-11-02 19:00")
    with db.write(engine) as conn:
        plan.update(conn, pid, plan.validate(_raw(minutes="90")), "a", version=1)
    with pytest.raises(plan.PlanError) as err, db.write(engine) as conn:
        plan.update(conn, pid, plan.validate(_raw(minutes="60")), "b", version=1)
    assert err.value.code == "stale"


def test_copy_last_week_in_one_step(engine, clock_at):
    clock_at("2026-11-01T09:00:00")
    planned(engine, "2026-11-02 19:00", forecast_gmv="100000")
    planned(engine, "2026-11-08 23:00", 180, account="room-b", host="王可")
    planned(engine, "2026-11-09 12:00", account="room-c", host="赵敏")  # next week already: not copied
    with db.write(engine) as conn:
        copied, refusals = plan.copy_week(conn, dt.date(2026, 11, 2), "t_manager")
    assert (copied, refusals) == (2, [])
    rows = plan.schedule(engine, dt.date(2026, 11, 9), dt.date(2026, 11, 15), when("2026-11-01 09:00"))
    assert [(r["account"], r["starts_at"], r["forecast_gmv"]) for r in rows] == [
        ("room-c", when("2026-11-09 12:00"), None),
        ("room-a", when("2026-11-09 19:00"), None),
        ("room-b", when("2026-11-15 23:00"), None),
    ]
    with db.write(engine) as conn:  # again: every copy would clash, nothing is written
        copied, refusals = plan.copy_week(conn, dt.date(2026, 11, 2), "t_manager")
    assert copied == 0 and {r.code for r in refusals} == {"room_clash"}
    assert (
        len(plan.schedule(engine, dt.date(2026, 11, 9), dt.date(2026, 11, 15), when("2026-11-01 09:00"))) == 3
    )
