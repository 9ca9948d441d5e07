"""Workflow and access: staff write and submit, managers publish / send back / archive; drafts are private
to their author and managers; every change is kept as a revision; bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from lib import cases as cs
from lib.core import clock
from lib.core.models import ActionItem, Case, CaseRevision
from tests.cases.case_data import DAY, MANAGER, STAFF, add_people, add_session, add_staff, case_input


def test_staff_writes_submits_manager_publishes(engine, users):
    case_id = cs.create_case(engine, STAFF, case_input())
    assert cs.get_case(engine, STAFF, case_id)["actions"] == ["edit", "submit"]
    assert cs.transition(engine, STAFF, case_id, "submit") == "submitted"
    with pytest.raises(cs.CaseError) as err:
        cs.transition(engine, STAFF, case_id, "publish")
    assert err.value.code == "managers_only"
    assert cs.get_case(engine, MANAGER, case_id)["actions"] == ["edit", "publish", "send_back", "archive"]
    assert cs.transition(engine, MANAGER, case_id, "publish") == "published"
    case = cs.get_case(engine, STAFF, case_id)
    assert case["status"] == "published" and case["actions"] == []  # author cannot edit a published case
    statuses = [r["changes"]["status"] for r in case["revisions"]]
    assert statuses == [[None, "draft"], ["draft", "submitted"], ["submitted", "published"]]
    assert [r["username"] for r in case["revisions"]] == ["t_staff", "t_staff", "t_manager"]


@pytest.mark.parametrize("action", ["publish", "send_back", "archive"])
def test_staff_cannot_take_manager_steps(engine, users, action):
    case_id = cs.create_case(engine, STAFF, case_input())
    cs.transition(engine, STAFF, case_id, "submit")
    with pytest.raises(cs.CaseError) as err:
        cs.transition(engine, STAFF, case_id, action, "理由")
    assert err.value.code == "managers_only"
    assert cs.get_case(engine, STAFF, case_id)["status"] == "submitted"


def test_drafts_are_private_to_author_and_managers(engine, users):
    other = add_staff(engine, "t_staff2")
    case_id = cs.create_case(engine, STAFF, case_input())
    assert cs.get_case(engine, other, case_id) is None
    assert cs.get_case(engine, MANAGER, case_id) is not None
    assert cs.search(engine, other, cs.CaseQuery("福利"))["total"] == 0
    assert cs.search(engine, STAFF, cs.CaseQuery("福利"))["total"] == 1
    with pytest.raises(cs.CaseError) as err:  # not even editing by a guessed id
        cs.update_case(engine, other, case_id, case_input("改标题"))
    assert err.value.code == "not_found"
    cs.transition(engine, STAFF, case_id, "submit")
    assert cs.get_case(engine, other, case_id) is None  # submitted is still private
    cs.transition(engine, MANAGER, case_id, "publish")
    assert cs.get_case(engine, other, case_id)["title"] == "福利秒杀带动 UV 提升"
    cs.transition(engine, MANAGER, case_id, "archive")
    assert cs.get_case(engine, other, case_id) is None
    assert cs.get_case(engine, STAFF, case_id)["status"] == "archived"


def test_send_back_needs_a_comment_and_returns_to_draft(engine, users):
    case_id = cs.create_case(engine, STAFF, case_input())
    cs.transition(engine, STAFF, case_id, "submit")
    with pytest.raises(cs.CaseError) as err:
        cs.transition(engine, MANAGER, case_id, "send_back", "   ")
    assert err.value.code == "comment_required"
    assert "退回" in err.value.message("zh")
    cs.transition(engine, MANAGER, case_id, "send_back", "请补充数据对比")
    case = cs.get_case(engine, STAFF, case_id)
    assert case["status"] == "draft" and case["review_comment"] == "请补充数据对比"
    assert "edit" in case["actions"]
    cs.update_case(
        engine, STAFF, case_id, case_input(background="UV 对比上一场 +30%"), version=case["version"]
    )
    cs.transition(engine, STAFF, case_id, "submit")
    assert cs.get_case(engine, MANAGER, case_id)["review_comment"] is None


def test_edits_keep_history_and_stale_edits_are_refused(engine, users):
    people = add_people(engine)
    case_id = cs.create_case(
        engine,
        STAFF,
        case_input(action_items=(cs.ItemInput("话术培训", people["林晓雨"], dt.date(2026, 10, 20)),)),
    )
    case = cs.get_case(engine, STAFF, case_id)
    item = case["action_items"][0]
    edited = case_input(
        "福利秒杀带动 UV 提升 30%",
        tags=("福利节奏", "UV"),
        action_items=(cs.ItemInput("话术培训", people["王欣然"], dt.date(2026, 10, 20), id=item["id"]),),
    )
    cs.update_case(engine, STAFF, case_id, edited, version=case["version"])
    after = cs.get_case(engine, STAFF, case_id)
    last = after["revisions"][-1]
    assert last["username"] == "t_staff"
    assert last["changes"]["title"] == ["福利秒杀带动 UV 提升", "福利秒杀带动 UV 提升 30%"]
    assert last["changes"]["tags"] == [["福利节奏"], ["UV", "福利节奏"]]
    assert "王欣然" in last["changes"]["action_items"][1][0]
    assert after["action_items"][0]["id"] == item["id"]  # the item kept its id
    with pytest.raises(cs.CaseError) as err:  # based on the version before the edit
        cs.update_case(engine, MANAGER, case_id, case_input("别的标题"), version=case["version"])
    assert err.value.code == "stale"
    assert cs.get_case(engine, STAFF, case_id)["title"] == "福利秒杀带动 UV 提升 30%"
    cs.update_case(engine, STAFF, case_id, edited, version=after["version"])  # nothing changed: no revision
    assert cs.get_case(engine, STAFF, case_id)["version"] == after["version"]


BAD_INPUT = [
    (dict(title="  "), "title_required", "标题"),
    (dict(title="长" * 256), "too_long", "标题"),
    (dict(case_date=None), "date_required", "日期"),
    (dict(case_date="30 days after today"), "future_date", "将来"),  # resolved at run time: the clock moves
    (dict(platform="weibo"), "bad_platform", "weibo"),
    (dict(highlights="", shortcomings="", improvements="", background=" "), "body_required", "正文"),
    (dict(tags=tuple(f"标签{i}" for i in range(13))), "too_many_tags", "13"),
    (dict(tags=("长" * 65,)), "tag_too_long", "标签"),
    (dict(session_ids=(99999,)), "unknown_session", "99999"),
    (dict(action_items=(cs.ItemInput("", due_on=DAY),)), "item_description_required", "第 1 行"),
    (
        dict(action_items=(cs.ItemInput("a"), cs.ItemInput("b", owner_person_id=424242))),
        "unknown_owner",
        "第 2 行",
    ),
    (dict(highlights="字" * (cs.MAX_TEXT + 1)), "too_long", "亮点"),
]


@pytest.mark.parametrize(
    ("change", "code", "shown"), BAD_INPUT, ids=[b[1] + str(i) for i, b in enumerate(BAD_INPUT)]
)
def test_bad_input_says_what_and_where_and_stores_nothing(engine, users, change, code, shown):
    if change.get("case_date") == "30 days after today":
        change = {"case_date": clock.today() + dt.timedelta(days=30)}
    with pytest.raises(cs.CaseError) as err:
        cs.create_case(engine, STAFF, case_input(**change))
    assert err.value.code == code
    assert shown in err.value.message("zh")
    assert err.value.message("en") != err.value.message("zh")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Case)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(CaseRevision)).scalar() == 0


def test_failed_edit_changes_nothing(engine, users):
    case_id = cs.create_case(engine, STAFF, case_input(action_items=(cs.ItemInput("任务一"),)))
    with pytest.raises(cs.CaseError):
        cs.update_case(
            engine, STAFF, case_id, case_input("新标题", action_items=(cs.ItemInput("", due_on=DAY),))
        )
    case = cs.get_case(engine, STAFF, case_id)
    assert case["title"] == "福利秒杀带动 UV 提升" and len(case["action_items"]) == 1 and case["version"] == 1


def test_action_items_overview_overdue_first_and_owner_home(engine, users):
    people = add_people(engine)
    owner = add_staff(engine, "t_host", people["林晓雨"])
    today = dt.date(2026, 10, 15)
    items = (
        cs.ItemInput("下周培训", people["林晓雨"], today + dt.timedelta(days=7)),
        cs.ItemInput("已逾期的脚本", people["林晓雨"], today - dt.timedelta(days=2)),
        cs.ItemInput("无截止日期", people["林晓雨"]),
        cs.ItemInput("别人的任务", people["王欣然"], today - dt.timedelta(days=5)),
    )
    case_id = cs.create_case(engine, STAFF, case_input(action_items=items))
    assert cs.action_items_for_user(engine, "t_host", today) == []  # a draft's tasks are not assigned yet
    cs.transition(engine, STAFF, case_id, "submit")
    mine = cs.action_items_for_user(engine, "t_host", today)
    assert [i["description"] for i in mine] == ["已逾期的脚本", "下周培训", "无截止日期"]
    assert [i["overdue"] for i in mine] == [True, False, False]
    overview = cs.action_items_overview(engine, MANAGER, today=today)
    assert [i["description"] for i in overview] == ["别人的任务", "已逾期的脚本", "下周培训", "无截止日期"]
    assert (
        cs.action_items_overview(engine, STAFF, owner_person_id=people["王欣然"], today=today)[0]["owner"]
        == "王欣然"
    )
    # the owner marks theirs done; someone unrelated may not
    stranger = add_staff(engine, "t_stranger", people["吴昊"])
    with pytest.raises(cs.CaseError) as err:
        cs.set_item_status(engine, stranger, mine[0]["id"], "done")
    assert err.value.code == "item_not_yours"
    cs.set_item_status(engine, owner, mine[0]["id"], "done")
    assert [i["description"] for i in cs.action_items_for_user(engine, "t_host", today)] == [
        "下周培训",
        "无截止日期",
    ]
    assert cs.action_items_for_user(engine, "t_staff", today) == []  # no roster person linked
    with engine.connect() as conn:
        assert (
            conn.execute(select(ActionItem.status).where(ActionItem.id == mine[0]["id"])).scalar() == "done"
        )


def test_linked_sessions_compare_with_hosts_previous_sessions(engine, users):
    people = add_people(engine)
    pid = people["林晓雨"]
    for k, (gmv, viewers, buyers) in enumerate([(80_000, 4000, 120), (100_000, 6000, 180)]):
        add_session(engine, pid, "林晓雨", DAY - dt.timedelta(days=2 - k), gmv, viewers, buyers)
    add_session(engine, people["王欣然"], "王欣然", DAY - dt.timedelta(days=1), 1, 1, 1)  # another host
    sid = add_session(engine, pid, "林晓雨", DAY, 117_000, 6500, 260)
    [linked] = cs.linked_sessions(engine, (sid,))
    assert linked["previous_count"] == 2
    assert linked["metrics"]["gmv"] == 117_000
    # A typical previous session: totals per session (never the sum of five against one), ratios from sums.
    assert linked["previous"]["gmv"] == pytest.approx(90_000)
    assert linked["previous"]["viewers"] == pytest.approx(5_000)
    assert linked["change"]["gmv"] == pytest.approx(117_000 / 90_000 - 1)
    assert linked["previous"]["conversion_rate"] == pytest.approx(300 / 10_000)  # re-divided from sums
    assert linked["change"]["conversion_rate"] == pytest.approx((260 / 6500) / (300 / 10_000) - 1)
    assert linked["previous"]["uv_value"] == pytest.approx(18.0)
    assert linked["change"]["uv_value"] == pytest.approx(18.0 / 18.0 - 1)


def test_prefill_from_session_has_numbers_against_target(engine, users):
    people = add_people(engine)
    sid = add_session(engine, people["林晓雨"], "林晓雨", DAY, 85_000, 6000, 150)
    pre = cs.session_prefill(engine, sid, MANAGER, "zh")
    assert pre["session_ids"] == (sid,) and pre["case_date"] == DAY and pre["platform"] == "douyin"
    assert "林晓雨" in pre["title"]
    assert "¥85,000" in pre["background"] and "¥100,000" in pre["background"] and "85.0%" in pre["background"]
    assert cs.session_prefill(engine, 987654, MANAGER, "zh") is None
    host = STAFF._replace(person_id=people["林晓雨"])  # staff link the sessions they hosted
    case_id = cs.create_case(engine, host, case_input(**{k: v for k, v in pre.items()}))
    assert cs.get_case(engine, STAFF, case_id)["session_ids"] == [sid]
