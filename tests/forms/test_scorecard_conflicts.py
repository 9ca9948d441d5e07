"""Scorecard definitions: a save over one stored since the editor loaded is refused (who, when); the page
keeps the admin's input; the editor writes once and closes."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from lib import scorecards as sc
from lib.core import forms
from lib.core.models import ScorecardDefinition


def stored(engine) -> list[tuple]:
    t = ScorecardDefinition.__table__
    with engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(select(t.c.position_key, t.c.month_from, t.c.set_by, t.c.version))
        ]


def definition(cap: float, month: str = "2026-12") -> sc.Definition:
    return sc.Definition("customer_service", month, sc.DEFAULTS["customer_service"], cap)


def test_second_admin_of_the_same_version_is_refused(engine, users, clock_at):
    clock_at("2026-12-01T14:40")
    base = sc.definition_version(engine, "customer_service", "2026-12")
    assert base == 0  # none stored for this month yet
    sc.save_definition(engine, "admin_a", definition(1.3), version=base)
    with pytest.raises(forms.StaleEdit) as err:
        sc.save_definition(engine, "admin_b", definition(1.1), version=base)
    assert err.value.by == "admin_a" and err.value.at.strftime("%H:%M") == "14:40"
    v1 = sc.definition_version(engine, "customer_service", "2026-12")
    sc.save_definition(engine, "admin_a", definition(1.4), version=v1)  # an edit of the stored one
    with pytest.raises(forms.StaleEdit):
        sc.save_definition(engine, "admin_b", definition(1.1), version=v1)
    assert stored(engine) == [("customer_service", "2026-12", "admin_a", 2)]
    kept = sc.definition_for(sc.load_definitions(engine), "customer_service", "2026-12")
    assert kept.cap == pytest.approx(1.4)


def test_definition_token_writes_once(engine, users, clock_at):
    clock_at("2026-12-01T14:40")
    token = forms.new_token()
    sc.save_definition(engine, "admin_a", definition(1.3), token=token)
    with pytest.raises(forms.AlreadySubmitted):
        sc.save_definition(engine, "admin_a", dataclasses.replace(definition(1.3)), token=token)
    assert stored(engine) == [("customer_service", "2026-12", "admin_a", 1)]


def test_editor_shows_conflict_and_keeps_input(engine, run_page, clock_at):
    clock_at("2026-12-01T14:40")
    b = run_page("scorecards", "admin")
    assert not b.exception
    b.selectbox(key="sc_def_pos").set_value("customer_service").run()
    b.number_input(key="sc_def_cap").set_value(110.0).run()  # admin B is editing
    sc.save_definition(engine, "admin_a", definition(1.3))  # admin A saves meanwhile
    b.button(key="sc_def_save").click().run()
    assert not b.exception
    [error] = [e.value.replace("\\", "") for e in b.error]  # Markdown source: unescape
    assert "admin_a" in error and "2026-12-01 14:40" in error
    assert b.number_input(key="sc_def_cap").value == 110.0
    assert stored(engine)[0][2] == "admin_a"
    b.button(key="sc_def_save").click().run()  # deliberate replacement
    assert not b.error
    saved = sc.definition_for(sc.load_definitions(engine), "customer_service", "2026-12")
    assert saved.cap == pytest.approx(1.1)
    assert not [x for x in b.button if x.key == "sc_def_save"]  # closed after the save


def test_manual_metric_token_writes_once(engine, users):
    from sqlalchemy import func, insert

    from lib import scorecards as scs
    from lib.core.db import write
    from lib.core.models import AuditLog, ManualMetric, Person

    with write(engine) as conn:
        pid = conn.execute(insert(Person).values(name="罗晨", active=True)).inserted_primary_key[0]
    token = forms.new_token()
    scs.save_manual_metric(engine, "t_manager", "2026-11", pid, "cs_resolution_rate", 0.9, token=token)
    with pytest.raises(forms.AlreadySubmitted):
        scs.save_manual_metric(engine, "t_manager", "2026-11", pid, "cs_resolution_rate", 0.8, token=token)
    with engine.connect() as conn:
        assert conn.execute(select(ManualMetric.value)).scalars().all() == [0.9]
        audits = select(func.count()).where(AuditLog.action == "manual_metric.set")
        assert conn.execute(audits).scalar() == 1
