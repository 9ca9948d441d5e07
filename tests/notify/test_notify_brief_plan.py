"""The morning brief lists today's planned sessions exactly as the home page's block does (one function,
lib.plan.today_lines), and says nothing of a plan on a day without one."""

from __future__ import annotations

from lib import notify, plan
from lib.core import clock, db
from lib.core.formatting import md_escape
from tests.notify.notify_testdata import channel, rule
from tests.plan.helpers import planned

MORNING = "2026-11-04T09:40:00"  # a Wednesday, after the 09:30 brief is due


def _briefs(engine, robot):
    rule(engine, "brief", channel(engine, robot, "webhook"), at="09:30", audience="staff")
    rule(engine, "brief", channel(engine, robot, "wecom"), at="09:30", audience="staff")
    assert [r["status"] for r in notify.run_due(engine)] == ["sent", "sent"]
    [hook] = [h.body for h in robot.delivered("webhook")]
    [wecom] = [h.body for h in robot.delivered("wecom")]
    return hook, wecom["markdown"]["content"]


def test_brief_lists_todays_plan_as_the_home_page_shows_it(engine, robot, run_page, clock_at):
    clock_at(MORNING)
    approved = planned(engine, "2026-11-04 10:00", 120, account="a", theme="宠粉福利夜")
    planned(engine, "2026-11-04 19:00", 120, account="b", host="王可", theme="[秒杀](http://evil.example)")
    gone = planned(engine, "2026-11-04 21:30", 60, account="c", host="赵敏")
    planned(engine, "2026-11-05 19:00", 120, account="d", host="钱多多")  # tomorrow: not listed
    with db.write(engine) as conn:
        plan.record_script(conn, approved, "approved", "t_manager")
        plan.set_status(conn, gone, "cancelled", "t_manager")

    hook, wecom = _briefs(engine, robot)

    shared = plan.today_lines(engine, clock.today(), clock.now().replace(second=0, microsecond=0), "zh")
    assert hook["data"]["plan"] == [list(pair) for pair in shared]
    lines = hook["lines"]
    start = lines.index("今日排期 2 场：")
    assert lines[start + 1 : start + 3] == [
        "10:00–12:00 · 抖音 a · 林晓雨 · 宠粉福利夜",
        "19:00–21:00 · 抖音 b · 王可 · [秒杀](http://evil.example) · 脚本: 审核逾期",
    ]
    text = "\n".join(lines)
    assert "赵敏" not in text and "钱多多" not in text  # cancelled, tomorrow
    assert any(link["url"].endswith("/schedule") for link in hook["links"])
    # The chat Markdown: the user's theme is shown, never a link.
    assert "- " + notify.inert(lines[start + 2]) in wecom.split("\n")
    assert "[秒杀]" not in wecom and "(http://evil" not in wecom

    # The home page's block shows the very same sessions, from the same function.
    at = run_page("overview", "staff")
    assert not at.exception
    home = [m.value for m in at.markdown if m.value.startswith("- ")]
    esc = md_escape
    assert home == [
        f"- {esc(title)}" + (f" · *{esc(missing)}*" if missing else "") for title, missing in shared
    ]


def test_brief_on_a_day_without_a_plan_has_no_plan_section(engine, robot, clock_at):
    clock_at(MORNING)
    planned(engine, "2026-11-05 19:00", 120, account="d", host="钱多多")  # tomorrow only
    gone = planned(engine, "2026-11-04 19:00", 120, account="c", host="赵敏")
    with db.write(engine) as conn:
        plan.set_status(conn, gone, "cancelled", "t_manager")

    hook, wecom = _briefs(engine, robot)

    assert plan.today_lines(engine, clock.today(), clock.now(), "zh") == []
    assert "plan" not in hook["data"]
    assert not any("今日排期" in line for line in hook["lines"]) and "今日排期" not in wecom
    assert not any(link["url"].endswith("/schedule") for link in hook["links"])
    assert hook["lines"], "the brief itself was sent: the check above is not vacuous"
