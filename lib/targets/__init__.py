"""Targets: the one resolver (which target applies, achievement, status), reading them, setting one.

Months are "YYYY-MM" (lib.core.dates); month_of and months_span are re-exported for the domains that
read targets per month.
"""

from lib.core.dates import month_of, months_span
from lib.targets.cli import register_cli
from lib.targets.period import (
    PERIOD_METRICS,
    PERIOD_RE,
    PERIOD_SCOPES,
    Pacing,
    PeriodTargetRow,
    evaluate_period,
    filter_scope,
    is_quarter,
    pacing,
    period_bounds,
    periods_of_range,
    resolve_period,
    until_of,
)
from lib.targets.period_present import (
    period_name,
    period_targets_table,
    status_text,
    target_caption,
    target_option,
)
from lib.targets.period_store import (
    delete_period_target,
    host_choices,
    load_period_targets,
    set_period_target,
    validate_period_target,
)
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
    "PERIOD_METRICS",
    "PERIOD_RE",
    "PERIOD_SCOPES",
    "SCOPE_ORDER",
    "Pacing",
    "PeriodTargetRow",
    "delete_period_target",
    "evaluate_period",
    "filter_scope",
    "host_choices",
    "is_quarter",
    "load_period_targets",
    "pacing",
    "register_cli",
    "period_bounds",
    "period_name",
    "period_targets_table",
    "periods_of_range",
    "resolve_period",
    "set_period_target",
    "status_text",
    "target_caption",
    "target_option",
    "until_of",
    "validate_period_target",
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
