"""Settings (the admin's settings page and `python -m lib.cli settings`): departments, teams and positions
(add, rename, retire), the schedule tolerances and script due rules (versioned from a month: a figure of a
past month uses the value in force then), the team's time zone and the survey thresholds. Incident
categories and SLAs are lib.incidents' (their SLA table is versioned the same way).

model (keys, bounds, refusals), versions (the versioned values: `Book`), values (every key: list and
set), org (departments, teams, positions).
"""

from lib.core.effective import MONTH_RE, SettingsError, check_month
from lib.settings.cli import register_cli
from lib.settings.model import SPECS, VERSIONED, Spec, spec
from lib.settings.org import (
    active_position_keys,
    add_named,
    add_position,
    named_rows,
    org_history,
    position_rows,
    rename_named,
    rename_position,
    set_position_active,
)
from lib.settings.values import check_zone, listing, set_timezone, set_value
from lib.settings.versions import Book, Version, book, book_in, set_many, set_versioned, value_at

__all__ = [
    "MONTH_RE",
    "SPECS",
    "VERSIONED",
    "Book",
    "SettingsError",
    "Spec",
    "Version",
    "active_position_keys",
    "add_named",
    "add_position",
    "book",
    "book_in",
    "check_month",
    "check_zone",
    "listing",
    "named_rows",
    "org_history",
    "position_rows",
    "rename_named",
    "register_cli",
    "rename_position",
    "set_many",
    "set_position_active",
    "set_timezone",
    "set_value",
    "set_versioned",
    "spec",
    "value_at",
]
