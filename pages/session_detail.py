"""单场复盘: one session (?session=<id> or the picker; managers any, staff those they hosted: lib.core.access):
totals against target, then its review - minute curves with incidents as spans, retention, incidents with
GMV at risk, Top 5 and the product funnel, traffic sources (each where its rows exist, else a note of what
to upload) - linked cases, stored fields."""

import streamlit as st

from lib import kpis, review
from lib.web import access, md_escape
from lib.web.i18n import current_language, t
from lib.web.review_view import pick_session, plan_section, review_sections
from lib.web.ui import cached, guard, link_to, no_data, show_table

user = guard("session_detail")
lang = current_language()

st.title(t("review.page.title"))
picked = pick_session("session", "session_pick", "kpis.session.pick", lang, user)
if picked is None:  # the picker said why
    st.stop()
# Staff see the sessions they hosted (the picker offers only those; this holds for any way in).
if not access.sees_every_session(user.role) and not cached(
    review.may_see_session, picked, user.role, user.person_id
):
    st.error(t("session_access.refused", id=picked))
    st.stop()

detail = cached(kpis.session_detail, picked)
if detail is None:
    st.warning(t("kpis.session.not_found", id=picked))
    st.stop()

stored = detail["stored"]
platform = md_escape(kpis.choice_label("platform", stored["platform"], lang))
st.subheader(f"{stored['started_at']:%Y-%m-%d %H:%M} · {platform}")
st.caption(
    md_escape(f"{stored.get('room') or ''} · {detail['host'] or ''} · {detail['team'] or t('kpis.no_team')}")
)
# Start a case (post-stream review) pre-filled with this session, its numbers and its review facts.
link_to("cases", "cases.review_session", user.role, {"new_from_session": str(picked)})
link_to("session_pk", "review.pk.link", user.role, {"session": str(picked)})

st.subheader(t("kpis.session.metrics"))
show_table(kpis.session_metrics_frame(detail, lang), hide_index=True, key="session_metrics")
plan_section(picked, lang)  # its plan beside what happened (lib.plan's matching)

review_sections(picked, lang, user.role, stored["platform"])

st.subheader(t("kpis.session.cases"))
if detail["cases"].empty:
    no_data("kpis.session.no_cases")
else:
    show_table(kpis.session_cases_frame(detail["cases"], lang), key="session_cases")

with st.expander(t("kpis.session.fields")):  # the raw import, on demand
    show_table(kpis.stored_fields_frame(detail, lang), hide_index=True, key="session_fields")
