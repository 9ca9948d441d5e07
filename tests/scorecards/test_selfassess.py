"""The monthly self-assessment: the person writes, their team's manager reads and comments, admins read;
nobody else, by the domain or by the page (AppTest); audited without its text; write-once forms; the
editing window; what was typed shown inert."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update

from lib import importing
from lib import scorecards as sc
from lib.core import db, forms
from lib.core.auth import CurrentUser, add_user
from lib.core.models import AuditLog, Person, User
from tests.conftest import TEST_PASSWORD

SA = sc.selfassess
TEXTS = {
    "strengths": "按时开播 12 场",
    "shortfalls": "复盘报告晚交两次",
    "next_plan": "每场结束后 1 小时内导出数据",
}
HOSTILE = "<b>粗体</b> **星号** [链接](http://x.example) <script>alert(1)</script>"


@pytest.fixture
def people(engine, samples, users) -> dict[str, int]:
    assert importing.import_bytes(engine, (samples / "roster.csv").read_bytes(), "roster.csv", "t").ok
    with engine.connect() as conn:
        ids = dict(conn.execute(select(Person.name, Person.id)).all())
    with db.write(engine) as conn:
        add_user(conn, "t_staff2", TEST_PASSWORD, "staff", display_name="唐颖")
        for username, name in (
            ("t_staff", "韩雪"),  # 客服 A组
            ("t_staff2", "唐颖"),  # 客服 B组
            ("t_manager", "吴昊"),  # 运营 A组: 韩雪's team manager, not 唐颖's
            ("t_admin", "高远"),
        ):
            conn.execute(update(User).where(User.username == username).values(person_id=ids[name]))
    return ids


def user(engine, username: str) -> CurrentUser:
    with engine.connect() as conn:
        row = conn.execute(
            select(User.id, User.username, User.display_name, User.role, User.person_id).where(
                User.username == username
            )
        ).one()
    return CurrentUser(row.id, row.username, row.display_name, row.role, row.person_id)


TODAY = dt.date(2026, 12, 5)


def test_who_may_read_and_comment(engine, people):
    staff, other, manager, admin = (user(engine, u) for u in ("t_staff", "t_staff2", "t_manager", "t_admin"))
    SA.save(engine, staff, "2026-11", TEXTS, today=TODAY)
    assert SA.read(engine, staff, people["韩雪"], "2026-11").strengths == TEXTS["strengths"]
    assert SA.read(engine, manager, people["韩雪"], "2026-11").next_plan == TEXTS["next_plan"]
    assert SA.read(engine, admin, people["韩雪"], "2026-11").shortfalls == TEXTS["shortfalls"]
    with pytest.raises(SA.AssessmentError) as refused:
        SA.read(engine, other, people["韩雪"], "2026-11")  # another staff member
    assert refused.value.code == "forbidden"
    with pytest.raises(SA.AssessmentError):
        SA.read(engine, manager, people["唐颖"], "2026-11")  # a manager of another team
    with pytest.raises(SA.AssessmentError) as refused:
        SA.comment(engine, admin, people["韩雪"], "2026-11", "好", 1, today=TODAY)  # admins read only
    assert refused.value.code == "not_manager"
    SA.comment(engine, manager, people["韩雪"], "2026-11", "继续保持", 1, today=TODAY)
    found = SA.read(engine, staff, people["韩雪"], "2026-11")
    assert (found.manager_comment, found.commented_by, found.version) == ("继续保持", "t_manager", 2)
    with pytest.raises(SA.AssessmentError) as refused:
        SA.comment(engine, manager, people["韩雪"], "2026-12", "x", 1, today=TODAY)
    assert refused.value.code == "not_written"


def test_without_a_team_the_department_manager(engine, people):
    with db.write(engine) as conn:
        conn.execute(update(Person).where(Person.name == "唐颖").values(team_id=None))
        dept = conn.execute(select(Person.department_id).where(Person.name == "唐颖")).scalar_one()
        conn.execute(update(Person).where(Person.name == "吴昊").values(department_id=dept))
    manager, staff2 = user(engine, "t_manager"), user(engine, "t_staff2")
    SA.save(engine, staff2, "2026-11", TEXTS, today=TODAY)
    assert SA.read(engine, manager, people["唐颖"], "2026-11") is not None


def test_saves_are_audited_without_their_text(engine, people):
    staff, manager = user(engine, "t_staff"), user(engine, "t_manager")
    SA.save(engine, staff, "2026-11", TEXTS, today=TODAY)
    SA.comment(engine, manager, people["韩雪"], "2026-11", "继续保持", 1, today=TODAY)
    with engine.connect() as conn:
        rows = conn.execute(
            select(AuditLog.username, AuditLog.action, AuditLog.detail)
            .where(AuditLog.action.like("self_assessment%"))
            .order_by(AuditLog.id)
        ).all()
    assert [(r.username, r.action) for r in rows] == [
        ("t_staff", "self_assessment.save"),
        ("t_manager", "self_assessment.comment"),
    ]
    detail = json.loads(rows[0].detail)
    assert detail["month"] == "2026-11" and detail["strengths"] == len(TEXTS["strengths"])
    assert all(text not in "".join(r.detail for r in rows) for text in (*TEXTS.values(), "继续保持"))


@pytest.mark.parametrize(
    ("month", "today", "writable", "commentable"),
    [
        ("2026-11", dt.date(2026, 11, 1), True, True),
        ("2026-11", dt.date(2026, 12, 7), True, True),  # the month closes + 7 days
        ("2026-11", dt.date(2026, 12, 8), False, True),
        ("2026-11", dt.date(2026, 12, 14), False, True),  # + 14 days for the manager
        ("2026-11", dt.date(2026, 12, 15), False, False),
        ("2027-01", dt.date(2026, 12, 5), False, False),  # not begun
    ],
)
def test_editing_window(month, today, writable, commentable):
    w = SA.window(month, today)
    assert (w.writable, w.commentable) == (writable, commentable)


def test_refusals_name_the_field_and_keep_what_is_stored(engine, people):
    staff = user(engine, "t_staff")
    SA.save(engine, staff, "2026-11", TEXTS, today=TODAY)
    for texts, code, field in (
        (TEXTS | {"shortfalls": "   "}, "required", "shortfalls"),
        (TEXTS | {"next_plan": "字" * (SA.TEXT_MAX + 1)}, "too_long", "next_plan"),
    ):
        with pytest.raises(SA.AssessmentError) as refused:
            SA.save(engine, staff, "2026-11", texts, version=1, today=TODAY)
        assert (refused.value.code, refused.value.params["field"]) == (code, field)
    with pytest.raises(SA.AssessmentError) as refused:
        SA.save(engine, staff, "2026-10", TEXTS, today=TODAY)  # closed on 11-07
    assert refused.value.code == "closed"
    assert SA.read(engine, staff, people["韩雪"], "2026-11").version == 1
    with pytest.raises(SA.AssessmentError) as refused:
        SA.save(engine, CurrentUser(0, "x", "x", "staff", None), "2026-11", TEXTS)
    assert refused.value.code == "not_linked"


def test_double_submit_and_stale_edit(engine, people):
    staff = user(engine, "t_staff")
    token = forms.new_token()
    SA.save(engine, staff, "2026-11", TEXTS, token=token, today=TODAY)
    with pytest.raises(forms.AlreadySubmitted):
        SA.save(engine, staff, "2026-11", TEXTS | {"strengths": "again"}, token=token, today=TODAY)
    with pytest.raises(forms.StaleEdit):  # the form loaded before the first save (version 0)
        SA.save(engine, staff, "2026-11", TEXTS, version=0, today=TODAY)
    SA.save(engine, staff, "2026-11", TEXTS | {"strengths": "改过"}, version=1, today=TODAY)
    with pytest.raises(forms.StaleEdit):  # a second tab still on version 1
        SA.save(engine, staff, "2026-11", TEXTS, version=1, today=TODAY)
    assert SA.read(engine, staff, people["韩雪"], "2026-11").strengths == "改过"


# --- the page ---------------------------------------------------------------------------------------------


def _texts(at) -> str:
    return "\n".join(
        str(e.value)
        for kind in ("text", "markdown", "caption", "info", "subheader")
        for e in getattr(at, kind)
    )


def test_page_staff_writes_and_another_staff_cannot_read_it(engine, people, run_page, clock_at):
    clock_at("2026-12-05T10:00:00")
    at = run_page("scorecards", "staff", query={"month": "2026-11"})
    assert not at.exception and any("尚未填写自评" in i.value for i in at.info)
    for field, value in (TEXTS | {"strengths": HOSTILE}).items():
        at.text_area(key=f"sa_write_{field}_2026-11").input(value)
    next(b for b in at.button if b.label == "保存").click()
    at.run()
    assert not at.exception and any("自评已保存" in s.value for s in at.success)
    assert HOSTILE in [e.value for e in at.text]  # shown as typed, as plain text
    assert all("<b>" not in m.value and "星号" not in m.value for m in at.markdown)
    # 唐颖 (another team's staff) asks for 韩雪's card: her own card, nothing of 韩雪's assessment
    other = _as("t_staff2", {"month": "2026-11", "person": str(people["韩雪"])})
    assert not other.exception
    text = _texts(other)
    assert "粗体" not in text and TEXTS["shortfalls"] not in text and "唐颖" in text


def _as(username: str, query: dict):
    from tests.conftest import app_test

    at = app_test("pages/scorecards.py", username)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_page_manager_reads_own_team_and_comments(engine, people, clock_at):
    clock_at("2026-12-05T10:00:00")
    SA.save(engine, user(engine, "t_staff"), "2026-11", TEXTS, today=TODAY)
    at = _as("t_manager", {"month": "2026-11", "person": str(people["韩雪"])})
    assert not at.exception and TEXTS["shortfalls"] in [e.value for e in at.text]
    at.text_area(key=f"sa_comment_{people['韩雪']}_2026-11").input("下月多做复盘")
    next(b for b in at.button if b.label == "保存" and "sa_comment" in str(b.form_id)).click()
    at.run()
    assert not at.exception
    assert (
        SA.read(engine, user(engine, "t_staff"), people["韩雪"], "2026-11").manager_comment == "下月多做复盘"
    )
    # the same manager on 唐颖's card (another team): the card, not the assessment
    SA.save(engine, user(engine, "t_staff2"), "2026-11", TEXTS | {"strengths": "唐颖的优势"}, today=TODAY)
    at = _as("t_manager", {"month": "2026-11", "person": str(people["唐颖"])})
    assert not at.exception
    assert "唐颖的优势" not in _texts(at) and any("仅本人" in c.value for c in at.caption)
    # an admin reads it
    at = _as("t_admin", {"month": "2026-11", "person": str(people["唐颖"])})
    assert not at.exception and "唐颖的优势" in [e.value for e in at.text]
