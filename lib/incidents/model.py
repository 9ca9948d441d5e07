"""The incident domain's vocabulary: severities, groupings, limits, its refusal, and the value types
(an SLA, a logged incident, a report filter) shared by the reads, the writes and the views."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

import pandas as pd

from lib.core.errors import CodedError

SEVERITIES = ("simple", "complex", "major")
GROUP_BYS = ("category", "severity", "department", "handler", "week")
CLOCK_SKEW = dt.timedelta(minutes=1)  # a phone's clock may run a little ahead of the server's
# An incident may be linked to a session that ended at most this long before its detection (an issue found
# while wrapping up, e.g. the export or a late comment); a session that ended earlier is another story.
SESSION_LINK_AFTER_END = dt.timedelta(minutes=60)
PERCENTILE_METHOD = "linear"  # numpy/pandas default: interpolate between the two nearest ranks
QUANTILES = (Fraction(1, 2), Fraction(9, 10))  # p50 (median) and p90, exact so ranks compare in integers
LIST_LIMIT = 5000  # rows of a breach / open list brought back for an export
# Rows of each list on the report page (its table shows ~10 at a time); the download holds the whole list.
LIST_SHOWN = 100
DISTRIBUTION_CAP_MINUTES = 60  # resolve times above this fall into the last bin of the histogram
REPORT_COLUMNS = (
    "group",
    "count",
    "open",
    "respond_p50",
    "respond_p90",
    "resolve_p50",
    "resolve_p90",
    "resolve_max",
    "sla_attainment",
    "breaches",
)


class IncidentError(CodedError):
    """A user-facing refusal; `code` is an i18n key under incidents.error, `params` fill it."""

    prefix = "incidents.error"


@dataclass(frozen=True)
class Sla:
    respond_minutes: float | None
    resolve_minutes: float | None
    meeting_minutes: float | None = None


@dataclass(frozen=True)
class IncidentInput:
    category: str
    severity: str
    detected_at: dt.datetime | None  # None (not filled in) is refused: detected_required
    responded_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    session_id: int | None = None
    owner_department_id: int | None = None
    handler_person_id: int | None = None
    description: str | None = None
    overtime_reason: str | None = None
    escalated: bool = False
    meeting_at: dt.datetime | None = None  # major incidents: when the temporary meeting was held


@dataclass(frozen=True)
class ReportFilter:
    """What the report looks at: detection dates (both inclusive) and optional value lists (hashable)."""

    date_from: dt.date
    date_to: dt.date
    platforms: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    department_ids: tuple[int, ...] = ()
    handlers: tuple[str, ...] = ()
    session_ids: tuple[int, ...] = field(default=())


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes with 2 decimals; None (or NaN) stays None."""
    if seconds is None or pd.isna(seconds):
        return None
    return round(float(seconds) / 60.0, 2)
