"""The home page's view code: yesterday's tiles, the month's tiles (each opening the KPI page on the same
period, with the exact span compared), and what needs the user now (per access role, each a count, a short
list and a link to the page filtered to it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

import streamlit as st

from lib import cases, incidents, kpis, plan, surveys
from lib import targets as tg
from lib.core.access import MANAGERS
from lib.core.auth import CurrentUser
from lib.core.formatting import category_name, format_change, format_metric, format_metric_compact, md_escape
from lib.core.metrics import metric
from lib.web.i18n import current_language, t
from lib.web.layout import phone_grid
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


def _flags(user: CurrentUser, moment: dt.datetime) -> bool:
    today = moment.date()
    flags = cached(kpis.recent_flags, moment)
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


def _plan_work(user: CurrentUser, moment: dt.datetime) -> bool:
    """The planner's own: scripts past their due time (内容负责人) and forecasts not entered (运营负责人)."""
    found: plan.duties.Duties = cached(plan.duties.duties_of, user.person_id, moment)
    if found.total == 0:
        return False
    lang = current_language()
    counts = (
        ("plan.duty.part_scripts", len(found.scripts)),
        ("plan.duty.part_forecasts", len(found.forecasts)),
    )
    parts = t("plan.duty.part_join").join(t(key, n=n) for key, n in counts if n)
    head = t("plan.duty.home_head", parts=parts)
    shown = [(r, "script") for r in found.scripts] + [(r, "forecast") for r in found.forecasts]
    lines = [md_escape(plan.duties.duty_line(r, what, lang)) for r, what in shown[:SHOWN]]
    _card("plan", head, lines, Link("schedule", "plan.duty.home_go"), user.role, found.total - SHOWN)
    return True


def _survey(user: CurrentUser) -> bool:
    invite = cached(surveys.open_round_for, user.id)  # only for users who may answer and have not
    if invite is None:
        return False
    head = t("overview.survey_invite", name=md_escape(invite[1]))
    _card("survey", head, [], Link("survey", "overview.survey_go"), user.role)
    return True


def needs_me(user: CurrentUser, moment: dt.datetime) -> None:
    """What needs this user now; says so plainly when nothing does."""
    today = moment.date()
    st.subheader(t("overview.needs_title"))
    shown = user.role in MANAGERS and _flags(user, moment)  # the KPI page is theirs
    shown |= _incidents(user, today)  # each card is drawn whether or not one came before
    shown |= _approvals(user)
    shown |= _my_items(user, today)
    shown |= _plan_work(user, moment)
    shown |= _survey(user)
    if not shown:
        st.success(t("overview.nothing_needed"), icon=":material/task_alt:")


def target_lines(tile: kpis.OverviewTile, caption: str, lang: str) -> None:
    """Which target the tile is read against (lib.targets words it, as on the KPI page); a period target's
    pacing badge, red when behind."""
    st.caption(caption)
    if (tile.detail or {}).get("target_kind") == "period":
        color: Literal["red", "green"] = "red" if tile.status == "red" else "green"
        st.badge(tg.status_text(tile.status, tile.detail, lang), color=color)


def answers_first(user: CurrentUser) -> bool:
    """Managers read the figures first thing (yesterday, the month); staff first see what needs them."""
    return user.role in MANAGERS


def yesterday_block(user: CurrentUser, moment: dt.datetime) -> None:
    """Yesterday against target and against the same weekday last week (the morning's first answer)."""
    lang = current_language()
    period = kpis.yesterday_of(moment)
    weekday = t(f"overview.weekday.{period.start.weekday()}")
    st.subheader(t("overview.yesterday_title", day=f"{period.start:%m-%d}", weekday=weekday))
    kind = period.filters.compare
    st.caption(kpis.compare_text("overview.yesterday_caption", period.previous, kind, lang))
    period_tiles(user, period, cached(kpis.yesterday_tiles, moment))


def month_block(
    user: CurrentUser, moment: dt.datetime, tile_extra: Callable[[Any], None] | None = None
) -> None:
    """The month's period (month to date; early in a month the whole last month) against the same elapsed
    part of the period before and against target. `tile_extra(tile)` draws under a tile's target line:
    the place for month-to-date pacing (时间进度 vs 完成进度, lib.targets' period targets)."""
    lang = current_language()
    period = kpis.period_of(moment)
    st.subheader(t("overview.month_title" if period.preset == "this_month" else "overview.last_month_title"))
    label = t(period.label_key, days=kpis.MIN_MONTH_DAYS)
    compare = kpis.compare_text("kpis.compare_kind_span", period.previous, period.filters.compare, lang)
    st.caption(t("overview.period_caption", period=kpis.span_text(period.span), label=label, compare=compare))
    period_tiles(user, period, cached(kpis.overview_tiles, moment), tile_extra)


def period_tiles(
    user: CurrentUser,
    period: kpis.OverviewPeriod,
    tiles: list[kpis.OverviewTile],
    tile_extra: Callable[[Any], None] | None = None,
) -> None:
    """A period's tiles against its comparison span and target; each opens the KPI page on the period."""
    lang = current_language()
    block = "yesterday" if period.preset == "yesterday" else "tile"  # home_tile_<metric>: the month's
    help_text = kpis.compare_text("overview.delta_help", period.previous, period.filters.compare, lang)
    with phone_grid(f"home_{block}s"):  # two tiles a row on a phone
        cols = st.columns(len(tiles))
    for col, tile in zip(cols, tiles, strict=True):
        with col, st.container(border=True, key=f"home_{block}_{tile.metric}"):
            figure_tile(
                st,
                metric(tile.metric).name(lang),
                tile.metric,
                tile.actual,
                delta=format_change(tile.change),
                help=help_text,
            )
            if (caption := tg.target_caption(tile.metric, tile.detail, lang)) is not None:
                target_lines(tile, caption, lang)
            elif tile.target is None:  # said, so that every tile has its target line
                st.caption(t("kpis.tile_no_target"))
            else:
                st.caption(
                    t(
                        "overview.against_target",
                        target=format_metric_compact(tile.metric, tile.target, lang),
                        achievement=format_metric("gmv_achievement", tile.achievement, lang),
                    )
                )
            if tile_extra is not None:
                tile_extra(tile)
            link_to("kpis", "overview.details", user.role, kpis.tile_link(period, tile.metric))
