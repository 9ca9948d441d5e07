"""Users and targets: an edit based on an older version is refused (who, when), the typed input stays;
the users add form writes once and closes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lib.core import auth, forms
from lib.core.db import write
from lib.core.models import User
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
    [error] = [e.value.replace("\\", "") for e in b.error]  # Markdown source: unescape
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


# --- targets --------------------------------------------------------------------------------------


def target_values(engine, month: str) -> list[tuple]:
    from lib.core.models import Target

    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(Target.value, Target.set_by)
                .where(Target.metric == "gmv", Target.month_from == month)
                .order_by(Target.id)
            )
        ]


def test_stale_target_is_refused_and_the_first_kept(engine, users, clock_at):
    from lib import targets

    clock_at("2026-12-01T11:05")
    base = targets.latest_target_id(engine, "gmv", "all", "", "2026-12")  # both managers see none
    assert base is None
    targets.set_target(engine, "t_manager", "gmv", "all", "", "2026-12", "at_least", 120_000, based_on=base)
    with pytest.raises(forms.StaleEdit) as err:
        targets.set_target(engine, "t_admin", "gmv", "all", "", "2026-12", "at_least", 150_000, based_on=base)
    assert err.value.by == "t_manager" and err.value.at.strftime("%Y-%m-%d %H:%M") == "2026-12-01 11:05"
    assert target_values(engine, "2026-12") == [(120_000, "t_manager")]


def test_concurrent_setters_from_one_version_store_one_target(engine, users):
    import threading

    from lib import targets

    barrier, outcomes = threading.Barrier(6), []

    def setter(i: int) -> None:
        barrier.wait()
        try:
            targets.set_target(
                engine, f"m{i}", "gmv", "all", "", "2027-01", "at_least", 100_000 + i, based_on=None
            )
            outcomes.append("saved")
        except forms.StaleEdit:
            outcomes.append("stale")

    threads = [threading.Thread(target=setter, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sorted(outcomes) == ["saved"] + ["stale"] * 5
    assert len(target_values(engine, "2027-01")) == 1


def test_targets_page_shows_conflict_and_keeps_typed_value(engine, run_page, clock_at):
    from lib import targets

    clock_at("2026-12-01T11:05")
    b = run_page("targets", "manager")
    b.number_input(key="targets_value").set_value(150_000.0).run()  # B is typing
    targets.set_target(engine, "t_admin", "gmv", "all", "", "2026-12", "at_least", 120_000, based_on=None)
    b.button(key="targets_submit").click().run()
    [error] = [e.value.replace("\\", "") for e in b.error]
    assert "t_admin" in error and "2026-12-01 11:05" in error
    assert b.number_input(key="targets_value").value == 150_000.0
    assert target_values(engine, "2026-12") == [(120_000, "t_admin")]
    b.button(key="targets_submit").click().run()  # deliberate replacement
    assert not b.error
    assert target_values(engine, "2026-12")[-1] == (150_000, "t_manager")
    assert not [x for x in b.button if x.key == "targets_submit"]  # closed after the save


def test_new_user_defaults_to_least_privilege(engine, run_page):
    at = run_page("users", "admin")
    assert at.selectbox(key="new_role").value == "staff"
    at.text_input(key="new_username").input("quiet_user")
    at.text_input(key="new_password").input(TEST_PASSWORD)
    at.button[[x.label for x in at.button].index("新增用户")].click().run()
    with engine.connect() as conn:
        assert conn.execute(select(User.role).where(User.username == "quiet_user")).scalar() == "staff"
