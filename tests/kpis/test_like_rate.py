"""The like rate (点赞率, seed 000: ≥ 70 %), added as docs/extending.md example 1: its value on the truth
week from the raw rows and from the roll-ups, its default target, and where it shows up by itself."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from alembic import command

from lib import kpis, rollups
from lib.cli import main
from lib.core.metrics import METRICS
from lib.core.models import Target
from lib.core.schema import alembic_config, upgrade

WEEK = kpis.Filters(dt.date(2026, 11, 2), dt.date(2026, 11, 8))


def _by_host(truth: list[dict]) -> dict[str, float]:
    likes: dict[str, int] = {}
    viewers: dict[str, int] = {}
    for s in truth:
        likes[s["host"]] = likes.get(s["host"], 0) + s["likes"]
        viewers[s["host"]] = viewers.get(s["host"], 0) + s["viewers"]
    return {host: likes[host] / viewers[host] for host in likes}


def test_like_rate_per_host_equals_the_truth_and_has_the_seed_target(engine, truth):
    want = _by_host(truth["truth"])
    rows = {r["group"]: kpis.public(r) for r in kpis.group_rows(engine, WEEK, "host")}
    assert {h: rows[h]["like_rate"] for h in want} == pytest.approx(want, rel=1e-9)
    lin = rows["林晓雨"]
    assert lin["targets"]["like_rate"]["kind"] == "at_least" and lin["targets"]["like_rate"]["value"] == 0.70
    assert METRICS["like_rate"].unit == "pct"


def test_roll_ups_carry_it_and_the_cli_and_ranking_show_it(engine, truth, capsys):
    assert rollups.check(engine) == []  # the roll-up's like_rate columns equal the raw GROUP BY
    total = sum(s["likes"] for s in truth["truth"]) / sum(s["viewers"] for s in truth["truth"])
    assert main(["kpi", "--from", "2026-11-02", "--to", "2026-11-08", "--by", "all", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["like_rate"] == pytest.approx(total, rel=1e-9)
    view = kpis.kpi_view(engine, WEEK, "day", "host")
    ranked = dict(zip(view.ranking["group"], view.ranking["like_rate"], strict=True))
    assert ranked == pytest.approx(_by_host(truth["truth"]), rel=1e-9)


def test_the_migration_fills_its_roll_up_columns_and_adds_the_target_to_a_seeded_database(engine, truth):
    with engine.begin() as conn:  # back to before the metric: the sessions stay, its columns go
        command.downgrade(alembic_config(conn), "rollups_1")
    assert "like_rate__likes" not in {c["name"] for c in sa.inspect(engine).get_columns("session_rollups")}
    with engine.connect() as conn:
        assert conn.execute(sa.select(Target.id).where(Target.metric == "like_rate")).first() is None
    upgrade(engine)
    assert rollups.check(engine) == []
    with engine.connect() as conn:
        got = conn.execute(sa.select(Target.kind, Target.value).where(Target.metric == "like_rate")).all()
    assert [tuple(r) for r in got] == [("at_least", 0.70)]
