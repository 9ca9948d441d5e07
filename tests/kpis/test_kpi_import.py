"""After importing the three sample session files and the roster, `kpi --by host --json` equals the totals
computed by hand from truth_*.json (fields the files carry; Compass has no likes/shares: no data)."""

from __future__ import annotations

import json

import pytest

from lib.cli import main
from lib.importing.pipeline import import_bytes
from tests.kpis.truth_data import expected_totals, truth_sessions

FILES = (
    "roster.csv",
    "douyin_2026-11-02_2026-11-08.csv",
    "kuaishou_2026-11-02_2026-11-08.xlsx",
    "taobao_2026-11-02_2026-11-08.csv",
)
EXACT = (
    "sessions",
    "gmv",
    "viewers",
    "views",
    "orders",
    "buyers",
    "new_followers",
    "peak_online",
    "conversion_rate",
    "uv_value",
    "gpm",
    "avg_order_value",
    "duration_hours",
)


def test_imported_samples_kpi_by_host_equal_truth(engine, samples, capsys):
    for name in FILES:
        report = import_bytes(engine, (samples / name).read_bytes(), name, username="t_admin")
        assert report.ok, (name, report.problems)
    assert main(["kpi", "--from", "2026-11-02", "--to", "2026-11-08", "--by", "host", "--json"]) == 0
    got = {g["group"]: g for g in json.loads(capsys.readouterr().out)}
    truth = truth_sessions(samples)
    expected = expected_totals(truth, lambda s: s["host"])
    assert set(got) == set(expected)
    for host, want in expected.items():
        for key in EXACT:
            assert got[host][key] == pytest.approx(want[key], rel=1e-9), (host, key)
        # Compass exports watch time in decimal minutes (2 decimals): ±0.3 s per session
        assert got[host]["avg_watch_seconds"] == pytest.approx(want["avg_watch_seconds"], abs=0.3)
        douyin = all(s["platform"] == "抖音" for s in truth if s["host"] == host)
        if douyin:  # no likes/shares in the Compass list: no data, never zero
            assert got[host]["interaction_rate"] is None and got[host]["share_rate"] is None
        else:
            assert got[host]["interaction_rate"] == pytest.approx(want["interaction_rate"], rel=1e-9)
    assert sum(g["sessions"] for g in got.values()) == len(truth) == 30
