"""Periods as the KPI figures count them: a Filters' span (whole days, or to date: cut at a moment) and the
span it is compared with (lib.core.dates.comparison_span, the one written rule), as Filters of the same
scope, so every figure and its comparison run through the same SQL."""

from __future__ import annotations

import datetime as dt

from lib.core.dates import Span, comparison_span, day_end, period_span
from lib.kpis.queries import Filters


def span_of(filters: Filters) -> Span:
    """What the filters count: from date_from 00:00 through `until` (to date) or date_to's end."""
    start = dt.datetime.combine(filters.date_from, dt.time())
    return Span(start, filters.until or day_end(filters.date_to))


def kind_of(filters: Filters) -> str:
    """How the filters' period is compared: its preset's kind, else (a custom range, the `kpi` command's
    --from/--to) "other": the same days one month earlier."""
    return filters.compare or "other"


def comparison_of(filters: Filters) -> Span:
    """The span the filters' figures are compared with (环比)."""
    return comparison_span(span_of(filters), kind_of(filters))


def filters_of(span: Span, scope: Filters, compare: str = "") -> Filters:
    """Filters counting `span` with the scope (platform, room, team, host) of `scope`."""
    return scope._replace(date_from=span.first_day, date_to=span.last_day, until=span.until, compare=compare)


def compared(filters: Filters) -> Filters:
    """The comparison span as Filters of the same scope."""
    return filters_of(comparison_of(filters), filters, kind_of(filters))


def period_filters(
    date_from: dt.date, date_to: dt.date, moment: dt.datetime, compare: str = "", **scope: str | None
) -> Filters:
    """Filters of a period seen at `moment`: a period ending on the moment's day runs to its minute."""
    span = period_span(date_from, date_to, moment)
    return Filters(date_from, date_to, **scope, until=span.until, compare=compare)
