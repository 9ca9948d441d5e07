"""The library views of pages/cases.py: search (with filters and list exports), browse by category and
tag, and the action-items overview."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import cases as cs
from lib.core.platforms import PLATFORMS
from lib.web import md_escape, now
from lib.web.cases_editor_view import go, platform_label
from lib.web.cases_view import XLSX_MIME
from lib.web.i18n import current_language, t
from lib.web.ui import cached, engine, no_data, select_from, show_table

FILTER_KEYS = ("f_category", "f_tag")
STATUS_LINK = "f_status_link"


def state_from_link(viewer: cs.Viewer) -> None:
    """On the first run, the view and its filters start from the link (the home page's): ?view=...,
    &status=<case status> (search), &owner=me (action items)."""
    if "cases_view" in st.session_state or st.query_params.get("view") not in VIEWS:
        return
    st.session_state["cases_view"] = st.query_params["view"]
    if st.query_params.get("status") in cs.STATUSES:  # the filter box's start (lib.web.ui.select_from)
        st.session_state[STATUS_LINK] = st.query_params["status"]
    if st.query_params.get("owner") == "me" and viewer.person_id:
        st.session_state["ai_owner"] = "me"


def browse_to(field: str, value: str) -> None:
    """Callback: search view with one filter set."""
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
    st.session_state[field] = value
    st.session_state["cases_view"] = "search"


def _filters(opts: dict[str, list[str]]) -> tuple[str, str, str, str, Any, str]:
    every = lambda v: v or t("cases.all")  # noqa: E731
    with st.expander(
        t("cases.search.filters"),
        icon=":material/filter_list:",
        expanded=bool(st.session_state.get("f_category") or st.session_state.get("f_tag")),
    ):
        a, b, c = st.columns(3)
        category = a.selectbox(
            t("cases.field.category"), ["", *opts["categories"]], key="f_category", format_func=every
        )
        tag = b.selectbox(t("cases.field.tags"), ["", *opts["tags"]], key="f_tag", format_func=every)
        platform = c.selectbox(
            t("cases.field.platform"),
            ["", *PLATFORMS],
            key="f_platform",
            format_func=lambda v: platform_label(v) or t("cases.all"),
        )
        a, b, c = st.columns(3)
        host = a.selectbox(t("cases.search.host"), ["", *opts["hosts"]], key="f_host", format_func=every)
        period = b.date_input(t("cases.search.period"), value=[], key="f_period")
        status = select_from(
            t("cases.field.status"),
            ["", *cs.STATUSES],
            "f_status",
            st.session_state.get(STATUS_LINK),
            container=c,
            format_func=lambda v: t(f"cases.status.{v}") if v else t("cases.all"),
        )
    return category, tag, platform, host, period, status


def _list_downloads(viewer: cs.Viewer, query: cs.CaseQuery) -> None:
    lang = current_language()
    d1, d2 = st.columns(2)
    d1.download_button(
        t("cases.export.list_md"),
        lambda: cs.cases_markdown(cs.cases_for_export(engine(), viewer, query), lang),
        "cases.md",
        "text/markdown",
        key="list_md",
        icon=":material/download:",
    )
    d2.download_button(
        t("cases.export.list_xlsx"),
        lambda: cs.cases_xlsx(cs.cases_for_export(engine(), viewer, query), lang),
        "cases.xlsx",
        XLSX_MIME,
        key="list_xlsx",
        icon=":material/download:",
    )


def _result_card(row: dict[str, Any], terms: list[str]) -> None:
    with st.container(border=True):
        st.markdown("#### " + cs.present.highlighted(cs.highlight_spans(row["title"], terms)))
        st.caption(cs.present.meta_line(row, current_language()))
        if row["snippet"]:
            st.markdown(cs.present.highlighted(row["snippet"]))
        st.button(
            t("cases.open"),
            key=f"open_{row['id']}",
            on_click=go,
            kwargs={"case": row["id"]},
            icon=":material/article:",
        )


def render_search(viewer: cs.Viewer) -> None:
    opts = cached(cs.filter_options, viewer)
    text = st.text_input(
        t("cases.search.query"),
        key="q",
        placeholder=t("cases.search.placeholder"),
        max_chars=cs.MAX_QUERY_CHARS,
    )
    category, tag, platform, host, period, status = _filters(opts)
    date_from = date_to = None
    if isinstance(period, tuple) and len(period) == 2:
        date_from, date_to = period
    elif isinstance(period, tuple) and len(period) == 1:
        date_from = period[0]
    query = cs.CaseQuery(text.strip(), category, tag, platform, host, date_from, date_to, status)
    result = cached(cs.search, viewer, query)
    if len(text.split()) > cs.MAX_TERMS:
        st.caption(t("cases.search.too_many_words", n=cs.MAX_TERMS))
    if result["total"] == 0:
        key = "cases.search.no_match" if (text.strip() or any(query[1:8])) else "cases.search.empty"
        st.info(t(key, query=md_escape(text.strip()[:40])), icon=":material/search_off:")
        return
    shown = len(result["rows"])
    st.caption(
        t("cases.search.count", total=result["total"])
        + (" " + t("cases.search.shown", n=shown) if shown < result["total"] else "")
    )
    _list_downloads(viewer, query)
    for row in result["rows"]:
        _result_card(row, result["terms"])


def render_browse(viewer: cs.Viewer) -> None:
    data = cached(cs.facets, viewer)
    if not data["categories"] and not data["tags"]:
        no_data("cases.search.empty")
        return
    left, right = st.columns(2)
    with left:
        st.subheader(t("cases.browse.categories"))
        for name, n in data["categories"]:
            st.button(
                f"{md_escape(name)} ({n})", key=f"cat_{name}", on_click=browse_to, args=("f_category", name)
            )
    with right:
        st.subheader(t("cases.browse.tags"))
        for name, n in data["tags"]:
            st.button(
                f"\\# {md_escape(name)} ({n})", key=f"tag_{name}", on_click=browse_to, args=("f_tag", name)
            )


def render_actions(viewer: cs.Viewer) -> None:
    people = dict(cached(cs.people_choices))
    options: list[Any] = ["all"] + (["me"] if viewer.person_id else []) + list(people)
    a, b = st.columns((3, 1))
    who = a.selectbox(
        t("cases.items.owner_filter"),
        options,
        key="ai_owner",
        format_func=lambda o: t(f"cases.items.{o}") if o in ("all", "me") else people[o],
    )
    include_done = b.checkbox(t("cases.items.include_done"), key="ai_done")
    owner = viewer.person_id if who == "me" else (None if who == "all" else who)
    items = cached(cs.action_items_overview, viewer, owner, include_done, now().date())
    if not items:
        no_data("cases.items.none")
        return
    overdue = sum(i["overdue"] for i in items)
    st.caption(t("cases.items.count", n=len(items), overdue=overdue))
    show_table(
        cs.present.items_frame(items, current_language()),
        hide_index=True,
        width="stretch",
        key="ai_table",
        column_config={t("cases.items.open_case"): st.column_config.LinkColumn(display_text=t("cases.open"))},
    )


VIEWS = {"search": render_search, "browse": render_browse, "actions": render_actions}
