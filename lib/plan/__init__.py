"""Planning (排期): the schedule of planned sessions, their scripts and forecasts, and the figures
computed from plan against what happened.

model (input, validation), rules (the tolerances and script due rules in force: settings), writes (add, change, clashes, history), queries (reads), compare
(matching, schedule accuracy, MAPE, script timeliness), importer (the 排期表 file), cli (its commands).
"""

from lib.plan import duties, present, session_plan
from lib.plan.cli import register_cli
from lib.plan.compare import (
    Comparison,
    Match,
    OwnerFigures,
    PlanOutcomes,
    Timeliness,
    by_owner,
    compare,
    outcomes,
    script_timeliness,
)
from lib.plan.demo import add_demo_schedule
from lib.plan.importer import RowError, SchedulePreview, undo_import
from lib.plan.importer import commit as import_schedule
from lib.plan.importer import preview as preview_import
from lib.plan.model import (
    PlanError,
    PlanInput,
    script_due,
    validate,
)
from lib.plan.present import today_lines
from lib.plan.queries import history_of, planned_session, schedule
from lib.plan.rules import PlanRules, RuleBook, load_rules, rules
from lib.plan.session_plan import SessionPlan
from lib.plan.session_plan import for_session as plan_of_session
from lib.plan.writes import (
    add,
    clash,
    copy_week,
    copy_week_once,
    history,
    record_script,
    save,
    set_status,
    update,
)

__all__ = [
    "Comparison",
    "Match",
    "OwnerFigures",
    "PlanOutcomes",
    "RowError",
    "SchedulePreview",
    "PlanError",
    "PlanInput",
    "PlanRules",
    "RuleBook",
    "SessionPlan",
    "Timeliness",
    "add",
    "add_demo_schedule",
    "by_owner",
    "clash",
    "compare",
    "copy_week",
    "copy_week_once",
    "outcomes",
    "history",
    "history_of",
    "present",
    "duties",
    "plan_of_session",
    "session_plan",
    "register_cli",
    "import_schedule",
    "load_rules",
    "rules",
    "preview_import",
    "planned_session",
    "record_script",
    "save",
    "schedule",
    "script_due",
    "script_timeliness",
    "set_status",
    "today_lines",
    "undo_import",
    "update",
    "validate",
]
