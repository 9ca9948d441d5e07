"""Undo of a session list while other records point at the sessions it added: refused, naming the
incidents and cases (deleting the sessions used to unlink the incidents and delete the case links
silently, through their foreign keys); once those links are gone, the undo goes through."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from import_helpers import DOUYIN, INCIDENTS, ROSTER, sample_bytes, snapshot

from lib import cases as cs
from lib import importing
from lib.core.models import CaseSession, Incident, LiveSession
from tests.cases.case_data import MANAGER, case_input

BOOK = ("import_batches", "import_changes", "audit_log", "data_version")


def _import(engine, name: str) -> importing.ImportReport:
    report = importing.import_bytes(engine, sample_bytes(name), name, username="t")
    assert report.ok, report.problems
    return report


def _ids(engine, stmt) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


def test_undo_of_sessions_that_incidents_and_cases_use_is_refused_naming_them(engine, users):
    manager = users["manager"]
    _import(engine, ROSTER)
    sessions = _import(engine, DOUYIN)
    incidents = _import(engine, INCIDENTS)
    linked = _ids(
        engine, sa.select(Incident.id).where(Incident.session_id.is_not(None)).order_by(Incident.id)
    )
    assert linked  # the sample incident log names sessions of the session list
    first_session = _ids(engine, sa.select(LiveSession.id).order_by(LiveSession.id).limit(1))[0]
    case_id = cs.create_case(engine, MANAGER, case_input(session_ids=(first_session,)))
    before = snapshot(engine, skip=BOOK)

    with pytest.raises(importing.UndoError) as refused:
        importing.undo(engine, sessions.batch_id, manager)
    assert refused.value.code == "undo_session_links"
    named = ", ".join(f"#{i}" for i in linked[:10]) + (f" … ({len(linked)})" if len(linked) > 10 else "")
    assert refused.value.message("en") == (
        f"Cannot undo upload {sessions.batch_id}: sessions it added are still referenced "
        f"(incidents: {named}; cases: #{case_id}). Remove those links first, or undo the upload that "
        "imported those incidents."
    )
    assert snapshot(engine, skip=BOOK) == before  # nothing unlinked, nothing deleted

    importing.undo(engine, incidents.batch_id, manager)  # the incidents go; the case still holds on
    with pytest.raises(importing.UndoError) as refused:
        importing.undo(engine, sessions.batch_id, manager)
    assert (refused.value.params["incidents"], refused.value.params["cases"]) == ("–", f"#{case_id}")

    with engine.begin() as conn:  # the case lets go of the session
        conn.execute(sa.delete(CaseSession).where(CaseSession.case_id == case_id))
    assert importing.undo(engine, sessions.batch_id, manager)["deleted"] == sessions.inserted
    assert _ids(engine, sa.select(LiveSession.id)) == []
