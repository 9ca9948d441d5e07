"""The schedule tolerances and script due rules in force for a planned session: settings of the admin
(lib.settings, versioned by month), read here through one function, `load_rules`. A session is judged by
the rules of the month it was planned to start in, so a changed tolerance never rewrites a past month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from lib import settings
from lib.core.dates import month_of


@dataclass(frozen=True)
class PlanRules:
    """A held session is the planned one when it is on the same platform and account (or room) and starts
    within `match_window` of the planned start (closest first). It was held *as planned* when it also
    started within `on_time` of the planned start and ran within `length_tolerance` of the planned length
    (and the host, where the export names one, is the planned host). A script's draft is due
    `draft_days_before` days before the session's day, its review `review_days_before` (see script_due)."""

    match_window: dt.timedelta
    on_time: dt.timedelta
    length_tolerance: dt.timedelta
    draft_days_before: int
    review_days_before: int
    forecast_days_before: int = 3  # the operations owner's GMV and viewers forecast (seed 000)


@dataclass
class RuleBook:
    """The rules of every month, from one read of the settings."""

    versions: settings.Book
    _by_month: dict[str, PlanRules] = field(default_factory=dict)

    def at(self, when: dt.date) -> PlanRules:
        """The rules in force in the month of `when` (a date or a date-time)."""
        month = month_of(when)
        if month not in self._by_month:
            v = self.versions.values(month)
            self._by_month[month] = PlanRules(
                dt.timedelta(minutes=v["plan.match_window_minutes"]),
                dt.timedelta(minutes=v["plan.on_time_minutes"]),
                dt.timedelta(minutes=v["plan.length_tolerance_minutes"]),
                v["plan.draft_days_before"],
                v["plan.review_days_before"],
                v["plan.forecast_days_before"],
            )
        return self._by_month[month]

    def widest_window(self, date_from: dt.date, date_to: dt.date) -> dt.timedelta:
        """The largest match window of the months from `date_from` to `date_to`."""
        months = {date_from, date_to, *(dt.date.fromisoformat(m + "-01") for m in self.versions.starts())}
        return max(self.at(d).match_window for d in months if date_from.replace(day=1) <= d <= date_to)


def load_rules(conn: Connection) -> RuleBook:
    """The one read of the planning settings (inside the caller's connection)."""
    return RuleBook(settings.book_in(conn))


def rules(engine: Engine) -> RuleBook:
    with engine.connect() as conn:
        return load_rules(conn)
