"""AppTest of the notify admin page: add a channel (never shown whole again), test it (the platform's
answer), add a rule and preview it exactly as sent, send a failed message again, and people's @ ids."""

from __future__ import annotations

import json

from lib import notify
from tests.notify.notify_testdata import channel, person, rule

MORNING = "2026-12-07T09:40:00"


def _all_text(at) -> str:
    parts = []
    for kind in ("markdown", "text", "code", "caption", "success", "error", "warning", "info"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    return "\n".join(parts)


def test_add_channel_masked_and_test_shows_the_answer(engine, run_page, robot):
    at = run_page("notify", "admin")
    assert not at.exception
    url = robot.url("feishu", "tok-secret-path-7777")
    at.text_input(key="nch_name").input("飞书运营群")
    at.selectbox(key="nch_kind").set_value("feishu")
    at.text_input(key="nch_url").input(url)
    at.text_input(key="nch_secret").input("wrong-secret")
    at.button(key="FormSubmitter:nch_add_form-添加渠道").click().run()
    assert not at.exception and not at.error
    text = _all_text(at)
    assert "…7777" in text and "tok-secret-path" not in text and "wrong-secret" not in text
    at.button(key="nch_test").click().run()
    assert not at.exception
    assert any("19021" in c.value for c in at.code)  # Feishu's "sign match fail", as it answered
    assert robot.hits[-1].signed_ok is False


def test_refusal_names_the_field(engine, run_page, robot):
    at = run_page("notify", "admin")
    at.text_input(key="nch_name").input("x")
    at.text_input(key="nch_url").input("not a url")
    at.button(key="FormSubmitter:nch_add_form-添加渠道").click().run()
    assert "Webhook 地址无效" in at.error[0].value


def test_rule_preview_is_the_body_sent(engine, run_page, robot, clock_at):
    clock_at(MORNING)
    rule(engine, "brief", channel(engine, robot, "dingtalk"), at="09:30", audience="staff")
    at = run_page("notify", "admin")
    at.button(key="nru_preview").click().run()
    assert not at.exception
    shown = json.loads(next(c.value for c in at.code if c.language == "json"))
    notify.run_due(engine)
    [hit] = robot.delivered("dingtalk")
    sent = {k: v for k, v in hit.body.items()}
    assert shown == sent
    assert "晨报" in _all_text(at)


def test_failed_send_is_listed_and_sent_again_in_one_click(engine, run_page, robot, clock_at):
    clock_at(MORNING)
    rule(engine, "brief", channel(engine, robot, "wecom"), at="09:00")
    robot.script["wecom"] = ["500"] * notify.ATTEMPTS
    assert notify.run_due(engine)[0]["status"] == "failed"
    at = run_page("notify", "admin")
    [failed] = notify.recent(engine, notify.OPEN)
    assert "HTTP 500" in _all_text(at)
    at.button(key=f"nsend_again_{failed['id']}").click().run()
    assert not at.exception and at.success
    assert len(robot.delivered("wecom")) == 1 and notify.recent(engine, notify.OPEN) == []


def test_people_who_cannot_be_mentioned_are_listed_and_ids_saved(engine, run_page, robot):
    person(engine, "张三")
    person(engine, "李四", mobile="13800000002")
    channel(engine, robot, "feishu")
    at = run_page("notify", "admin")
    warning = at.warning[0].value
    assert "飞书" in warning and "张三" in warning and "李四" in warning  # Feishu needs a user id
    at.selectbox(key="npe_pick").set_value(
        next(i for i, n in notify.people_choices(engine) if n == "张三")
    ).run()
    at.text_input(key="npe_user_id").input("ou_zhangsan")
    at.button(key="FormSubmitter:npe_form-保存").click().run()
    assert not at.exception and not at.error
    assert notify.unmentionable(engine, "feishu") == ["李四"]


def test_weekly_files_are_offered(engine, run_page, clock_at):
    clock_at("2026-12-04T18:00:00")
    at = run_page("notify", "admin")
    at.button(key="nwk_make").click().run()
    assert not at.exception and not at.error
    assert len(at.get("download_button")) == 2


def test_reports_page_is_the_weekly_message_with_its_files(engine, run_page, clock_at, robot):
    from lib.demo import load_demo

    clock_at("2026-12-04T18:00:00")
    load_demo(engine, months=2, sessions=600, seed=7)
    rule(engine, "weekly", channel(engine, robot, "webhook"), at="17:30")
    notify.run_due(engine)
    [hit] = robot.delivered("webhook")
    link = hit.body["links"][1]["url"]
    assert link.endswith("/reports?date=2026-12-04")
    at = run_page("reports", "manager", query={"date": "2026-12-04"})
    assert not at.exception
    assert [e.value for e in at.text] == hit.body["lines"]  # the page shows what the group was told
    assert len(at.dataframe) >= 2 and len(at.get("download_button")) == 1
    at.button(key="rep_make_pdf").click().run()
    assert not at.exception and len(at.get("download_button")) == 2


def test_preview_shows_each_platform_as_its_group_sees_it(engine, run_page, robot, clock_at):
    clock_at("2026-12-07T14:00:00")
    from tests.notify.notify_testdata import breach

    handler = person(engine, "张三", mobile="13800000001", user_id="zhangsan")
    breach(engine, handler)
    ids = [
        rule(engine, "sla", channel(engine, robot, k), audience="staff")
        for k in ("wecom", "dingtalk", "feishu")
    ]
    at = run_page("notify", "admin")
    expectations = ("<@zhangsan>", '"atUserIds": ["zhangsan"]', "<at id=zhangsan></at>")
    for rule_id, expected in zip(ids, expectations, strict=True):
        at.selectbox(key="nru_pick").set_value(rule_id).run()
        at.button(key="nru_preview").click().run()
        assert not at.exception
        body = json.loads(next(c.value for c in at.code if c.language == "json"))
        assert expected in json.dumps(body, ensure_ascii=False)
        shown = "\n".join(m.value for m in at.markdown)
        assert "1 起故障超时且未说明原因" in shown and ("@zhangsan" in shown or "@13800000001" in shown)
        assert "<at" not in shown and "<@" not in shown
