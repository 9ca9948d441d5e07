"""单场详情: one session (?session=<id> or the picker) with every stored field, metrics against target,
the incidents during it and the cases that link to it."""

import streamlit as st

from lib import kpis
from lib.web import bounds, md_escape
from lib.web.i18n import current_language, t
from lib.web.ui import cached, guard, link_to, no_data, show_table

user = guard("session_detail")
lang = current_language()

st.title(t("kpis.session.title"))
recent = cached(kpis.recent_sessions, 200, lang)
raw = st.query_params.get("session")
session_id = bounds.parse_id(raw)  # None unless a row id (digits within a database INTEGER)
if raw and session_id is None:
    st.error(t("kpis.session.bad_id", value=md_escape(raw[:40])))
if not recent and session_id is None:
    no_data("kpis.session.none")
    st.stop()
labels = dict(recent)
options = list(labels)
if session_id is not None and session_id not in labels:
    options.insert(0, session_id)
if "session_pick" not in st.session_state:  # first run: the session comes from the link
    st.session_state["session_pick"] = session_id if session_id is not None else options[0]
picked = st.selectbox(
    t("kpis.session.pick"), options, key="session_pick", format_func=lambda i: labels.get(i, f"#{i}")
)
if str(picked) != raw:
    st.query_params["session"] = str(picked)

detail = cached(kpis.session_detail, picked)
if detail is None:
    st.warning(t("kpis.session.not_found", id=picked))
    st.stop()

stored = detail["stored"]
st.subheader(
    f"{stored['started_at']:%Y-%m-%d %H:%M} · {kpis.choice_label('platform', stored['platform'], lang)}"
)
st.caption(
    md_escape(f"{stored.get('room') or ''} · {detail['host'] or ''} · {detail['team'] or t('kpis.no_team')}")
)
# Start a case (post-stream review) pre-filled with this session and its numbers against target.
link_to("cases", "cases.review_session", user.role, {"new_from_session": str(picked)})

st.subheader(t("kpis.session.metrics"))
show_table(kpis.session_metrics_frame(detail, lang), hide_index=True, key="session_metrics")

st.subheader(t("kpis.session.incidents"))
if detail["incidents"].empty:
    no_data("kpis.session.no_incidents")
else:
    show_table(kpis.session_incidents_frame(detail["incidents"], lang), key="session_incidents")

st.subheader(t("kpis.session.cases"))
if detail["cases"].empty:
    no_data("kpis.session.no_cases")
else:
    show_table(kpis.session_cases_frame(detail["cases"], lang), key="session_cases")

with st.expander(t("kpis.session.fields")):  # the raw import, on demand
    show_table(kpis.stored_fields_frame(detail, lang), hide_index=True, key="session_fields")
