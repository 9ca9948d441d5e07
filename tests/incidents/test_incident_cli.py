"""The CLI's JSON equals the figures computed from truth_*.json (incidents inserted from the truth)."""

from __future__ import annotations

import json

import pytest

from lib.cli import main
from tests.incidents.incidents_testdata import add, expected_from_truth, truth_rows


def run_cli(capsys, *args: str) -> list[dict]:
    assert main(["incidents", "--from", "2026-11-02", "--to", "2026-11-08", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("by", ["category", "severity", "department", "handler", "week"])
def test_cli_equals_truth(engine, samples, capsys, by):
    add(engine, truth_rows(engine, samples))
    got = run_cli(capsys, "--by", by)
    assert got == expected_from_truth(samples, by)


def test_cli_total_of_sample_week(engine, samples, capsys):
    add(engine, truth_rows(engine, samples))
    (total,) = run_cli(capsys)
    assert total["group"] == "all"
    assert (total["count"], total["open"]) == (11, 0)
    # Hand-checked: over the resolve limit are 网络中断 13:02 (>10), 舆情 3:12, 3:18 and 6:38 (>3),
    # 库存/补货 11:27 (>5), 商品信息错误 5:01 (>5 by one second), 主播突发状况 11:18 (>10): 7 of 11.
    assert total["breaches"] == 7
    assert total["sla_attainment"] == 36.36


def test_cli_refuses_reversed_dates(engine, capsys):
    assert main(["incidents", "--from", "2026-11-08", "--to", "2026-11-02", "--json"]) == 2
    assert "before" in capsys.readouterr().err


@pytest.mark.parametrize("by", ["category", "severity", "department", "handler", "week"])
def test_cli_after_importing_the_sample_log_equals_truth(engine, samples, capsys, by):
    from lib.importing.pipeline import import_bytes

    name = "incidents_2026-11-02_2026-11-08.csv"
    report = import_bytes(engine, (samples / name).read_bytes(), name, username="t_staff")
    assert report.ok, report.errors
    assert report.inserted == 11
    assert run_cli(capsys, "--by", by) == expected_from_truth(samples, by)
    (total,) = run_cli(capsys)
    assert (total["count"], total["breaches"]) == (11, 7)
