"""Fixtures of the import tests."""

from __future__ import annotations

import pytest
from import_helpers import ROSTER, sample_bytes


@pytest.fixture
def roster_loaded(engine):
    from lib.importing import import_bytes

    report = import_bytes(engine, sample_bytes(ROSTER), ROSTER, username="t")
    assert report.ok and report.inserted == 20
    return engine
