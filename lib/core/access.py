"""The one catalogue of pages and who may open them. app.py builds the navigation from it, and every
page script checks it again at its top (a fresh server can run a page without app.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lib.core.db import ROOT

ALL = frozenset({"admin", "manager", "staff"})
MANAGERS = frozenset({"admin", "manager"})
ADMINS = frozenset({"admin"})


@dataclass(frozen=True)
class PageSpec:
    key: str  # also the file name: pages/<key>.py
    title_key: str  # i18n key of its title
    icon: str
    roles: frozenset[str]
    section: str  # i18n key of its navigation section

    @property
    def path(self) -> str:
        return f"pages/{self.key}.py"

    def exists(self) -> bool:
        return (ROOT / self.path).exists()


# Order is the navigation order. A page file that does not exist yet is simply not listed.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "nav.overview", ":material/dashboard:", ALL, "nav.section.dashboards"),
    PageSpec("kpis", "nav.kpis", ":material/monitoring:", MANAGERS, "nav.section.dashboards"),
    # Open to staff: the page itself shows them only the sessions they hosted (may_see_session).
    PageSpec("session_detail", "nav.session_detail", ":material/live_tv:", ALL, "nav.section.dashboards"),
    PageSpec("session_pk", "review.pk.nav", ":material/compare_arrows:", MANAGERS, "nav.section.dashboards"),
    PageSpec(
        "products", "review.page.across.nav", ":material/inventory_2:", MANAGERS, "nav.section.dashboards"
    ),
    PageSpec("scorecards", "nav.scorecards", ":material/leaderboard:", ALL, "nav.section.dashboards"),
    PageSpec(
        "incident_report", "nav.incident_report", ":material/timer:", MANAGERS, "nav.section.dashboards"
    ),
    PageSpec("survey_results", "nav.survey_results", ":material/groups:", MANAGERS, "nav.section.dashboards"),
    PageSpec("reports", "nav.reports", ":material/summarize:", MANAGERS, "nav.section.dashboards"),
    PageSpec("schedule", "plan.nav", ":material/calendar_month:", ALL, "nav.section.work"),
    PageSpec("incidents", "nav.incidents", ":material/report:", ALL, "nav.section.work"),
    PageSpec("survey", "nav.survey", ":material/rate_review:", ALL, "nav.section.work"),
    PageSpec("cases", "nav.cases", ":material/menu_book:", ALL, "nav.section.work"),
    PageSpec("upload", "nav.upload", ":material/upload_file:", ALL, "nav.section.data"),
    PageSpec("targets", "nav.targets", ":material/flag:", MANAGERS, "nav.section.data"),
    PageSpec("people", "nav.people", ":material/badge:", ALL, "nav.section.data"),
    PageSpec("users", "nav.users", ":material/manage_accounts:", ADMINS, "nav.section.admin"),
    PageSpec("settings", "nav.settings", ":material/settings:", ADMINS, "nav.section.admin"),
    PageSpec("notify", "nav.notify", ":material/campaign:", ADMINS, "nav.section.admin"),
)
PAGE_BY_KEY = {p.key: p for p in PAGES}


def allowed(page_key: str, role: str | None) -> bool:
    spec = PAGE_BY_KEY.get(page_key)
    return spec is not None and role in spec.roles


def pages_for(role: str | None) -> list[PageSpec]:
    """Pages this role may open that exist in this build."""
    return [p for p in PAGES if role in p.roles and p.exists()]


def page_for_path(url_path: str) -> PageSpec | None:
    """The page a URL path names (`/kpis`, `/kpis/`), for remembering deep links across login."""
    name = Path(url_path.strip("/").split("/")[-1] or "").stem
    return PAGE_BY_KEY.get(name)


# --- one live session ---------------------------------------------------------------------------------
# Managers and admins see every session. Staff see the sessions they hosted: the session's host
# (live_sessions.host_person_id, resolved from the platform's host name through host_accounts at import) is
# the roster person of their login (users.person_id). The data model names no other person per session (no
# operations owner), so that is the whole rule; a staff login without a roster person sees no session.
# Every way to a session's figures asks this (the review page, a case pre-filled from a session, the
# upload preview's reconciliation notes): lib.review.may_see_session reads the host and asks it.
SESSION_READERS = MANAGERS  # roles that see every session


def sees_every_session(role: str | None) -> bool:
    return role in SESSION_READERS


def may_see_session(role: str | None, person_id: int | None, host_person_id: int | None) -> bool:
    """May a user (role, roster person) see a session hosted by `host_person_id`?"""
    if sees_every_session(role):
        return True
    return role in ALL and person_id is not None and host_person_id == person_id
