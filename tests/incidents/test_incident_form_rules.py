"""The incident form records what happened, never a default: "responded" (and "resolved") stay empty until
the handler sets them, a one-tap "now" fills in the team clock's minute; a session link to a session that
ended more than SESSION_LINK_AFTER_END before the detection is refused (form and domain)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from lib import incidents as inc
from lib.core.db import now, write
from lib.core.models import Incident, LiveSession


def stored(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(Incident).order_by(Incident.id)).mappings()]


def add_session(engine, started: dt.datetime, minutes: float | None, ended: bool = True) -> int:
    with write(engine) as conn:
        return conn.execute(
            insert(LiveSession).values(
                platform="douyin",
                account="ym",
                room="一鸣数码",
                host_name="赵一鸣",
                started_at=started,
                started_on=started.date(),
                ended_at=started + dt.timedelta(minutes=minutes) if ended and minutes is not None else None,
                duration_minutes=minutes,
            )
        ).inserted_primary_key[0]


def test_form_leaves_responded_empty_until_the_handler_sets_it(engine, run_page):
    at = run_page("incidents", "staff")
    assert not at.exception
    assert at.datetime_input(key="inc_responded").value is None
    assert at.datetime_input(key="inc_resolved").value is None
    detected = now().replace(second=0, microsecond=0) - dt.timedelta(minutes=3)
    at.datetime_input(key="inc_detected").set_value(detected)
    at.button(key="inc_save").click().run()
    assert not at.exception and not at.error
    (row,) = stored(engine)
    assert row["detected_at"] == detected
    assert row["responded_at"] is None and row["resolved_at"] is None  # no response time of 0 minutes


def test_now_button_sets_the_team_clocks_minute(engine, run_page, clock_at):
    clock_at("2026-12-31T23:58:41")
    at = run_page("incidents", "staff")
    at.datetime_input(key="inc_detected").set_value(dt.datetime(2026, 12, 31, 23, 55))
    at.button(key="inc_responded_now").click().run()
    assert not at.exception
    responded = at.datetime_input(key="inc_responded").value
    assert responded.replace(second=0) == responded
    assert dt.datetime(2026, 12, 31, 23, 58) <= responded <= dt.datetime(2026, 12, 31, 23, 59)
    assert at.datetime_input(key="inc_resolved").value is None  # one tap sets one time
    at.button(key="inc_save").click().run()
    assert not at.error
    (row,) = stored(engine)
    assert row["responded_at"] == responded
    assert row["responded_at"] - row["detected_at"] >= dt.timedelta(minutes=3)


def test_form_refuses_a_session_that_ended_long_before_detection(engine, run_page):
    here = now().replace(second=0, microsecond=0)
    old = add_session(engine, here - dt.timedelta(hours=5), 120)  # ended 3 hours ago
    live = add_session(engine, here - dt.timedelta(minutes=50), None, ended=False)
    at = run_page("incidents", "staff")
    assert at.selectbox(key="inc_session").help.startswith("只能关联发现时正在直播、或结束不超过 60 分钟")
    at.selectbox(key="inc_session").set_value(old)
    at.button(key="inc_save").click().run()
    assert not at.exception
    assert "早了 60 分钟以上" in at.error[0].value
    assert stored(engine) == []
    at.selectbox(key="inc_session").set_value(live)
    at.button(key="inc_save").click().run()
    assert not at.error
    assert [r["session_id"] for r in stored(engine)] == [live]


NOW = dt.datetime(2026, 11, 24, 20, 0, 0)


@pytest.mark.parametrize(
    ("ended_minutes_before", "ended_kind", "accepted"),
    [
        (61, "ended_at", False),
        (61, "duration", False),  # no end time exported: start + duration
        (60, "ended_at", True),  # exactly the limit
        (10, "duration", True),
        (None, "live", True),  # neither end nor duration: still live
    ],
)
def test_session_link_limit(engine, ended_minutes_before, ended_kind, accepted):
    detected = NOW - dt.timedelta(minutes=1)
    started = detected - dt.timedelta(hours=3)
    if ended_minutes_before is None:
        sid = add_session(engine, started, None, ended=False)
    else:
        end = detected - dt.timedelta(minutes=ended_minutes_before)
        minutes = (end - started).total_seconds() / 60
        sid = add_session(engine, started, minutes, ended=ended_kind == "ended_at")
    data = inc.IncidentInput(category="网络中断", severity="simple", detected_at=detected, session_id=sid)
    if accepted:
        assert inc.create_incident(engine, data, "t_staff", as_of=NOW) > 0
        return
    with pytest.raises(inc.IncidentError) as caught:
        inc.create_incident(engine, data, "t_staff", as_of=NOW)
    assert caught.value.code == "session_long_over"
    assert inc.present.error_text(caught.value, "en").startswith("The chosen session ended at 2026-11-24 ")
    assert stored(engine) == []
