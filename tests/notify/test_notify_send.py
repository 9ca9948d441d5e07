"""Sent exactly once, by the clock, retried: real HTTP to a local robot that checks signatures."""

from __future__ import annotations

import json

from sqlalchemy import select

from lib import notify
from lib.core.db import write
from lib.core.models import AuditLog, NotifySend
from tests.notify.notify_testdata import breach, channel, person, rule

MORNING = "2026-12-07T09:40:00"  # a Monday


def _statuses(results):
    return [r["status"] for r in results]


def test_due_twice_sends_the_brief_once_signed(engine, robot, clock_at):
    clock_at(MORNING)
    for kind in ("wecom", "dingtalk", "feishu", "webhook"):
        rule(engine, "brief", channel(engine, robot, kind), at="09:30")
    first = notify.run_due(engine)
    assert sorted(_statuses(first)) == ["sent"] * 4
    second = notify.run_due(engine)
    assert _statuses(second) == ["already_sent"] * 4
    assert [r["key"] for r in second] == [r["key"] for r in first]
    assert len(robot.hits) == 4 and len(robot.delivered()) == 4
    assert {h.kind: h.signed_ok for h in robot.hits} == {
        "wecom": None,
        "dingtalk": True,
        "feishu": True,
        "webhook": None,
    }
    bodies = {h.kind: h.body for h in robot.hits}
    assert bodies["wecom"]["msgtype"] == "markdown"
    assert bodies["dingtalk"]["msgtype"] == "actionCard"
    assert bodies["feishu"]["msg_type"] == "interactive"
    assert bodies["webhook"]["kind"] == "brief"


def test_not_due_before_its_time_and_feishu_avoids_the_half_hour(engine, robot, clock_at):
    clock_at("2026-12-07T09:31:00")
    rule(engine, "brief", channel(engine, robot, "feishu"), at="09:30")
    rule(engine, "brief", channel(engine, robot, "wecom"), at="09:30")
    assert [(r["channel"], r["status"]) for r in notify.run_due(engine)] == [("wecom-group", "sent")]
    clock_at("2026-12-07T09:33:00")
    assert [(r["channel"], r["status"]) for r in notify.run_due(engine)] == [
        ("feishu-group", "sent"),
        ("wecom-group", "already_sent"),
    ]


def test_500_then_200_is_delivered_once_after_a_retry(engine, robot, clock_at):
    clock_at(MORNING)
    rule(engine, "brief", channel(engine, robot, "dingtalk"), at="09:00")
    robot.script["dingtalk"] = ["500"]
    [result] = notify.run_due(engine)
    assert (result["status"], result["attempts"]) == ("sent", 2)
    assert [h.answered for h in robot.hits] == ["500", "ok"]
    assert notify.run_due(engine)[0]["status"] == "already_sent"
    assert len(robot.delivered()) == 1


def test_failure_is_kept_with_the_answer_and_send_again_sends_it_once(engine, robot, clock_at):
    clock_at(MORNING)
    rule(engine, "brief", channel(engine, robot, "feishu"), at="09:00")
    robot.script["feishu"] = ["error"] * notify.ATTEMPTS
    [result] = notify.run_due(engine)
    assert (result["status"], result["attempts"]) == ("failed", notify.ATTEMPTS)
    assert '"code": 19001' in result["answer"]
    [failed] = notify.recent(engine, notify.OPEN)
    assert failed["status"] == "failed" and "19001" in failed["answer"]
    assert notify.run_due(engine)[0]["status"] == "already_sent"  # no automatic resend
    outcome = notify.send_again(engine, failed["id"], "t_admin")
    assert outcome.status == "sent"
    assert len(robot.delivered()) == 1
    assert notify.recent(engine, notify.OPEN) == []
    try:
        notify.send_again(engine, failed["id"], "t_admin")  # a second click finds nothing to send
        raise AssertionError("sent twice")
    except notify.NotifyError as exc:
        assert exc.code == "no_send"


def test_wrong_secret_is_refused_by_the_robot_and_shown(engine, robot, clock_at):
    clock_at(MORNING)
    with write(engine) as conn:
        notify.add_channel(conn, "ding", "dingtalk", robot.url("dingtalk"), "SECwrong", "test")
    rule(engine, "brief", "ding", at="09:00")
    [result] = notify.run_due(engine)
    assert result["status"] == "failed" and "310000" in result["answer"]
    assert all(h.signed_ok is False for h in robot.hits)


def test_storm_folds_into_one_message_with_mentions_then_waits_its_window(engine, robot, clock_at):
    clock_at("2026-12-07T14:00:00")
    zhang = person(engine, "张三", mobile="13800000001", user_id="zhangsan")
    li = person(engine, "李四", mobile="13800000002")
    wang = person(engine, "王五")
    for handler in (zhang, li, wang):
        breach(engine, handler)
    name = channel(engine, robot, "dingtalk")
    rule(engine, "sla", name, audience="staff")
    [result] = notify.run_due(engine)
    assert (result["status"], result["items"]) == ("sent", 3)
    [hit] = robot.hits
    assert hit.body["msgtype"] == "markdown"
    assert "3 起故障超时且未说明原因" in hit.body["markdown"]["title"]
    assert hit.body["at"]["atMobiles"] == ["13800000002"] and hit.body["at"]["atUserIds"] == ["zhangsan"]
    assert "王五" in hit.body["markdown"]["text"]
    breach(engine, zhang, minutes_ago=60)
    assert notify.run_due(engine) == []  # inside the fold window: waits
    clock_at("2026-12-07T14:11:00")
    [later] = notify.run_due(engine)
    assert (later["status"], later["items"]) == ("sent", 1)
    assert notify.run_due(engine) == []
    clock_at("2026-12-07T14:30:00")
    assert notify.run_due(engine) == []  # nothing new: nothing sent again
    assert len(robot.delivered()) == 2


def test_robot_rate_limit_defers_the_rest_to_a_later_run(engine, robot, clock_at):
    clock_at("2026-12-07T14:00:00")
    name = channel(engine, robot, "wecom")
    for _ in range(notify.PER_MINUTE["wecom"] + 2):
        rule(engine, "sla", name)
    breach(engine, None)
    results = notify.run_due(engine)
    assert _statuses(results).count("sent") == 20 and _statuses(results).count("deferred") == 2
    assert len(robot.hits) == 20  # the two held back never reached the robot
    clock_at("2026-12-07T14:01:05")
    later = notify.run_due(engine)
    assert _statuses(later) == ["sent", "sent"]
    assert len(robot.delivered()) == 22


def test_platform_rate_limit_answer_is_retried_then_deferred_then_sent(engine, robot, clock_at):
    clock_at(MORNING)
    rule(engine, "brief", channel(engine, robot, "feishu"), at="09:00")
    robot.script["feishu"] = ["rate"] * notify.ATTEMPTS
    [result] = notify.run_due(engine)
    assert (result["status"], result["attempts"]) == ("deferred", notify.ATTEMPTS)
    again, rule_again = notify.run_due(engine)  # deferred messages go first on the next run
    assert again["status"] == "sent" and again["key"] == result["key"]
    assert rule_again["status"] == "already_sent"
    assert len(robot.delivered()) == 1


def test_quiet_hours_hold_events_until_they_end(engine, robot, clock_at):
    clock_at("2026-12-07T22:30:00")
    breach(engine, None)
    rule(engine, "sla", channel(engine, robot, "wecom"), quiet=("22:00", "08:00"))
    assert notify.run_due(engine) == []
    clock_at("2026-12-08T08:05:00")
    assert _statuses(notify.run_due(engine)) == ["sent"]


def test_everything_is_audited_and_no_secret_or_url_is_logged(engine, robot, clock_at):
    clock_at(MORNING)
    rule(engine, "brief", channel(engine, robot, "dingtalk"), at="09:00")
    robot.script["dingtalk"] = ["500"]
    notify.run_due(engine)
    with engine.connect() as conn:
        log = conn.execute(select(AuditLog.action, AuditLog.detail)).all()
        sends = conn.execute(select(NotifySend.body, NotifySend.answer)).all()
    actions = [a for a, _ in log]
    assert "notify.channel_add" in actions and "notify.rule_add" in actions and "notify.sent" in actions
    text = json.dumps([list(r) for r in log] + [list(r) for r in sends], ensure_ascii=False)
    assert "SECtest-dingtalk-secret-0001" not in text and "tok-0001" not in text
