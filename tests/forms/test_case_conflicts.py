"""Lost update on cases: a save based on an older version is refused with who/when, the first save's data
stays, and the page keeps the second editor's text. A case form's token writes once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lib import cases as cs
from lib.core import forms
from lib.core.models import Case, User
from tests.cases.case_data import MANAGER, STAFF, case_input


def test_second_editor_of_the_same_version_is_refused_and_first_save_kept(engine, users, clock_at):
    clock_at("2026-12-01T10:15")
    case_id = cs.create_case(engine, STAFF, case_input("原标题"))
    base = cs.get_case(engine, STAFF, case_id)["version"]  # both editors open this version
    cs.update_case(engine, STAFF, case_id, case_input("A 的标题", highlights="A 写的亮点"), version=base)
    with pytest.raises(cs.CaseError) as err:
        cs.update_case(
            engine, MANAGER, case_id, case_input("B 的标题", highlights="B 写的亮点"), version=base
        )
    assert err.value.code == "stale"
    message = err.value.message("zh", markdown=False)
    assert "Test staff" in message and "2026-12-01 10:15" in message  # who saved in between, and when
    kept = cs.get_case(engine, STAFF, case_id)
    assert (kept["title"], kept["highlights"]) == ("A 的标题", "A 写的亮点")
    assert kept["version"] == base + 1 and len(kept["revisions"]) == 2
    # B, having seen the conflict, saves on the new version: accepted.
    cs.update_case(engine, MANAGER, case_id, case_input("B 的标题"), version=kept["version"])
    assert cs.get_case(engine, STAFF, case_id)["title"] == "B 的标题"


def test_workflow_steps_move_the_version(engine, users):
    case_id = cs.create_case(engine, STAFF, case_input())
    base = cs.get_case(engine, STAFF, case_id)["version"]
    cs.transition(engine, STAFF, case_id, "submit")
    cs.transition(engine, MANAGER, case_id, "send_back", "补充数据")
    with pytest.raises(cs.CaseError) as err:  # an editor opened before the send-back
        cs.update_case(engine, STAFF, case_id, case_input("旧版本上的修改"), version=base)
    assert err.value.code == "stale"


def test_version_is_compared_in_the_update_itself(engine, users):
    """Two writers that both read version 1: the UPDATE ... WHERE version = 1 matches for one only."""
    with engine.begin() as conn:
        user_id = conn.execute(select(User.id).where(User.username == "t_staff")).scalar()
    table = User.__table__
    with engine.begin() as conn:
        assert forms.update_if_version(conn, table, table.c.id == user_id, 1, {"display_name": "A"})
    with engine.begin() as conn:
        assert not forms.update_if_version(conn, table, table.c.id == user_id, 1, {"display_name": "B"})
    with engine.connect() as conn:
        assert conn.execute(select(User.display_name, User.version).where(User.id == user_id)).one() == (
            "A",
            2,
        )


def test_case_token_creates_one_case(engine, users):
    token = forms.new_token()
    first = cs.create_case(engine, STAFF, case_input(), token=token)
    with pytest.raises(forms.AlreadySubmitted):
        cs.create_case(engine, STAFF, case_input(), token=token)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Case)).scalar() == 1
    assert forms.result_of(engine, token) == first


# --- the page -------------------------------------------------------------------------------------


def test_editor_shows_the_conflict_and_keeps_b_text(engine, run_page, clock_at):
    clock_at("2026-12-01T10:15")
    case_id = cs.create_case(engine, STAFF, case_input("原标题"))
    b = run_page("cases", "manager", query={"edit": str(case_id)})  # B opens the editor
    assert b.text_input(key="ed_title").value == "原标题"
    clock_at("2026-12-01T10:20")
    cs.update_case(
        engine, STAFF, case_id, case_input("A 的标题", highlights="A 写的亮点"), version=1
    )  # A saves
    b.text_input(key="ed_title").input("B 的标题")
    b.text_area(key="ed_highlights").input("B 写了很久的亮点")
    b.button(key="ed_save").click().run()
    assert not b.exception
    [error] = [e.value.replace("\\", "") for e in b.error]  # Markdown source: unescape
    assert "未保存" in error and "Test staff" in error and "2026-12-01 10:20" in error
    assert b.text_input(key="ed_title").value == "B 的标题"  # B's text is still in the widgets
    assert b.text_area(key="ed_highlights").value == "B 写了很久的亮点"
    assert cs.get_case(engine, STAFF, case_id)["title"] == "A 的标题"  # A's save is intact
    # A second, deliberate save keeps B's version.
    b.button(key="ed_save").click().run()
    assert not b.error
    saved = cs.get_case(engine, STAFF, case_id)
    assert (saved["title"], saved["highlights"]) == ("B 的标题", "B 写了很久的亮点")


def test_new_case_form_closes_and_a_used_token_writes_nothing(engine, run_page):
    at = run_page("cases", "staff", query={"new": "1"})
    token = at.session_state["_form.case:new"]["token"]
    at.text_input(key="ed_title").input("直播间福利节奏复盘")
    at.text_area(key="ed_highlights").input("福利带动 UV 提升 30%")
    at.button(key="ed_save").click().run()
    assert "已保存草稿。" in [s.value for s in at.success]
    # The old run's query string comes back with the same token (a second tap during the save).
    at.query_params.clear()
    at.query_params["new"] = "1"
    at.session_state["_form.case:new"] = {"token": token, "closed": None}
    at.run()
    at.text_input(key="ed_title").input("直播间福利节奏复盘")
    at.text_area(key="ed_highlights").input("福利带动 UV 提升 30%")
    at.button(key="ed_save").click().run()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Case)).scalar() == 1
    assert any("已保存，未重复提交" in s.value for s in at.success)


def test_workflow_step_repeated_with_the_same_version_is_taken_once(engine, users):
    case_id = cs.create_case(engine, STAFF, case_input())
    cs.transition(engine, STAFF, case_id, "submit")
    shown = cs.get_case(engine, MANAGER, case_id)["version"]  # the manager's publish button
    cs.transition(engine, MANAGER, case_id, "publish", version=shown)
    with pytest.raises(forms.AlreadySubmitted):  # the second tap of the same button
        cs.transition(engine, MANAGER, case_id, "publish", version=shown)
    case = cs.get_case(engine, MANAGER, case_id)
    assert case["status"] == "published"
    assert [r["changes"].get("status") for r in case["revisions"]][-1] == ["submitted", "published"]
    assert len(case["revisions"]) == 3  # create, submit, publish: no second publish revision
    with pytest.raises(cs.CaseError) as err:  # a step shown for an older version, not a repeat: stale
        cs.transition(engine, MANAGER, case_id, "archive", version=shown)
    assert err.value.code == "stale"


def test_concurrent_editors_of_one_version_one_wins(engine, users):
    """Six editors save the same version at once (own connections): one save, five stale refusals."""
    import threading

    case_id = cs.create_case(engine, STAFF, case_input("原标题"))
    base = cs.get_case(engine, STAFF, case_id)["version"]
    barrier, outcomes = threading.Barrier(6), []

    def save(i: int) -> None:
        barrier.wait()
        try:
            cs.update_case(engine, MANAGER, case_id, case_input(f"标题 {i}"), version=base)
            outcomes.append("saved")
        except cs.CaseError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sorted(outcomes) == ["saved"] + ["stale"] * 5
    case = cs.get_case(engine, STAFF, case_id)
    assert case["version"] == base + 1 and len(case["revisions"]) == 2
