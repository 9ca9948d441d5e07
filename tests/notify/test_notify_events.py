"""Each event rule: overdue action items (@ owners), cases waiting for approval, survey round opened and
closing (never results), red flags after an import; each event told once, as the audience may see it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from lib import notify, surveys
from lib.core import clock
from lib.core.db import write
from lib.core.models import ActionItem, Case, ImportBatch
from tests.notify.notify_testdata import channel, person, rule


def _case(engine, title: str, status: str, author: str = "someone") -> int:
    stamp = clock.now()
    with write(engine) as conn:
        values = dict(title=title, case_date=stamp.date(), author=author, status=status)
        values |= dict(created_at=stamp, updated_at=stamp)
        return int(conn.execute(insert(Case).values(**values)).inserted_primary_key[0])


def _item(engine, case_id: int, owner: int | None, due: dt.date, text: str) -> None:
    with write(engine) as conn:
        conn.execute(
            insert(ActionItem).values(
                case_id=case_id, description=text, owner_person_id=owner, due_on=due, status="open"
            )
        )


def test_overdue_items_mention_owners_and_respect_the_audience(engine, robot, clock_at):
    clock_at("2026-12-07T10:00:00")
    owner = person(engine, "林晓雨", mobile="13900000001")
    published = _case(engine, "福袋节奏复盘", "published")
    draft = _case(engine, "草稿里的秘密复盘", "submitted")
    _item(engine, published, owner, dt.date(2026, 12, 1), "补货话术改版")
    _item(engine, draft, owner, dt.date(2026, 12, 2), "只有管理者可见的措施")
    _item(engine, published, owner, dt.date(2026, 12, 30), "还没到期")
    rule(engine, "overdue", channel(engine, robot, "dingtalk", "staff", "tok-s"), audience="staff")
    rule(engine, "overdue", channel(engine, robot, "dingtalk", "lead", "tok-l"), audience="manager")
    results = {r["channel"]: r for r in notify.run_due(engine)}
    assert results["staff"]["items"] == 1 and results["lead"]["items"] == 2
    by_token = {h.query["access_token"][0]: h.body for h in robot.delivered("dingtalk")}
    staff = by_token["tok-s"]
    assert "补货话术改版" in staff["markdown"]["text"] and "只有管理者可见" not in staff["markdown"]["text"]
    assert "还没到期" not in staff["markdown"]["text"]
    assert staff["at"]["atMobiles"] == ["13900000001"] and "@13900000001" in staff["markdown"]["text"]
    clock_at("2026-12-07T10:30:00")
    assert notify.run_due(engine) == []  # each item told once


def test_cases_waiting_for_approval_each_once(engine, robot, clock_at):
    clock_at("2026-12-07T10:00:00")
    _case(engine, "直播间灯光方案", "submitted")
    rule(engine, "approval", channel(engine, robot, "feishu"))
    [first] = notify.run_due(engine)
    assert (first["status"], first["items"]) == ("sent", 1)
    card = robot.delivered("feishu")[0].body["card"]
    assert card["header"]["title"]["content"] == "1 个案例等待审批"
    assert "直播间灯光方案" in card["elements"][0]["text"]["content"]
    clock_at("2026-12-07T10:20:00")
    _case(engine, "新的案例", "submitted")
    [second] = notify.run_due(engine)
    assert second["items"] == 1
    assert "新的案例" in robot.delivered("feishu")[1].body["card"]["elements"][0]["text"]["content"]


def test_survey_opened_then_closing_never_results(engine, robot, clock_at):
    clock_at("2026-12-20T10:00:00")
    round_id = surveys.create_round(engine, "12 月协作问卷", "2026-12", "t")
    surveys.open_round(engine, round_id, "t")
    rule(engine, "survey", channel(engine, robot, "wecom"), audience="staff")
    [opened] = notify.run_due(engine)
    assert opened["items"] == 1
    text = robot.delivered("wecom")[0].body["markdown"]["content"]
    assert "12 月协作问卷" in text and "已开放" in text
    clock_at("2026-12-29T10:00:00")  # the round's month ends in 2 days
    [closing] = notify.run_due(engine)
    assert closing["items"] == 1
    text = robot.delivered("wecom")[1].body["markdown"]["content"]
    assert "将于 2026-12-31 截止" in text
    assert "平均" not in text and "结果" not in text  # a notice, never results
    clock_at("2026-12-30T10:00:00")
    assert notify.run_due(engine) == []


def test_red_flags_after_each_import(engine, robot, clock_at):
    from lib.demo import load_demo

    clock_at("2026-12-07T10:00:00")
    load_demo(engine, months=2, sessions=600, seed=7)
    rule(engine, "flags", channel(engine, robot, "webhook"))
    assert notify.run_due(engine) == []  # no import yet: the demo's data is not news

    def imported() -> None:
        with write(engine) as conn:
            values = dict(
                created_at=clock.now(),
                file_name="x.csv",
                sha256="0" * 64,
                kind="sessions",
                status="committed",
            )
            conn.execute(insert(ImportBatch).values(**values))

    imported()
    [sent] = notify.run_due(engine)
    assert sent["status"] == "sent"
    body = robot.delivered("webhook")[0].body
    from lib import kpis

    flags = kpis.recent_flags(engine, clock.now())
    assert (
        body["lines"] == [f"{f['group']}：{kpis.flag_reason(f, 'zh')}" for f in flags][: len(body["lines"])]
    )
    clock_at("2026-12-07T10:15:00")
    assert notify.run_due(engine) == []  # the same import: told once
    imported()
    assert [r["status"] for r in notify.run_due(engine)] == ["sent"]
