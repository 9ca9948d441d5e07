"""Scorecard test data: the shared sample files imported through the real pipeline."""

from __future__ import annotations

import pytest

from lib.importing.pipeline import import_bytes

FILES = (
    "roster.csv",
    "douyin_2026-11-02_2026-11-08.csv",
    "kuaishou_2026-11-02_2026-11-08.xlsx",
    "taobao_2026-11-02_2026-11-08.csv",
    "incidents_2026-11-02_2026-11-08.csv",
    "manual_metrics_2026-10.csv",
)


@pytest.fixture
def imported(engine, samples):
    for name in FILES:
        report = import_bytes(engine, (samples / name).read_bytes(), name, "t_manager")
        assert report.ok, (name, report.problems())
    return engine
