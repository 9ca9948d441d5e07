"""View code of the review page (pages/session_detail.py) and the session pickers the PK page shares:
curves with incident spans and shelf times, retention tiles, incidents with their GMV at risk, Top 5 and
the product funnel, traffic sources; what is missing degrades to a note of what to upload."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from lib import plan
from lib import review as rv
from lib.core import access, clock
from lib.core.auth import CurrentUser
from lib.core.bounds import parse_id
from lib.core.formatting import format_value, md_escape
from lib.web.i18n import t
from lib.web.ui import cached, no_data, show_table


def pick_session(
    param: str,
    key: str,
    label_key: str,
    lang: str,
    user: CurrentUser,
    first: list[int] | None = None,
) -> int | None:
    """A session picker that starts from ?<param>= and writes the choice back to the link; the sessions
    in `first` lead the list, and only sessions this user may see are offered (lib.core.access). None,
    after a message, when there is nothing to pick or the link is bad or names a session the user may not
    see: then the link is left as it is, so the message stays through any rerun (e.g. the cookie login's)
    until the user picks a session."""
    recent = dict(cached(rv.pickable_sessions, user.role, user.person_id, 200, lang))
    raw = st.query_params.get(param)
    linked = parse_id(raw)  # None unless a row id (ASCII digits within a database INTEGER)
    # A choice made in the picker since (it writes the link at the end of its run) replaces the bad link.
    chosen = st.session_state.get(key) is not None
    refused = False
    if raw and linked is None and not chosen:
        st.error(t("session_access.bad_link", value=md_escape(raw[:40]), param=param))
        refused = True
    elif linked is not None and linked not in recent and not access.sees_every_session(user.role):
        if not chosen and not cached(rv.may_see_session, linked, user.role, user.person_id):
            st.error(t("session_access.refused", id=linked))
            refused = True
    options = [i for i in (first or []) if i in recent] + [i for i in recent if i not in (first or [])]
    if linked is not None and not refused and linked not in options:
        options.insert(0, linked)
    if not options:
        if not refused:
            no_data(
                "kpis.session.none" if access.sees_every_session(user.role) else "session_access.none_own"
            )
        return None
    # The link decides the first choice (as the widget's index: a value preset in session state shows the
    # first option's label in the browser); a refused link chooses nothing.
    index = None if refused else (options.index(linked) if linked is not None else 0)
    picked = st.selectbox(
        t(label_key),
        options,
        index=index,
        key=key,
        format_func=lambda i: recent.get(i, f"#{i}"),
        placeholder=t("session_access.pick_placeholder"),
    )
    if picked is not None and str(picked) != raw:
        st.query_params[param] = str(picked)
    return picked


def session_label(session_id: int) -> str:
    """A short name of a session for PK columns and legends: start time and host."""
    header = cached(rv.session_header, session_id)
    if header is None:
        return f"#{session_id}"
    return f"{header['started_at']:%m-%d %H:%M} {header['host'] or ''}".strip()


def review_sections(session_id: int, lang: str, role: str, platform: str | None = "douyin") -> None:
    """Everything a session's detail rows give, each part only when its rows exist, after a note of what
    to upload for the rest; the incidents table always (with GMV at risk where minute rows exist)."""
    counts = cached(rv.detail_counts, session_id)
    missing = rv.missing_notes(counts, lang, platform)
    if missing:
        st.info(
            t("review.page.missing_intro") + "\n\n" + "\n".join(f"- {md_escape(line)}" for line in missing),
            icon=":material/upload_file:",
        )
    spans = cached(rv.incident_spans, session_id)
    if counts["minutes"]:
        curves_section(session_id, spans, lang)
        retention_section(session_id, lang)
    incidents_section(spans, lang)
    if counts["products"]:
        products_section(session_id, lang, access.allowed("products", role), counts["products"])
    if counts["sources"]:
        sources_section(session_id, lang)


def curve_picker(curves: dict[str, tuple[str, ...]], key: str) -> str:
    """Which curve to draw (online, entering/leaving, GMV, ...), one row of radio buttons."""
    return st.radio(
        t("review.page.curve_pick"),
        list(curves),
        format_func=lambda c: t(f"review.page.curve.{c}"),
        horizontal=True,
        key=key,
    )


def curves_section(session_id: int, spans: pd.DataFrame, lang: str) -> None:
    st.subheader(t("review.page.curves"))
    frame = cached(rv.minute_frame, session_id)
    st.caption(rv.minute_caption(rv.minute_summary(frame), lang))
    curve = curve_picker(rv.CURVES, "review_curve")
    windows = cached(rv.product_windows, session_id)
    st.altair_chart(rv.minute_curves(frame, curve, spans, windows, lang), width="stretch")
    st.caption(t("review.page.curves_legend"))
    dip = cached(rv.biggest_dip, session_id)
    st.markdown(md_escape(t("review.page.dip.title") + rv.dip_text(dip, lang)))


def retention_section(session_id: int, lang: str) -> None:
    st.subheader(t("review.page.retention"))
    retention = cached(rv.session_retention, session_id)
    tiles = rv.retention_tiles(retention, lang)
    for column, tile in zip(st.columns(len(tiles)), tiles, strict=True):
        column.metric(tile["label"], tile["value"], help=tile["help"])
    st.caption(rv.retention_caption(retention, lang))
    st.caption(rv.opening_caption(cached(rv.session_online_vs_opening, session_id), lang))


def incidents_section(spans: pd.DataFrame, lang: str) -> None:
    st.subheader(t("kpis.session.incidents"))
    if spans.empty:
        no_data("kpis.session.no_incidents")
        return
    show_table(rv.review_table("spans", spans, lang), hide_index=True, key="session_incidents")
    st.caption(t("review.page.gmv_at_risk_help", minutes=rv.BASELINE_MINUTES))


def linked_table(table: pd.DataFrame, label_key: str, urls: list[str], key: str) -> None:
    """A table with a last column of links (to another page of the app), shown as their label."""
    label = t(label_key)
    table[label] = urls
    show_table(
        table,
        hide_index=True,
        key=key,
        column_config={label: st.column_config.LinkColumn(display_text=label)},
    )


def page_picker(total: int, size: int, key: str, lang: str) -> int:
    """Which page of a long table to show (1 when it fits on one), with a line saying which rows these are."""
    pages = max(1, math.ceil(total / size))
    page = 1
    if pages > 1:
        page = int(
            st.number_input(
                t("review_paging.page", pages=format_value(pages, "count", lang)),
                min_value=1,
                max_value=pages,
                value=1,
                step=1,
                key=key,
            )
        )
        first, last = (page - 1) * size + 1, min(total, page * size)
        st.caption(t("review_paging.rows", first=first, last=last, total=format_value(total, "count", lang)))
    return page


def products_section(session_id: int, lang: str, links: bool, count: int) -> None:
    """Top 5 (read as 5 rows), the products table a page at a time and the first shelf times: a session
    with 150,000 products reads a few hundred rows here, not all of them."""
    st.subheader(t("review.page.top"))
    first = cached(rv.products, session_id, rv.PRODUCTS_PAGE, 0)  # the table's first page holds the Top 5
    top = first.head(rv.TOP_N)
    show_table(rv.top_table(top, lang), hide_index=True, key="review_top")
    st.altair_chart(rv.rate_bars(top, lang), width="stretch")
    st.subheader(t("review.page.products"))
    page = page_picker(count, rv.PRODUCTS_PAGE, "review_products_page", lang)
    frame = (
        first
        if page == 1
        else cached(rv.products, session_id, rv.PRODUCTS_PAGE, (page - 1) * rv.PRODUCTS_PAGE)
    )
    table = rv.review_table("products", frame, lang)
    if links:  # each product across sessions (a page staff do not open)
        urls = [f"products?{urlencode({'product': p})}" for p in frame["product_id"]]
        linked_table(table, "review.page.col.product_link", urls, "review_products")
    else:
        show_table(table, hide_index=True, key="review_products")
    with st.expander(t("review.page.windows")):
        if count > rv.WINDOWS_SHOWN:
            st.caption(t("review_paging.windows_first", n=rv.WINDOWS_SHOWN, total=count))
        windows = cached(rv.product_windows, session_id)
        show_table(rv.review_table("windows", windows, lang), hide_index=True, key="review_windows")


def sources_section(session_id: int, lang: str) -> None:
    st.subheader(t("review.page.sources"))
    frame = cached(rv.sources, session_id)
    left, right = st.columns(2)
    left.altair_chart(rv.source_bars(frame, "viewers", lang), width="stretch")
    right.altair_chart(rv.source_bars(frame, "gmv", lang), width="stretch")
    show_table(rv.review_table("sources", frame, lang), hide_index=True, key="review_sources")


def plan_section(session_id: int, lang: str) -> None:
    """The session's plan beside what happened (start, length, host, forecasts), or that it had none."""
    st.subheader(t("plan.session.title"))
    block = cached(
        plan.session_plan.review_block, session_id, clock.now().replace(second=0, microsecond=0), lang
    )
    if block is None:
        st.caption(cached(plan.session_plan.none_text, session_id, lang))
        return
    with st.container(key="review_plan"):
        st.markdown(md_escape(block["verdict"]))
        show_table(block["frame"], hide_index=True, key="review_plan_table")
        st.caption(t("plan.session.error_help"))
        for line in block["notes"]:
            st.caption(md_escape(line))
