"""Incidents: logging with validation, SLAs and categories, and the incident-duration report.

model (vocabulary and value types), sql (the report's portable SQL), queries (reads), logbook (log and
update an incident), admin (categories and SLA table), report (figures, lists, histogram, scorecard
feeds), rollup (per day x category x severity x department, with duration histograms, kept by every
incident write; month_rollup: the same per month, read for a period's whole months), filter_values (the report's filter options per day, kept with it), percentiles (exact
percentiles from those histograms), present (texts and tables for a
language), charts (Altair, for a language), cli (its command).
"""

from lib.incidents import charts, present
from lib.incidents.admin import save_categories, save_slas
from lib.incidents.attention import (
    REPORT_DAYS,
    Attention,
    attention,
    linked_period,
    period_link,
    report_period,
)
from lib.incidents.cli import register_cli
from lib.incidents.logbook import create_incident, over_sla, update_incident, validate
from lib.incidents.model import (
    CLOCK_SKEW,
    DISTRIBUTION_CAP_MINUTES,
    GROUP_BYS,
    LIST_LIMIT,
    LIST_SHOWN,
    PERCENTILE_METHOD,
    QUANTILES,
    REPORT_COLUMNS,
    SESSION_LINK_AFTER_END,
    SEVERITIES,
    IncidentError,
    IncidentInput,
    ReportFilter,
    Sla,
)
from lib.incidents.percentiles import rollup_percentiles
from lib.incidents.queries import (
    categories,
    filter_options,
    form_choices,
    incidents_to_update,
    session_incidents,
    sessions_with_incidents,
    sla_for,
    sla_lookup,
    sla_table,
    sla_versions,
)
from lib.incidents.report import (
    breaches,
    department_response_monthly,
    handler_monthly,
    open_incidents,
    report,
    report_frame,
    report_list,
    resolve_distribution,
)
from lib.incidents.rollup import differences as rollup_differences
from lib.incidents.rollup import incident_days
from lib.incidents.rollup import rebuild_connection as rebuild_rollups
from lib.incidents.rollup import refresh_days as refresh_rollup_days
from lib.incidents.sql import IncidentQuery, detail_columns, detail_frame, dialect_of, sql_percentiles

__all__ = [
    "register_cli",
    "CLOCK_SKEW",
    "DISTRIBUTION_CAP_MINUTES",
    "GROUP_BYS",
    "LIST_LIMIT",
    "LIST_SHOWN",
    "PERCENTILE_METHOD",
    "QUANTILES",
    "REPORT_COLUMNS",
    "REPORT_DAYS",
    "SESSION_LINK_AFTER_END",
    "SEVERITIES",
    "Attention",
    "IncidentError",
    "IncidentInput",
    "IncidentQuery",
    "ReportFilter",
    "Sla",
    "attention",
    "breaches",
    "categories",
    "charts",
    "create_incident",
    "department_response_monthly",
    "detail_columns",
    "detail_frame",
    "dialect_of",
    "filter_options",
    "form_choices",
    "handler_monthly",
    "incident_days",
    "incidents_to_update",
    "linked_period",
    "open_incidents",
    "over_sla",
    "period_link",
    "present",
    "report",
    "report_frame",
    "report_list",
    "report_period",
    "rebuild_rollups",
    "refresh_rollup_days",
    "rollup_differences",
    "rollup_percentiles",
    "resolve_distribution",
    "save_categories",
    "save_slas",
    "session_incidents",
    "sessions_with_incidents",
    "sla_for",
    "sla_lookup",
    "sla_table",
    "sla_versions",
    "sql_percentiles",
    "update_incident",
    "validate",
]
