"""直播PK: two sessions side by side (?session=<a>&vs=<b>; b defaults to the host's previous session):
totals with differences, curves aligned by minutes from each start, products and sources compared."""

import streamlit as st

from lib.web.i18n import current_language, t
from lib.web.review_pk_view import pick_partner, pk_sections
from lib.web.review_view import pick_session
from lib.web.ui import guard, link_to, no_data

user = guard("session_pk")
lang = current_language()

st.title(t("review.pk.title"))
st.caption(t("review.pk.caption"))
left, right = st.columns(2)
with left:
    a = pick_session("session", "pk_a", "review.pk.pick_a", lang, user)
if a is None:  # the picker said why
    st.stop()
with right:
    b = pick_partner(a, lang, user)
if b is None or b == a:
    no_data("review.pk.pick_other")
    st.stop()
link_to("session_detail", "review.pk.back", user.role, {"session": str(a)})
pk_sections(a, b, lang)
