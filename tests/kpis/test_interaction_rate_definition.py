"""互动率 keeps the team's definition (interactions per viewer, SPEC) and says so: its help names the unit
and that it may exceed 100 %, in both languages, on the catalogue and on the KPI page's tile."""

from __future__ import annotations

import pytest

from lib.core.metrics import metric

WEEK = {"preset": "custom", "from": "2026-11-02", "to": "2026-11-08"}


def test_interaction_rate_counts_interactions_per_viewer():
    m = metric("interaction_rate")
    assert m.from_sums({"comments": 600, "likes": 2400, "shares": 60, "questions": 120, "viewers": 1000}) == (
        pytest.approx(3.18)  # 318 %: each viewer interacted about three times, as the team defines it
    )
    assert m.unit == "pct" and m.default_target == ("at_least", 0.70, None)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ("每位观众的互动次数", "可以超过 100%")),
        ("en", ("interactions per viewer", "may exceed 100 %")),
    ],
)
def test_interaction_rate_help_says_per_viewer_and_above_100(lang, words):
    help_text = metric("interaction_rate").help(lang)
    for word in words:
        assert word in help_text, (word, help_text)


def test_kpi_tile_help_says_what_interaction_rate_counts(run_page, truth):
    at = run_page("kpis", "manager", query=WEEK)
    assert not at.exception
    tile = next(m for m in at.metric if m.label == "互动率")
    assert "每位观众的互动次数" in tile.help and "可以超过 100%" in tile.help
