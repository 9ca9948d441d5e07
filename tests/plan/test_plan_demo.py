"""The demo's schedule (lib/plan/demo.py via `python -m lib.cli demo`): planned sessions around the held
ones for the last weeks and the coming week, scripts in every state and forecasts, so the schedule
figures and the scorecards' computed schedule accuracy and script timeliness are not empty."""

import datetime as dt
from collections import Counter

from lib import plan
from lib.demo import load_demo

NOW = dt.datetime(2026, 11, 24, 20, 30)


def test_demo_plans_the_last_weeks_and_the_coming_one(engine, clock_at):
    clock_at(NOW.isoformat())
    stats = load_demo(engine, months=1, seed=5, now=NOW)
    rows = plan.schedule(engine, NOW.date() - dt.timedelta(days=21), NOW.date() + dt.timedelta(days=7), NOW)
    assert stats["planned_sessions"] == len(rows) > 60
    coming = [r for r in rows if r["starts_at"] > NOW]
    assert len(coming) >= 5 * 7  # every room each day of the coming week (the shared room once)
    assert {r["content_owner"] for r in rows} == {"彭诗涵", "蒋梦琪", "谢文博"}
    assert "吴昊" in {r["ops_owner"] for r in rows}
    states = Counter(r["script_status"] for r in rows)
    assert {"approved", "submitted", "overdue"} <= states.keys() and states["approved"] > states["overdue"]
    assert any(r["status"] == "cancelled" for r in rows)
    past = plan.compare(engine, NOW.date() - dt.timedelta(days=21), NOW.date(), NOW)
    assert 0.5 < past.accuracy < 1 and past.unmatched_held and past.unmatched_planned
    assert 0 < past.mape("forecast_gmv", "gmv") < 1
    scripts = plan.script_timeliness(engine, NOW.date() - dt.timedelta(days=21), NOW.date(), NOW)
    assert scripts.due > 30 and 0.5 < scripts.rate < 1
    # The demo's operations lead (the manager login) owes a forecast or two on the home page.
    book = plan.rules(engine)
    assert any(plan.duties.forecast_missing(r, NOW, book) for r in coming if r["ops_owner"] == "吴昊")
