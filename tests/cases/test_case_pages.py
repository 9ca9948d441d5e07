"""pages/cases.py under AppTest: writing and reviewing through the page, privacy of drafts, search with
its no-match message, browse, the action-items view, session pre-fill, bad input messages, safe text."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from lib import cases as cs
from lib.core import clock
from lib.core.models import Case
from tests.cases.case_data import DAY, MANAGER, STAFF, add_people, add_session, add_staff, case_input
from tests.conftest import app_test

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def texts(at, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def no_raw_html(at) -> None:
    """Nothing on the page was rendered with unsafe_allow_html."""
    for el in at.markdown:
        assert not el.proto.allow_html, el.value


def test_staff_writes_and_submits_through_the_page(run_page, engine):
    at = run_page("cases", "staff", query={"new": "1"})
    assert not at.exception
    at.text_input(key="ed_title").input("直播间福利节奏复盘")
    at.text_area(key="ed_highlights").input("福利带动 UV 提升 30%")
    at.text_input(key="ed_tags").input("福利节奏，UV")
    at.text_input(key="ed_item_desc_0").input("优化脚本时长")
    at.button(key="ed_save_submit").click().run()
    assert not at.exception, at.exception
    assert "已保存并提交审核。" in texts(at, "success")
    [case] = cs.search(engine, MANAGER, cs.CaseQuery("福利节奏"))["rows"]
    assert (
        case["status"] == "submitted" and case["author"] == "t_staff" and case["tags"] == ["UV", "福利节奏"]
    )
    assert at.query_params["case"] == [str(case["id"])] or at.query_params["case"] == str(case["id"])
    assert not [b for b in at.button if b.key == "cv_publish"]  # staff has no publish button


def test_bad_input_shows_message_and_keeps_typed_text(run_page, engine):
    at = run_page("cases", "staff", query={"new": "1"})
    at.text_area(key="ed_highlights").input("写了亮点但没写标题")
    at.button(key="ed_save").click().run()
    assert "标题：请填写标题。" in texts(at, "error")
    assert at.text_area(key="ed_highlights").value == "写了亮点但没写标题"
    at.text_input(key="ed_title").input("有标题了")
    at.date_input(key="ed_item_due_0").set_value(DAY)
    at.button(key="ed_save").click().run()
    assert "行动项第 1 行：请填写任务内容（已填写负责人或截止日期）。" in texts(at, "error")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Case)).scalar() == 0


def test_manager_publishes_and_sends_back_with_comment(run_page, engine):
    case_id = cs.create_case(engine, STAFF, case_input())
    cs.transition(engine, STAFF, case_id, "submit")
    at = run_page("cases", "manager", query={"case": str(case_id)})
    at.button(key="cv_send_back").click().run()
    assert "审核意见：退回修改时必须写明原因。" in texts(at, "error")
    at.text_area(key="cv_comment").input("请补充<b>数据</b>对比")
    at.button(key="cv_send_back").click().run()
    assert not at.exception
    assert cs.get_case(engine, MANAGER, case_id)["status"] == "draft"
    # the author sees the comment as text
    staff = run_page("cases", "staff", query={"case": str(case_id)})
    assert any("请补充\\<b\\>数据\\</b\\>对比" in w for w in texts(staff, "warning"))
    cs.transition(engine, STAFF, case_id, "submit")
    at = run_page("cases", "manager", query={"case": str(case_id)})
    at.button(key="cv_publish").click().run()
    assert cs.get_case(engine, MANAGER, case_id)["status"] == "published"
    assert "已发布，所有人可见。" in texts(at, "success")


def test_drafts_are_private_on_the_page(run_page, engine):
    add_staff(engine, "t_staff2")
    case_id = cs.create_case(engine, STAFF, case_input("只有我能看的草稿"))
    at = app_test("pages/cases.py", "t_staff2")
    at.query_params["case"] = str(case_id)
    at.run()
    assert f"案例 {case_id} 不存在，或您无权查看。" in texts(at, "warning")
    assert not any("只有我能看的草稿" in m for m in texts(at, "markdown") + [t.value for t in at.title])
    at = app_test("pages/cases.py", "t_staff2")
    at.query_params["edit"] = str(case_id)
    at.run()
    assert f"案例 {case_id} 不存在，或您无权查看。" in texts(at, "warning")
    assert not [b for b in at.button if b.key == "ed_save"]


def test_hostile_text_is_shown_as_text(run_page, engine):
    case_id = cs.create_case(engine, STAFF, case_input(HOSTILE, background=HOSTILE, tags=("<b>x</b>",)))
    at = run_page("cases", "staff", query={"case": str(case_id)})
    assert not at.exception
    no_raw_html(at)
    assert any("&lt;script>" in m for m in texts(at, "markdown"))
    assert "<script>" not in at.title[0].value


def test_search_views(run_page, engine):
    add_people(engine)
    for title, category in (("福利秒杀复盘", "促单技巧"), ("Script timing", "主播成长")):
        cid = cs.create_case(engine, STAFF, case_input(title, category=category))
        cs.transition(engine, STAFF, cid, "submit")
        cs.transition(engine, MANAGER, cid, "publish")
    at = run_page("cases", "staff")
    at.text_input(key="q").input("复盘").run()
    assert "共 1 个案例" in texts(at, "caption")
    assert any("**复盘**" in m for m in texts(at, "markdown"))
    at.text_input(key="q").input("<script>没有</script>").run()
    no_match = [i for i in texts(at, "info") if "没有找到符合条件的案例" in i]
    assert no_match and "\\<script\\>" in no_match[0]
    no_raw_html(at)
    # browse: a category button opens the search filtered by it
    at.text_input(key="q").input("").run()
    at.radio(key="cases_view").set_value("browse").run()
    at.button(key="cat_主播成长").click().run()
    assert at.radio(key="cases_view").value == "search"
    assert at.selectbox(key="f_category").value == "主播成长"
    assert "共 1 个案例" in texts(at, "caption")


def test_english_page_and_action_items_view(engine, users):
    people = add_people(engine)
    cid = cs.create_case(
        engine,
        STAFF,
        case_input(
            action_items=(
                cs.ItemInput("Late task", people["林晓雨"], clock.today() - dt.timedelta(days=3)),
                cs.ItemInput("Next task", people["王欣然"], clock.today() + dt.timedelta(days=3)),
            )
        ),
    )
    cs.transition(engine, STAFF, cid, "submit")
    # One run with the view preset: AppTest formats a radio's options in the test's language on rerun.
    at = app_test("pages/cases.py", "t_manager")
    at.session_state["lang"] = "en"
    at.session_state["cases_view"] = "actions"
    at.run()
    assert at.title[0].value == "Case library"
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame.iloc[:, 3]) == ["Late task", "Next task"]
    assert frame.iloc[0, 0].endswith("Overdue")
    assert "2 items, 1 overdue" in texts(at, "caption")


def test_new_from_session_prefills(run_page, engine):
    people = add_people(engine)
    sid = add_session(engine, people["林晓雨"], "林晓雨", DAY, 85_000, 6000, 150)
    at = run_page("cases", "manager", query={"new_from_session": str(sid)})
    assert not at.exception
    assert "林晓雨" in at.text_input(key="ed_title").value
    assert "¥85,000" in at.text_area(key="ed_background").value
    assert at.multiselect(key="ed_sessions").value == [sid]
    assert at.date_input(key="ed_case_date").value == DAY
    bad = run_page("cases", "staff", query={"new_from_session": "abc"})
    assert "链接中的编号“abc”不是数字。" in texts(bad, "error")
    missing = run_page("cases", "manager", query={"new_from_session": "424242"})
    assert "场次 424242 不存在。" in texts(missing, "warning")
    # staff: the same words whether it is missing or another host's (tests/review/test_review_staff.py)
    missing = run_page("cases", "staff", query={"new_from_session": "424242"})
    assert "无法打开场次 424242：它不存在，或不是您主播的场次（员工只能查看自己主播的场次）。" in texts(
        missing, "warning"
    )


def test_case_view_shows_linked_session_numbers(run_page, engine):
    people = add_people(engine)
    add_session(engine, people["林晓雨"], "林晓雨", DAY - dt.timedelta(days=1), 100_000, 5000, 150)
    sid = add_session(engine, people["林晓雨"], "林晓雨", DAY, 130_000, 6500, 260)
    host = STAFF._replace(person_id=people["林晓雨"])  # staff link the sessions they hosted
    cid = cs.create_case(engine, host, case_input(session_ids=(sid,)))
    at = run_page("cases", "staff", query={"case": str(cid)})
    gmv = next(m for m in at.metric if m.label == "成交金额")
    assert gmv.value == "¥13万" and gmv.delta == "+30.0%"  # a Chinese tile reads 万, exact in its help
    assert "¥130,000" in gmv.proto.help
    viewers = next(m for m in at.metric if m.label == "场观")
    assert viewers.delta == "+30.0%"


def test_adding_an_action_item_row_keeps_what_was_typed(run_page, engine):
    at = run_page("cases", "staff", query={"new": "1"})
    at.text_input(key="ed_title").input("加一行也不丢字")
    at.text_area(key="ed_highlights").input("开场福利")
    at.text_input(key="ed_item_desc_0").input("第一项")
    at.button(key="ed_add_item").click().run()
    assert not at.exception, at.exception
    assert at.text_input(key="ed_title").value == "加一行也不丢字"
    assert at.text_area(key="ed_highlights").value == "开场福利"
    assert at.text_input(key="ed_item_desc_0").value == "第一项"
    at.text_input(key="ed_item_desc_1").input("第二项")
    at.button(key="ed_save").click().run()
    assert not at.exception, at.exception
    [case] = cs.search(engine, STAFF, cs.CaseQuery("加一行"))["rows"]
    items = cs.get_case(engine, STAFF, case["id"])["action_items"]
    assert [i["description"] for i in items] == ["第一项", "第二项"]
    with engine.connect() as conn:  # adding a row saved nothing by itself
        assert conn.execute(select(func.count()).select_from(Case)).scalar() == 1


def test_history_names_platforms_and_statuses(run_page, engine):
    cid = cs.create_case(engine, STAFF, case_input(platform="douyin"))
    cs.update_case(engine, STAFF, cid, case_input(platform="kuaishou"), version=None)
    cs.transition(engine, STAFF, cid, "submit")
    at = run_page("cases", "manager", query={"case": str(cid)})
    history = "\n".join(c.value for c in at.code)
    assert "- 抖音" in history and "+ 快手" in history and "+ 待审核" in history
    assert "douyin" not in history and "submitted" not in history
