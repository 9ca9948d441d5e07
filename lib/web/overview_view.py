"""The home page's view code: what needs the user now (per access role, each a count, a short list and a
link to the page filtered to it), then the period tiles, each opening the KPI page on the same period."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import streamlit as st

from lib import cases, incidents, kpis, surveys
from lib.core.access import MANAGERS
from lib.core.auth import CurrentUser
from lib.core.formatting import category_name, format_change, format_metric, format_metric_compact, md_escape
from lib.core.metrics import metric
from lib.web.i18n import current_language, t
from lib.web.ui import cached, figure_tile, link_to

SHOWN = 3  # lines per card; the link leads to the rest


class Link(NamedTuple):
    page: str  # lib.core.access page key
    label: str  # i18n key
    query: dict[str, str] | None = None


def _card(key: str, head: str, lines: list[str], link: Link, role: str, more: int = 0) -> None:
    """One thing that needs attention: its count in the head line, a few named, the link to the rest."""
    with st.container(border=True, key=f"home_{key}"):
        st.markdown(head)
        if lines:
            st.markdown("\n".join(f"- {line}" for line in lines))
        if more > 0:
            st.caption(t("overview.more", n=more))
        link_to(link.page, link.label, role, link.query)


def _incident_line(item: dict[str, Any], state_key: str) -> str:
    return " · ".join(
        (
            f"#{item['id']} {md_escape(category_name(item['category'], current_language()))}",
            t(f"incidents.severity.{item['severity']}"),
            md_escape(item["room"]) if item["room"] else t("overview.no_room"),
            f"{item['detected_at']:%m-%d %H:%M}",
            t(state_key),
        )
    )


def _flags(user: CurrentUser, today: dt.date) -> bool:
    flags = cached(kpis.recent_flags, today)
    if not flags:
        return False
    lang = current_language()
    start, end = kpis.recent_window(today)
    head = t("overview.flags_head", n=len(flags), days=kpis.RECENT_DAYS, start=start, end=end)
    lines = [
        t("overview.flag_line", host=md_escape(f["group"]), reason=md_escape(kpis.flag_reason(f, lang)))
        for f in flags[:SHOWN]
    ]
    link = Link("kpis", "overview.flags_go", kpis.recent_flags_link(today))
    _card("flags", head, lines, link, user.role, len(flags) - SHOWN)
    return True


def _incidents(user: CurrentUser, today: dt.date) -> bool:
    found: incidents.Attention = cached(incidents.attention, today)
    if found.total == 0:
        return False
    head = t(
        "overview.incidents_head",
        open=found.open_count,
        unexplained=found.unexplained_count,
        start=found.date_from,
        end=found.date_to,
    )
    lines = [_incident_line(i, "overview.incident_open") for i in found.open_items]
    lines += [_incident_line(i, "overview.incident_unexplained") for i in found.unexplained_items]
    more = found.total - len(lines)
    if user.role in MANAGERS:  # the report lists both, for the same period
        query = incidents.period_link(found.date_from, found.date_to)
        link = Link("incident_report", "overview.incidents_go_report", query)
    else:  # staff update them (times, reasons) in the incident log
        link = Link("incidents", "overview.incidents_go_log")
    _card("incidents", head, lines, link, user.role, more)
    return True


def _approvals(user: CurrentUser) -> bool:
    viewer = cases.viewer_of(user)
    if not cases.is_manager(viewer):
        return False
    found = cached(cases.search, viewer, cases.CaseQuery(status="submitted", limit=SHOWN))
    if found["total"] == 0:
        return False
    lines = [f"{md_escape(row['title'])} · {row['case_date']}" for row in found["rows"]]
    link = Link("cases", "overview.approvals_go", {"view": "search", "status": "submitted"})
    head = t("overview.approvals_head", n=found["total"])
    _card("approvals", head, lines, link, user.role, found["total"] - len(lines))
    return True


def _my_items(user: CurrentUser, today: dt.date) -> bool:
    items = cached(cases.action_items_for_user, user.username, today)
    overdue = [i for i in items if i["overdue"]]
    if not overdue:
        return False
    head = t("overview.items_head", n=len(overdue), open=len(items))
    lines = [
        f"{md_escape(i['description'])} · {md_escape(i['case_title'])} · "
        + t("overview.item_overdue", days=-i["days_left"])
        for i in overdue[:SHOWN]
    ]
    link = Link("cases", "overview.items_go", {"view": "actions", "owner": "me"})
    _card("items", head, lines, link, user.role, len(overdue) - SHOWN)
    return True


def _survey(user: CurrentUser) -> bool:
    invite = cached(surveys.open_round_for, user.id)  # only for users who may answer and have not
    if invite is None:
        return False
    head = t("overview.survey_invite", name=md_escape(invite[1]))
    _card("survey", head, [], Link("survey", "overview.survey_go"), user.role)
    return True


def needs_me(user: CurrentUser, today: dt.date) -> None:
    """What needs this user now; says so plainly when nothing does."""
    st.subheader(t("overview.needs_title"))
    shown = user.role in MANAGERS and _flags(user, today)  # the KPI page is theirs
    shown |= _incidents(user, today)  # each card is drawn whether or not one came before
    shown |= _approvals(user)
    shown |= _my_items(user, today)
    shown |= _survey(user)
    if not shown:
        st.success(t("overview.nothing_needed"), icon=":material/task_alt:")


def period_tiles(user: CurrentUser, today: dt.date) -> None:
    """The default period's tiles against last month and target; each opens the KPI page on this period."""
    lang = current_language()
    tiles = cached(kpis.overview_tiles, today)
    for col, tile in zip(st.columns(len(tiles)), tiles, strict=True):
        with col, st.container(border=True, key=f"home_tile_{tile.metric}"):
            figure_tile(
                st,
                metric(tile.metric).name(lang),
                tile.metric,
                tile.actual,
                delta=format_change(tile.change),
                help=t("overview.delta_help"),
            )
            if tile.target is not None:
                st.caption(
                    t(
                        "overview.against_target",
                        target=format_metric_compact(tile.metric, tile.target, lang),
                        achievement=format_metric("gmv_achievement", tile.achievement, lang),
                    )
                )
            link_to("kpis", "overview.details", user.role, kpis.tile_link(today, tile.metric))
