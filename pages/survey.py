"""Confidential collaboration survey: answer the open round once (one form, one submit)."""

import streamlit as st

from lib import surveys
from lib.web import md_escape
from lib.web.i18n import current_language, t
from lib.web.layout import big_choices
from lib.web.ui import engine, guard

user = guard("survey")

lang = current_language()
eng = engine()
st.title(t("survey.title"))
st.info(t("survey.confidential"), icon=":material/lock:")
limits = surveys.thresholds(eng)
with st.expander(t("survey.stored_title")):
    st.markdown(t("survey.stored_details", k=limits.k, comment_k=limits.comment_k))

current = surveys.current_round(eng)
if current is None:
    st.info(t("survey.no_open_round"))
    st.stop()
st.caption(t("survey.round_caption", name=md_escape(current.name), period=current.period))

if st.session_state.get(f"survey_done_{current.id}"):
    st.success(t("survey.thanks", count=surveys.response_count(eng, current.id)), icon=":material/favorite:")
    st.stop()
if surveys.has_answered(eng, current.id, user.id):
    st.success(t("survey.already_answered", count=surveys.response_count(eng, current.id)))
    st.stop()
try:
    own_id, own_name = surveys.respondent_department(eng, user.id)
except surveys.SurveyError as exc:
    st.warning(surveys.message(exc, lang))
    st.stop()

others = {d: name for d, name in surveys.departments(eng).items() if d != own_id}
st.write(t("survey.answering_as", department=md_escape(own_name)))
st.caption(t("survey.scale_help"))
with st.form("survey_form"), big_choices("survey_scores"):  # 1–5 as targets a thumb can hit
    for dept_id, name in others.items():
        st.subheader(md_escape(name))
        columns = st.columns(2)
        for number, question in enumerate(current.questions):
            columns[number % 2].radio(
                question.label(lang),
                options=list(surveys.SCORES),
                index=None,
                horizontal=True,
                key=f"survey_{dept_id}_{question.key}",
            )
    comment = st.text_area(
        t("survey.comment_label"), max_chars=surveys.MAX_COMMENT_CHARS, key="survey_comment"
    )
    submitted = st.form_submit_button(t("survey.submit"), type="primary")

if submitted:
    answers = {
        dept_id: {q.key: st.session_state.get(f"survey_{dept_id}_{q.key}") for q in current.questions}
        for dept_id in others
    }
    try:
        surveys.submit(eng, current.id, user.id, answers, comment)
    except surveys.SurveyError as exc:
        if exc.code != "already_answered":
            st.error(surveys.message(exc, lang, current.questions))
        else:  # a second tap raced the first one past the check above: it is saved once, say so
            st.success(t("survey.submitted_once", count=surveys.response_count(eng, current.id)))
    else:
        st.session_state[f"survey_done_{current.id}"] = True
        st.rerun()
