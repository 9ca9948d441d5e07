"""商品分析: products sold in a period (?from=&to=, default the last 90 days) and one product across
sessions (?product=<id>): which host sells it best, every session that sold it, its funnel."""

import streamlit as st

from lib import review as rv
from lib.web.i18n import current_language, t
from lib.web.review_pk_view import product_detail, products_period
from lib.web.ui import cached, guard, no_data, show_table

user = guard("products")
lang = current_language()

st.title(t("review.page.across.title"))
start, end = products_period()
overview = cached(rv.products_overview, start, end)
st.caption(t("review.page.across.caption", start=start, end=end, count=len(overview)))
if overview.empty:
    no_data("review.page.across.none")
    st.stop()
show_table(rv.review_table("overview", overview, lang), hide_index=True, key="products_overview")

names = dict(zip(overview["product_id"], overview["name"], strict=True))
linked = (st.query_params.get("product") or "")[:64] or None  # product ids are short
options = list(names)
if linked and linked not in names:
    options.insert(0, linked)  # a product sold outside this period still opens from its link
if "products_pick" not in st.session_state:
    st.session_state["products_pick"] = linked if linked else options[0]
product = st.selectbox(
    t("review.page.across.pick"),
    options,
    key="products_pick",
    format_func=lambda p: f"{names.get(p, '')} ({p})".strip(),
)
if product != linked:
    st.query_params["product"] = product
product_detail(product, lang)
