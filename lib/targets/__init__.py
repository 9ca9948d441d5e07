"""Targets: the one resolver (which target applies, achievement, status), reading them, setting one.

Months are "YYYY-MM" (lib.core.dates); month_of and months_span are re-exported for the domains that
read targets per month.
"""

from lib.core.dates import month_of, months_span
from lib.targets.present import display_frame
from lib.targets.queries import latest_target_id, load_targets, scope_choices, scope_label, targets_frame
from lib.targets.resolve import (
    AMBER_FROM,
    KINDS,
    MONTH_RE,
    SCOPE_ORDER,
    TargetRow,
    achievement,
    evaluate,
    gap,
    gap_status,
    resolve,
    scaled,
    status,
)
from lib.targets.set_target import TargetError, check_not_stale, set_target, validate

__all__ = [
    "AMBER_FROM",
    "KINDS",
    "MONTH_RE",
    "SCOPE_ORDER",
    "TargetError",
    "TargetRow",
    "achievement",
    "check_not_stale",
    "display_frame",
    "evaluate",
    "gap",
    "gap_status",
    "latest_target_id",
    "load_targets",
    "month_of",
    "months_span",
    "resolve",
    "scaled",
    "scope_choices",
    "scope_label",
    "set_target",
    "status",
    "targets_frame",
    "validate",
]
