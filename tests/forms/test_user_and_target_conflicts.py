"""Users: an edit based on an older version is refused (who, when), the typed choice stays; the add form
writes once and closes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lib import auth, forms
from lib.db import write
from lib.models import User
from tests.conftest import TEST_PASSWORD


def user_row(engine, name: str):
    with engine.connect() as conn:
        return conn.execute(select(User.role, User.active, User.version).where(User.username == name)).one()


def test_stale_user_edit_is_refused_naming_who_and_when(engine, users, clock_at):
    clock_at("2026-12-01T09:30")
    base = user_row(engine, "t_staff").version
    with write(engine) as conn:  # admin A promotes
        auth.update_user(conn, "t_staff", "t_admin", role="manager", version=base)
    with pytest.raises(forms.StaleEdit) as err, write(engine) as conn:  # admin B, same starting version
        auth.update_user(conn, "t_staff", "t_admin", active=False, version=base)
    assert err.value.by == "Test admin" and err.value.at.strftime("%H:%M") == "09:30"
    assert tuple(user_row(engine, "t_staff")) == (
        "manager",
        True,
        base + 1,
    )  # A's change kept, B's not applied


def test_user_edit_page_shows_conflict_and_keeps_choice(engine, run_page, clock_at):
    clock_at("2026-12-01T09:30")
    b = run_page("users", "admin")
    b.selectbox(key="edit_username").set_value("t_staff").run()
    with write(engine) as conn:  # another admin changes the same user meanwhile
        auth.update_user(conn, "t_staff", "t_admin", role="manager")
    b.selectbox(key="edit_role").set_value("admin")
    b.button[[x.label for x in b.button].index("保存")].click().run()
    assert not b.exception
    [error] = [e.value for e in b.error]
    assert "Test admin" in error and "2026-12-01 09:30" in error
    assert b.selectbox(key="edit_role").value == "admin"  # the typed choice is still in the form
    assert user_row(engine, "t_staff").role == "manager"
    b.button[[x.label for x in b.button].index("保存")].click().run()  # deliberate second save
    assert not b.error and user_row(engine, "t_staff").role == "admin"
    assert any(x.key == "user_edit:t_staff_reopen" for x in b.button)  # closed after the save


def test_add_user_form_writes_once(engine, run_page):
    at = run_page("users", "admin")
    token = at.session_state["_form.user_add"]["token"]

    def fill_and_submit() -> None:
        at.text_input(key="new_username").input("new_host")
        at.text_input(key="new_password").input(TEST_PASSWORD)
        at.button[[x.label for x in at.button].index("新增用户")].click().run()

    fill_and_submit()
    assert not at.exception and not at.error
    at.session_state["_form.user_add"] = {"token": token, "closed": None}  # the same submission again
    at.run()
    fill_and_submit()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(User.username == "new_host")).scalar() == 1
    assert any("已保存，未重复提交" in s.value for s in at.success)
