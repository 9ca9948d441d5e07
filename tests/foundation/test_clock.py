"""The one clock: the team's time zone whatever the server's, a test clock only in tests, nothing reads the
wall clock elsewhere, and demo data never lies in the future."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from lib.core import clock
from lib.core.models import Incident, LiveSession
from lib.demo import load_demo

ROOT = Path(__file__).resolve().parents[2]
WALL_CLOCK = re.compile(r"\b(date\.today|datetime\.now|datetime\.utcnow|datetime\.today)\(")


def _clock_in_subprocess(tz: str, **env: str) -> str:
    full = {k: v for k, v in os.environ.items() if k not in ("LIVEOPS_TEST_NOW", "LIVEOPS_TIMEZONE")}
    full.update(TZ=tz, **env)
    code = "from lib.core import clock; print(clock.now().isoformat())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.parametrize("tz", ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_now_is_the_team_zone_whatever_the_server_zone(tz):
    got = dt.datetime.fromisoformat(_clock_in_subprocess(tz))
    beijing = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs((got - beijing).total_seconds()) < 60


def test_now_ignores_the_process_zone_in_process(monkeypatch):
    monkeypatch.delenv("LIVEOPS_TEST_NOW", raising=False)
    seen = []
    for tz in ("UTC", "Asia/Tokyo", "America/New_York"):
        monkeypatch.setenv("TZ", tz)
        time.tzset()
        seen.append(clock.now())
    monkeypatch.delenv("TZ")
    time.tzset()
    assert max(seen) - min(seen) < dt.timedelta(seconds=5)


def test_zone_is_a_setting():
    got = dt.datetime.fromisoformat(_clock_in_subprocess("UTC", LIVEOPS_TIMEZONE="Europe/Berlin"))
    berlin = dt.datetime.now(ZoneInfo("Europe/Berlin")).replace(tzinfo=None)
    assert abs((got - berlin).total_seconds()) < 60


def test_unknown_zone_is_named(monkeypatch):
    monkeypatch.delenv("LIVEOPS_TEST_NOW", raising=False)
    monkeypatch.setenv("LIVEOPS_TIMEZONE", "Mars/Olympus")
    with pytest.raises(clock.ClockError, match="Mars/Olympus"):
        clock.now()


def test_test_clock_only_in_tests():
    fake = "2030-01-01T08:00:00"
    in_tests = _clock_in_subprocess("UTC", LIVEOPS_TESTING="1", LIVEOPS_TEST_NOW=fake)
    assert in_tests.startswith("2030-01-01T08:00")
    outside = _clock_in_subprocess("UTC", LIVEOPS_TESTING="0", LIVEOPS_TEST_NOW=fake)
    assert not outside.startswith("2030")


def test_test_clock_runs_on(clock_at):
    clock_at("2026-12-31T23:59:59")
    first = clock.now()
    assert first >= dt.datetime(2026, 12, 31, 23, 59, 59)
    assert clock.today() in (dt.date(2026, 12, 31), dt.date(2027, 1, 1))


def test_nothing_reads_the_wall_clock_but_lib_clock():
    offenders = []
    for folder in ("lib", "pages", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "lib" / "core" / "clock.py" or path == Path(__file__):
                continue
            for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if WALL_CLOCK.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()}")
    offenders += [
        f"app.py: {ln}" for ln in (ROOT / "app.py").read_text().splitlines() if WALL_CLOCK.search(ln)
    ]
    assert not offenders, "use lib.core.clock instead:\n" + "\n".join(offenders)


@pytest.mark.parametrize("at", ["2026-12-01T00:30:00", "2027-01-01T09:15:00", "2026-11-30T19:40:00"])
def test_demo_never_lies_in_the_future(engine, clock_at, at):
    clock_at(at)
    load_demo(engine, months=2, seed=7)
    moment = clock.now()
    with engine.connect() as conn:
        last_end = conn.execute(select(func.max(LiveSession.ended_at))).scalar()
        assert last_end is not None and last_end <= moment
        assert conn.execute(select(func.max(LiveSession.started_at))).scalar() <= moment
        for column in (Incident.detected_at, Incident.responded_at, Incident.resolved_at):
            latest = conn.execute(select(func.max(column))).scalar()
            assert latest is None or latest <= moment, column
        # an incident never answered yet is open, not answered in the future
        bad = conn.execute(
            select(func.count()).where(Incident.responded_at.is_(None), Incident.resolved_at.isnot(None))
        ).scalar()
        assert bad == 0


def test_incident_form_prefills_team_time(engine, run_page, clock_at, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        clock_at("2026-12-02T03:26:00")  # 19:26 of the day before in UTC
        at = run_page("incidents", "staff")
        assert not at.exception
        shown = at.datetime_input(key="inc_detected").value
        assert shown.date() == dt.date(2026, 12, 2) and (shown.hour, shown.minute) in ((3, 26), (3, 27))
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_setting_the_same_moment_again_starts_there_again(clock_at):
    clock_at("2026-12-01T14:40:00")
    clock.now()
    time.sleep(1.1)
    clock_at("2026-12-01T14:40:00")
    assert clock.now() == dt.datetime(2026, 12, 1, 14, 40)
