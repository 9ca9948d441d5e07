"""Period target test data: the sample roster and the truth week (as the KPI tests load them)."""

from __future__ import annotations

import pytest

from tests.kpis.truth_data import load_roster, load_truth_sessions, truth_sessions


@pytest.fixture
def truth(engine, samples) -> dict:
    """{"people": {name: id}, "sessions": {truth id: row id}, "truth": [truth session dicts]}."""
    people = load_roster(engine, samples)
    ids = load_truth_sessions(engine, samples, people)
    return {"people": people, "sessions": ids, "truth": truth_sessions(samples)}
