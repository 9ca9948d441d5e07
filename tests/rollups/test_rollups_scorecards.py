"""The scorecards read the month's host sums from the roll-ups (their figures equal the raw ones, as the
scorecard sample tests show; here: the roll-up is where they come from)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lib import importing, rollups
from lib import scorecards as sc
from lib.core.models import LiveSession, SessionMonthRollup, SessionPlatformDayRollup, SessionRollup

FILES = ("roster.csv", "taobao_2026-11-02_2026-11-08.csv")


def _gmv_actual(engine: sa.Engine, person: str) -> float:
    card = next(c for c in sc.score_month(engine, "2026-11", "host") if c.person == person)
    return next(k["actual"] for k in card.kpis if k["metric"] == "gmv_achievement")


def test_scorecards_read_the_rollups(engine, samples) -> None:
    for name in FILES:
        assert importing.import_bytes(engine, (samples / name).read_bytes(), name, None).ok
    before = _gmv_actual(engine, "孙佳怡")
    assert before > 0
    # Double the roll-ups' GMV behind the maintained paths' back: the scorecard follows the roll-ups (a
    # whole month's host sums: the month roll-up; every grain is doubled, whichever the reader picks).
    with engine.begin() as conn:
        for table in (SessionRollup, SessionMonthRollup, SessionPlatformDayRollup):
            conn.execute(sa.update(table).values(gmv__gmv=table.c.gmv__gmv * 2))
    assert _gmv_actual(engine, "孙佳怡") == pytest.approx(2 * before)
    with engine.begin() as conn:  # and a raw write that bypassed them does not move it ...
        conn.execute(sa.update(LiveSession).values(gmv=0))
    assert _gmv_actual(engine, "孙佳怡") == pytest.approx(2 * before)
    rollups.rebuild(engine)  # ... until the roll-ups are rebuilt from the raw rows
    assert _gmv_actual(engine, "孙佳怡") == 0
