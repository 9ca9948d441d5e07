"""Logging rules: detected <= responded <= resolved, no future times (1 min skew), reason over SLA."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select

from lib import incidents as inc
from lib.core.db import write
from lib.core.models import Incident, LiveSession

NOW = dt.datetime(2026, 11, 24, 20, 0, 0)


def base(**kw) -> inc.IncidentInput:
    values = {"category": "网络中断", "severity": "simple", "detected_at": NOW - dt.timedelta(minutes=30)}
    values.update(kw)
    return inc.IncidentInput(**values)


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Incident)).scalar()


def refused(engine, data, code) -> inc.IncidentError:
    with pytest.raises(inc.IncidentError) as err:
        inc.create_incident(engine, data, "t_staff", as_of=NOW)
    assert err.value.code == code
    assert count(engine) == 0  # nothing stored
    return err.value


def at(minutes: float) -> dt.datetime:
    return NOW - dt.timedelta(minutes=30) + dt.timedelta(minutes=minutes)


def test_out_of_order_times(engine):
    refused(engine, base(responded_at=at(-1)), "responded_before_detected")
    refused(engine, base(responded_at=at(3), resolved_at=at(2)), "resolved_before_responded")
    refused(engine, base(resolved_at=at(2)), "resolved_without_response")
    refused(engine, base(severity="major", meeting_at=at(-5)), "meeting_before_detected")
    new_id = inc.create_incident(engine, base(severity="major", meeting_at=at(20)), "t_staff", as_of=NOW)
    with engine.connect() as conn:
        assert conn.execute(select(Incident.meeting_at).where(Incident.id == new_id)).scalar() == at(20)


def test_future_times_with_one_minute_skew(engine):
    err = refused(engine, base(detected_at=NOW + dt.timedelta(minutes=2)), "future_time")
    assert err.params["field"] == "detected_at"
    refused(engine, base(responded_at=NOW + dt.timedelta(seconds=61)), "future_time")
    new_id = inc.create_incident(
        engine, base(responded_at=NOW + dt.timedelta(seconds=50)), "t_staff", as_of=NOW
    )  # within the allowed clock skew
    assert new_id > 0


def test_reason_required_over_sla(engine):
    # 6 minutes to resolve a simple incident: over the generic 5 minutes.
    err = refused(engine, base(responded_at=at(1), resolved_at=at(6)), "reason_required")
    assert (err.params["resolve"], err.params["resolve_sla"]) == (6.0, 5.0)
    refused(engine, base(responded_at=at(1), resolved_at=at(6), overtime_reason="   "), "reason_required")
    # Late response alone also breaches (11 > 10 minutes).
    refused(engine, base(responded_at=at(11), resolved_at=at(11.5)), "reason_required")
    # Category SLA beats the generic one: 4 minutes is over 负面评论/舆情's 3, 20 is within 价格异常's 30.
    refused(engine, base(category="负面评论/舆情", responded_at=at(1), resolved_at=at(4)), "reason_required")
    inc.create_incident(
        engine, base(category="价格异常", responded_at=at(1), resolved_at=at(20)), "t_staff", as_of=NOW
    )
    inc.create_incident(
        engine,
        base(responded_at=at(1), resolved_at=at(6), overtime_reason="备用线路切换"),
        "t_staff",
        as_of=NOW,
    )
    assert count(engine) == 2


def test_unknown_values_refused(engine):
    refused(engine, base(category="不存在"), "unknown_category")
    refused(engine, base(severity="huge"), "bad_severity")
    refused(engine, base(session_id=999), "unknown_session")


def test_create_copies_session_and_update_resolves(engine):
    with write(engine) as conn:
        sid = conn.execute(
            insert(LiveSession).values(
                platform="抖音",
                account="ym",
                room="一鸣数码",
                host_name="赵一鸣",
                started_at=NOW - dt.timedelta(hours=1),
                started_on=NOW.date(),
            )
        ).inserted_primary_key[0]
    new_id = inc.create_incident(engine, base(session_id=sid), "t_staff", as_of=NOW)
    opened = inc.incidents_to_update(engine)
    assert [o["id"] for o in opened] == [new_id]
    assert opened[0]["room"] == "一鸣数码"
    with pytest.raises(inc.IncidentError) as err:  # resolving 20 minutes after detection needs a reason
        inc.update_incident(engine, new_id, "t_staff", responded_at=at(2), resolved_at=at(20), as_of=NOW)
    assert err.value.code == "reason_required"
    inc.update_incident(engine, new_id, "t_staff", responded_at=at(2), as_of=NOW)
    inc.update_incident(engine, new_id, "t_staff", resolved_at=at(4), as_of=NOW)
    with engine.connect() as conn:
        row = conn.execute(select(Incident).where(Incident.id == new_id)).mappings().one()
    assert (row["responded_at"], row["resolved_at"], row["platform"]) == (at(2), at(4), "抖音")
    assert inc.incidents_to_update(engine) == []


def test_sla_lookup_and_admin_edits(engine):
    with engine.connect() as conn:
        assert inc.sla_for(conn, "负面评论/舆情", "simple") == inc.Sla(2, 3, None)
        assert inc.sla_for(conn, "网络中断", "major") == inc.Sla(5, 10, 30)
    table = inc.sla_table(engine)
    rows = table.to_dict("records")
    rows.append({"category": "网络中断", "severity": "simple", "respond_minutes": 5, "resolve_minutes": 8})
    inc.save_slas(engine, rows, "t_admin")
    with engine.connect() as conn:
        assert inc.sla_for(conn, "网络中断", "simple") == inc.Sla(5, 8, None)
    with pytest.raises(inc.IncidentError) as err:
        inc.save_slas(engine, [r for r in rows if isinstance(r["category"], str)], "t_admin")
    assert err.value.code == "generic_sla_missing"
    with pytest.raises(inc.IncidentError) as err:
        inc.save_slas(engine, [*rows, rows[0]], "t_admin")
    assert err.value.code == "duplicate_sla"
    cats = inc.categories(engine, active_only=False)
    cats[0]["name"] = "网络故障"
    inc.save_categories(
        engine, [*cats, {"id": None, "name": "直播间被封", "sort_order": 99, "active": True}], "t_admin"
    )
    names = [c["name"] for c in inc.categories(engine)]
    assert names[0] == "网络故障" and names[-1] == "直播间被封"
    with pytest.raises(inc.IncidentError) as err:
        inc.save_categories(engine, [*cats, {"id": None, "name": "网络故障"}], "t_admin")
    assert err.value.code == "duplicate_category"


def test_follow_up_reason_for_uploaded_breach(engine, run_page):
    from tests.incidents.incidents_testdata import add, known_rows

    add(engine, known_rows(engine)[5:6])  # 负面评论/舆情 resolved in 4 min (> 3), no reason: as uploaded
    (todo,) = inc.incidents_to_update(engine)
    assert todo["label"].endswith("⚠ SLA")
    at = run_page("incidents", "staff")
    at.text_input(key=f"upd_reason_{todo['id']}").input("评论区被刷屏，需逐条处理")
    at.button(key="upd_save").click().run()
    assert not at.exception and not at.error
    assert inc.incidents_to_update(engine) == []
    with engine.connect() as conn:
        reason = conn.execute(select(Incident.overtime_reason).where(Incident.id == todo["id"])).scalar()
    assert reason == "评论区被刷屏，需逐条处理"


def test_form_defaults_to_the_session_live_now_in_my_room(engine):
    from lib.core.models import Department, Person

    with write(engine) as conn:
        dept = conn.execute(select(Department.id).where(Department.name == "主播部")).scalar()
        me = conn.execute(insert(Person).values(name="赵一鸣", department_id=dept)).inserted_primary_key[0]
        other = conn.execute(insert(Person).values(name="孙佳怡")).inserted_primary_key[0]

        def session(room, host, start_min, end_min):
            return conn.execute(
                insert(LiveSession).values(
                    platform="抖音",
                    account=room,
                    room=room,
                    host_person_id=host,
                    started_at=NOW + dt.timedelta(minutes=start_min),
                    started_on=NOW.date(),
                    ended_at=None if end_min is None else NOW + dt.timedelta(minutes=end_min),
                )
            ).inserted_primary_key[0]

        session("一鸣数码", me, -60 * 26, -60 * 24)  # an earlier session makes it my room
        session("一鸣数码", me, -300, -200)  # ended today: not live
        live_mine = session("一鸣数码", other, -30, None)  # live now in my room (a colleague hosts)
        live_other = session("佳怡生活馆", other, -20, None)  # live now, not my room
    choices = inc.form_choices(engine, me, NOW)
    assert choices["default_session"] == live_mine
    assert choices["default_department"] == dept and choices["default_handler"] == me
    assert len(choices["sessions"]) == 3  # the last 24 hours
    # 孙佳怡 hosts in both rooms: the most recently started live session wins.
    assert inc.form_choices(engine, other, NOW)["default_session"] == live_other
    assert inc.form_choices(engine, None, NOW)["default_session"] is None
