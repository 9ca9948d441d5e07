"""Roll-ups: the session sums per day x platform x room x host, and from those per month x platform x room
x host and per day x platform (lib.rollups.coarse), kept in the same transaction as every write to the
sessions, so pages read a few rows per day (or month) instead of every session of the period.

Writers call `refresh_days(conn, days)` with the days they touched (`session_days` finds them, before and
after the change); readers build their statement with `sums_query` (None: the roll-up cannot answer);
`rebuild` / `check` back `python -m lib.cli rollups rebuild [--check]`.
"""

from lib.rollups.cli import register_cli
from lib.rollups.coarse import rebuild_coarse
from lib.rollups.maintain import check, differences, rebuild, rebuild_connection, refresh_days, session_days
from lib.rollups.measures import measures_of_sessions
from lib.rollups.read import frame_of, keys_in_range, sums_frame, sums_query

__all__ = [
    "check",
    "differences",
    "keys_in_range",
    "measures_of_sessions",
    "rebuild",
    "rebuild_coarse",
    "rebuild_connection",
    "refresh_days",
    "register_cli",
    "session_days",
    "frame_of",
    "sums_frame",
    "sums_query",
]
