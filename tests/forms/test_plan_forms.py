"""The schedule editor's writes are write-once (lib/web/form_ui.py): a form token per rendered form, so a
double tap or a rerun carrying the old values adds, copies or imports nothing a second time."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lib import plan
from lib.core import forms
from lib.core.models import PlannedSession
from tests.plan.helpers import planned

SAMPLE = "schedule_2026-11-02_2026-11-08.csv"


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(PlannedSession)).scalar()


def a_plan(**extra) -> plan.PlanInput:
    raw = {"platform": "douyin", "account": "a", "host_name": "林晓雨", "starts_at": "2026-11-04 19:00"}
    return plan.validate(raw | {"minutes": 120} | extra)


def test_same_token_saves_once_and_a_refusal_keeps_it(engine, users):
    token = forms.new_token()
    planned(engine, "2026-11-04 19:00", account="b", host="王可")
    with pytest.raises(plan.PlanError):  # a clash: nothing written, the token still unused
        plan.save(engine, 0, a_plan(host_name="王可"), "t_manager", token=token)
    new_id, _ = plan.save(engine, 0, a_plan(), "t_manager", token=token)
    with pytest.raises(forms.AlreadySubmitted):
        plan.save(engine, 0, a_plan(), "t_manager", token=token)
    assert count(engine) == 2 and forms.result_of(engine, token) == new_id
    # A change with its own token: once, the version moving by one.
    change = forms.new_token()
    plan.save(engine, new_id, a_plan(minutes=150), "t_manager", version=1, token=change)
    with pytest.raises(forms.AlreadySubmitted):
        plan.save(engine, new_id, a_plan(minutes=180), "t_manager", version=2, token=change)
    stored = plan.planned_session(engine, new_id, dt.datetime(2026, 11, 1))
    assert (stored["minutes"], stored["version"]) == (150, 2)


def test_copy_and_import_run_once_per_token(engine, users, samples):
    planned(engine, "2026-10-27 19:00", account="测试间", host="测试主播")  # clashes with no sample row
    token = forms.new_token()
    assert plan.copy_week_once(engine, dt.date(2026, 10, 26), "t_manager", token) == 1
    with pytest.raises(forms.AlreadySubmitted):
        plan.copy_week_once(engine, dt.date(2026, 10, 26), "t_manager", token)
    assert count(engine) == 2
    data = (samples / SAMPLE).read_bytes()
    token = forms.new_token()
    _checked, ref = plan.import_schedule(engine, data, SAMPLE, "t_manager", token)
    assert ref and count(engine) == 31
    with pytest.raises(forms.AlreadySubmitted):
        plan.import_schedule(engine, data, SAMPLE, "t_manager", token)
    assert count(engine) == 31


@pytest.mark.one_database
def test_editor_closes_after_a_save_and_a_resubmitted_token_writes_nothing(engine, run_page, clock_at):
    clock_at("2026-11-04T09:00:00")
    at = run_page("schedule", "manager")
    at.button(key="plan_add").click().run()
    next(w for w in at.text_input if w.label == "直播间").set_value("小雨家电旗舰店")
    next(w for w in at.text_input if w.label == "主播").set_value("林晓雨")
    token = at.session_state["_form.plan_edit"]["token"]
    at.button(key="plan_save").click().run()
    assert not at.exception and not at.error and count(engine) == 1
    assert any(s.value.startswith("已保存排期 #") for s in at.success)
    assert "plan_save" not in {b.key for b in at.button}  # closed: a second tap has nothing to press
    at.run()
    assert count(engine) == 1
    # The run after the save was cut short before the form closed (a double tap): the old token returns.
    at.session_state["_form.plan_edit"] = {"token": token, "closed": None}
    at.session_state["plan_editing"] = 0
    at.run()
    next(w for w in at.text_input if w.label == "直播间").set_value("小雨家电旗舰店")
    next(w for w in at.text_input if w.label == "主播").set_value("林晓雨")
    at.button(key="plan_save").click().run()
    assert not at.exception and count(engine) == 1
    assert any("未重复提交" in s.value for s in at.success)
    # Editing again opens a fresh form (a new token) that saves.
    at.button(key="plan_edit_reopen").click().run()
    assert at.session_state["_form.plan_edit"]["token"] != token
