"""Write-once forms: the same token writes once (library, concurrent, page), and the form closes after a save."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from lib import incidents as inc
from lib.core import forms
from lib.core.db import now
from lib.core.models import FormSubmission, Incident


def incident_count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Incident)).scalar())


def sample_input() -> inc.IncidentInput:
    start = now().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    return inc.IncidentInput(
        category="设备故障", severity="simple", detected_at=start, responded_at=start, description="声卡无声"
    )


def test_same_token_twice_writes_one_incident(engine, users):
    token = forms.new_token()
    first = inc.create_incident(engine, sample_input(), "t_staff", token=token)
    with pytest.raises(forms.AlreadySubmitted):
        inc.create_incident(engine, sample_input(), "t_staff", token=token)
    assert incident_count(engine) == 1
    assert forms.result_of(engine, token) == first
    # Another submission (a new token) of the same values is a new incident: only the token decides.
    inc.create_incident(engine, sample_input(), "t_staff", token=forms.new_token())
    assert incident_count(engine) == 2


def test_refused_write_does_not_use_up_the_token(engine, users):
    """A validation error rolls the token back with the write, so the corrected form can be saved."""
    token = forms.new_token()
    bad = sample_input()
    bad = inc.IncidentInput(**{**bad.__dict__, "responded_at": bad.detected_at - dt.timedelta(minutes=1)})
    with pytest.raises(inc.IncidentError):
        inc.create_incident(engine, bad, "t_staff", token=token)
    assert forms.submissions(engine, "incident") == 0
    inc.create_incident(engine, sample_input(), "t_staff", token=token)
    assert incident_count(engine) == 1


def test_concurrent_submissions_of_one_token_write_once(engine, users):
    """Eight threads (own connections) submit the same token at once: one incident, seven refusals."""
    token, barrier = forms.new_token(), threading.Barrier(8)
    outcomes: list[str] = []

    def submit() -> None:
        barrier.wait()
        try:
            inc.create_incident(engine, sample_input(), "t_staff", token=token)
            outcomes.append("saved")
        except forms.AlreadySubmitted:
            outcomes.append("refused")

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sorted(outcomes) == ["refused"] * 7 + ["saved"]
    assert incident_count(engine) == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(FormSubmission)).scalar() == 1


def test_update_with_same_token_applies_once(engine, users):
    start = now().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    data = inc.IncidentInput(category="设备故障", severity="simple", detected_at=start, responded_at=None)
    iid = inc.create_incident(engine, data, "t_staff")
    token = forms.new_token()
    inc.update_incident(engine, iid, "t_staff", responded_at=start + dt.timedelta(minutes=1), token=token)
    with pytest.raises(forms.AlreadySubmitted):
        inc.update_incident(engine, iid, "t_staff", responded_at=start + dt.timedelta(minutes=2), token=token)
    with engine.connect() as conn:
        assert conn.execute(select(Incident.responded_at)).scalar() == start + dt.timedelta(minutes=1)


# --- the page -------------------------------------------------------------------------------------


def fill_incident(at, text: str) -> None:
    start = now().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    at.selectbox(key="inc_category").set_value("设备故障")
    at.datetime_input(key="inc_detected").set_value(start)
    at.datetime_input(key="inc_responded").set_value(start)
    at.text_area(key="inc_description").input(text)


def test_page_closes_the_form_after_a_save_and_reopens_it_empty(engine, run_page):
    at = run_page("incidents", "staff")
    fill_incident(at, "声卡无声")
    at.button(key="inc_save").click().run()
    assert not at.exception and not at.error
    assert incident_count(engine) == 1
    assert "已保存问题 #" in at.success[0].value
    # Closed: no save button to tap a second time, so a second run writes nothing.
    assert not [b for b in at.button if b.key == "inc_save"]
    at.run()
    assert incident_count(engine) == 1
    at.button(key="incident_reopen").click().run()
    assert at.text_area(key="inc_description").value == ""
    fill_incident(at, "第二个问题")
    at.button(key="inc_save").click().run()
    assert incident_count(engine) == 2


def test_page_resubmitting_a_used_token_writes_nothing_and_says_so(engine, run_page):
    """The run after a save was cut short before the form closed (a double tap): the same token comes back."""
    at = run_page("incidents", "staff")
    fill_incident(at, "声卡无声")
    token = at.session_state["_form.incident"]["token"]
    at.button(key="inc_save").click().run()
    assert incident_count(engine) == 1
    at.session_state["_form.incident"] = {"token": token, "closed": None}  # as if the close never ran
    at.run()
    fill_incident(at, "声卡无声")
    at.button(key="inc_save").click().run()
    assert incident_count(engine) == 1
    assert any("已保存，未重复提交" in s.value for s in at.success)


def test_old_tokens_are_pruned_and_recent_ones_kept(engine, users):
    """Tokens older than forms.KEEP_DAYS go (the table does not grow forever); a recent one still refuses
    a second submission."""
    recent = forms.new_token()
    inc.create_incident(engine, sample_input(), "t_staff", token=recent)
    old = [forms.new_token() for _ in range(3)]
    with engine.begin() as conn:
        for i, tok in enumerate(old):
            created = now() - dt.timedelta(days=forms.KEEP_DAYS + 1 + i)
            conn.execute(FormSubmission.__table__.insert().values(token=tok, form="old", created_at=created))
    assert forms.prune(engine) == 3
    assert forms.submissions(engine, "old") == 0
    with pytest.raises(forms.AlreadySubmitted):
        inc.create_incident(engine, sample_input(), "t_staff", token=recent)
    assert forms.prune(engine) == 0


def test_prune_daily_runs_once_a_day(engine, users, clock_at):
    clock_at("2031-05-02T09:00")  # a day no other test runs on: this is the day's first prune
    with engine.begin() as conn:
        old = now() - dt.timedelta(days=forms.KEEP_DAYS + 2)
        conn.execute(FormSubmission.__table__.insert().values(token="a" * 32, form="old", created_at=old))
    assert forms.prune_daily(engine) == 1
    assert forms.submissions(engine, "old") == 0
    with engine.begin() as conn:
        conn.execute(FormSubmission.__table__.insert().values(token="b" * 32, form="old", created_at=old))
    assert forms.prune_daily(engine) == 0  # the same day: not again
    assert forms.submissions(engine, "old") == 1
    clock_at("2031-05-03T09:00")
    assert forms.prune_daily(engine) == 1
