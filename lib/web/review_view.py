"""View code of the review page (pages/session_detail.py) and the session pickers the PK page shares:
curves with incident spans and shelf times, retention tiles, incidents with their GMV at risk, Top 5 and
the product funnel, traffic sources; what is missing degrades to a note of what to upload."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from lib import kpis
from lib import review as rv
from lib.core.bounds import parse_id
from lib.core.formatting import md_escape
from lib.web.i18n import t
from lib.web.ui import cached, no_data, show_table


def pick_session(
    param: str, key: str, label_key: str, lang: str, first: list[int] | None = None
) -> int | None:
    """A session picker that starts from ?<param>= and writes the choice back to the link; the sessions
    in `first` lead the list. None (after a message) when there is nothing to pick or the link is bad."""
    recent = dict(cached(kpis.recent_sessions, 200, lang))
    raw = st.query_params.get(param)
    linked = parse_id(raw)  # None unless a row id (digits within a database INTEGER)
    if raw and linked is None:
        st.error(t("kpis.session.bad_id", value=md_escape(raw[:40])))
    options = [i for i in (first or []) if i in recent] + [i for i in recent if i not in (first or [])]
    if linked is not None and linked not in options:
        options.insert(0, linked)
    if not options:
        return None
    # The link decides the first choice (as the widget's index: a value preset in session state shows the
    # first option's label in the browser).
    index = options.index(linked) if linked is not None else 0
    picked = st.selectbox(
        t(label_key), options, index=index, key=key, format_func=lambda i: recent.get(i, f"#{i}")
    )
    if str(picked) != raw:
        st.query_params[param] = str(picked)
    return picked


def session_label(session_id: int) -> str:
    """A short name of a session for PK columns and legends: start time and host."""
    header = cached(rv.session_header, session_id)
    if header is None:
        return f"#{session_id}"
    return f"{header['started_at']:%m-%d %H:%M} {header['host'] or ''}".strip()


def review_sections(session_id: int, lang: str, platform: str | None = "douyin") -> None:
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
        products_section(session_id, lang)
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


def products_section(session_id: int, lang: str) -> None:
    st.subheader(t("review.page.top"))
    top = cached(rv.top_products, session_id)
    show_table(rv.top_table(top, lang), hide_index=True, key="review_top")
    st.altair_chart(rv.rate_bars(top, lang), width="stretch")
    st.subheader(t("review.page.products"))
    frame = cached(rv.products, session_id)
    urls = [f"products?{urlencode({'product': p})}" for p in frame["product_id"]]  # across sessions
    linked_table(
        rv.review_table("products", frame, lang), "review.page.col.product_link", urls, "review_products"
    )
    with st.expander(t("review.page.windows")):
        windows = cached(rv.product_windows, session_id)
        show_table(rv.review_table("windows", windows, lang), hide_index=True, key="review_windows")


def sources_section(session_id: int, lang: str) -> None:
    st.subheader(t("review.page.sources"))
    frame = cached(rv.sources, session_id)
    left, right = st.columns(2)
    left.altair_chart(rv.source_bars(frame, "viewers", lang), width="stretch")
    right.altair_chart(rv.source_bars(frame, "gmv", lang), width="stretch")
    show_table(rv.review_table("sources", frame, lang), hide_index=True, key="review_sources")
