"""View code of the PK page (pages/session_pk.py: two sessions side by side, ?session=&vs=) and of the
products page (pages/products.py: products of a period, one product across sessions, ?product=)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from lib import review as rv
from lib.core.auth import CurrentUser
from lib.core.bounds import MAX_DATE, MIN_DATE, parse_date
from lib.core.clock import today
from lib.core.formatting import md_escape
from lib.web.i18n import t
from lib.web.review_view import curve_picker, linked_table, pick_session, session_label
from lib.web.ui import cached, no_data, show_table

PRODUCTS_DEFAULT_DAYS = 90  # the products page opens on the last 90 days (never a single day)


def pick_partner(session_id: int, lang: str, user: CurrentUser) -> int | None:
    """The second session: ?vs= when given, else the host's previous session, else any other (the host's
    other sessions first, then the latest); the host's other sessions lead the list."""
    first = cached(rv.host_sessions, session_id)
    if "vs" not in st.query_params and "pk_b" not in st.session_state:
        partner = cached(rv.default_partner, session_id)
        if partner is None:
            recent = cached(rv.pickable_sessions, user.role, user.person_id, 200, lang)
            others = first or [i for i, _label in recent if i != session_id]
            partner = others[0] if others else None
        if partner is not None:
            st.query_params["vs"] = str(partner)
    return pick_session("vs", "pk_b", "review.pk.pick_b", lang, user, first=first)


def pk_sections(a: int, b: int, lang: str) -> None:
    """Totals with differences, curves by minutes from the start, products and sources compared."""
    labels = (f"A · {session_label(a)}", f"B · {session_label(b)}")
    st.subheader(t("review.pk.totals"))
    totals = cached(rv.pk_totals, a, b)
    show_table(rv.pk_totals_table(totals, labels, lang), hide_index=True, key="pk_totals")
    st.subheader(t("review.pk.curves"))
    curves = cached(rv.pk_minutes, a, b)
    if curves.empty:
        no_data("review.pk.no_minutes")
    else:
        curve = curve_picker(rv.PK_CURVES, "pk_curve")
        st.altair_chart(rv.pk_curves(curves, curve, labels, lang), width="stretch")
        missing = [
            label
            for label, s in zip(labels, (a, b), strict=True)
            if not cached(rv.detail_counts, s)["minutes"]
        ]
        for label in missing:
            st.caption(t("review.pk.one_missing", session=md_escape(label)))
    compared_section("products", cached(rv.pk_products, a, b), labels, lang)
    compared_section("sources", cached(rv.pk_sources, a, b), labels, lang)


def compared_section(kind: str, frame: pd.DataFrame, labels: tuple[str, str], lang: str) -> None:
    st.subheader(t(f"review.pk.{kind}"))
    if frame.empty:
        no_data(f"review.pk.no_{kind}")
        return
    key = "name" if kind == "products" else "source"
    st.altair_chart(rv.pk_bars(frame.head(10), key, "gmv", labels, lang), width="stretch")
    table = (
        rv.pk_products_table(frame, labels, lang)
        if kind == "products"
        else rv.pk_sources_table(frame, labels, lang)
    )
    show_table(table, hide_index=True, key=f"pk_{kind}")


def products_period() -> tuple[dt.date, dt.date]:
    """The period of the products page from ?from=&to= (bad or missing: the last 90 days), as two
    date inputs whose choice goes back to the link."""
    end_default = today()
    start_default = end_default - dt.timedelta(days=PRODUCTS_DEFAULT_DAYS - 1)
    if "products_from" not in st.session_state:
        raw = {k: st.query_params.get(k) for k in ("from", "to")}
        start, end = parse_date(raw["from"]), parse_date(raw["to"])
        if (raw["from"] and start is None) or (raw["to"] and end is None) or (start and end and end < start):
            bad = {k: md_escape((v or "")[:40]) for k, v in raw.items()}
            st.warning(t("bounds.bad_period", start=bad["from"], end=bad["to"], min=MIN_DATE, max=MAX_DATE))
            start, end = None, None
        st.session_state["products_from"] = start or start_default
        st.session_state["products_to"] = end or end_default
    left, right = st.columns(2)
    start = left.date_input(t("kpis.date_from"), key="products_from")
    end = right.date_input(t("kpis.date_to"), key="products_to")
    if end < start:
        st.error(t("kpis.bad_range", start=start, end=end))
        st.stop()
    st.query_params.update({"from": start.isoformat(), "to": end.isoformat()})
    return start, end


def product_detail(product_id: str, lang: str) -> None:
    """One product across sessions: who sells it best (hosts), then every session that sold it."""
    hosts = cached(rv.product_hosts, product_id)
    if hosts.empty:
        no_data("review.page.across.none_sold")
        return
    st.subheader(t("review.page.across.hosts"))
    st.altair_chart(rv.host_bars(hosts, lang), width="stretch")
    show_table(rv.review_table("hosts", hosts, lang), hide_index=True, key="products_hosts")
    st.subheader(t("review.page.across.sessions"))
    sessions = cached(rv.product_sessions, product_id)
    urls = [f"session_detail?session={int(i)}" for i in sessions["session_id"]]  # each session's review
    table = rv.review_table("product_sessions", sessions, lang)
    linked_table(table, "review.page.col.session_link", urls, "products_sessions")
