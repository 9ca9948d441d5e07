"""The one clock: "now" and "today" in the team's time zone, never the server's.

The zone is a setting: the admin's (the `team_timezone` row of app_settings, set on the settings page or
by `python -m lib.cli settings set team.timezone ...`), else `LIVEOPS_TIMEZONE`, else `[team] timezone` in
`.streamlit/secrets.toml`, else Asia/Shanghai (SPEC "Time"). The stored one is re-read at most every
ZONE_TTL seconds per process. Stored timestamps are naive wall-clock times of that zone.

Tests move the clock with `LIVEOPS_TEST_NOW` (an ISO date-time in the team's zone), honoured only while
`LIVEOPS_TESTING=1`: each process starts at that time and the clock then runs on in real time, so a
server started by a browser test and the test itself agree to within seconds.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"
ZONE_ENV = "LIVEOPS_TIMEZONE"
TEST_NOW_ENV = "LIVEOPS_TEST_NOW"
TESTING_ENV = "LIVEOPS_TESTING"
SECRETS_FILE = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.toml"

ZONE_SETTING = "team_timezone"  # the app_settings row of the admin's zone (lib.settings writes it)
ZONE_TTL = 30.0  # seconds a process keeps the stored zone before reading it again

# (LIVEOPS_TEST_NOW value, monotonic reading when this process first saw it)
_anchor: tuple[str, float] | None = None
# (monotonic reading, the stored zone or "") of the last database read, and how to read it
_stored: tuple[float, str] | None = None
_zone_reader: Callable[[], str] | None = None


class ClockError(RuntimeError):
    """The time zone or test clock setting is wrong; the message names it."""


def stored_zone() -> str:
    """The admin's zone from the database ("" when none is stored, the database cannot be read yet, or no
    database is in use: lib.core.db installs the reader when it is imported)."""
    global _stored
    if _zone_reader is None:
        return ""
    if _stored is not None and time.monotonic() - _stored[0] < ZONE_TTL:
        return _stored[1]
    _stored = (time.monotonic(), _zone_reader().strip())
    return _stored[1]


def read_stored_zone_with(reader: Callable[[], str]) -> None:
    """lib.core.db: how to read the stored zone (this module imports nothing of the database)."""
    global _zone_reader
    _zone_reader = reader
    forget_stored_zone()


def forget_stored_zone() -> None:
    """Read the stored zone again at the next reading (after it changed, and between tests)."""
    global _stored
    _stored = None


def zone_name() -> str:
    name = stored_zone() or os.environ.get(ZONE_ENV, "").strip()
    if not name and SECRETS_FILE.exists():
        with SECRETS_FILE.open("rb") as fh:
            try:
                name = str(tomllib.load(fh).get("team", {}).get("timezone", "")).strip()
            except tomllib.TOMLDecodeError:
                name = ""  # db.database_url reports a broken secrets file
    return name or DEFAULT_ZONE


@functools.cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ClockError(f"{ZONE_ENV} / [team] timezone: unknown time zone {name!r}") from exc


def team_zone() -> ZoneInfo:
    return _zone(zone_name())


def _test_now() -> dt.datetime | None:
    global _anchor
    if os.environ.get(TESTING_ENV) != "1":
        return None
    value = os.environ.get(TEST_NOW_ENV, "").strip()
    if not value:
        return None
    try:
        start = dt.datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError as exc:
        raise ClockError(f"{TEST_NOW_ENV}: not an ISO date-time: {value!r}") from exc
    if _anchor is None or _anchor[0] != value:
        _anchor = (value, time.monotonic())
    return start + dt.timedelta(seconds=time.monotonic() - _anchor[1])


def restart_test_clock() -> None:
    """Tests: the next reading starts again at LIVEOPS_TEST_NOW, even if this process saw that value before."""
    global _anchor
    _anchor = None


def now() -> dt.datetime:
    """The team's wall-clock time, naive, to the second: what every stored timestamp uses."""
    fake = _test_now()
    if fake is not None:
        return fake.replace(microsecond=0)
    return dt.datetime.now(team_zone()).replace(tzinfo=None, microsecond=0)


def today() -> dt.date:
    """The team's calendar day."""
    return now().date()
