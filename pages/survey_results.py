"""Survey results (managers): suppressed figures of closed rounds, round management, thresholds (admin)."""

import pandas as pd
import streamlit as st

from lib import surveys
from lib.web import md_escape, settings_view
from lib.web.i18n import current_language, t
from lib.web.ui import cached, edit_table, engine, guard, pick_many, show_table

user = guard("survey_results")
lang, eng = current_language(), engine()
limits = cached(surveys.thresholds)
names = cached(surveys.departments)
rounds = {r.id: r for r in cached(surveys.list_rounds)}
st.title(t("survey.results.title"))
st.caption(t("survey.results.caption", k=limits.k))
if flash := st.session_state.pop("survey_flash", None):
    st.success(t(flash))
tab_results, tab_rounds, tab_settings = st.tabs(
    [t("survey.results.tab_results"), t("survey.rounds.list"), t("survey.results.tab_settings")]
)


def act(action, *args, flash: str) -> None:
    """Run a lib write; show its refusal, or rerun with a success message."""
    try:
        action(eng, *args, actor=user.username)
    except surveys.SurveyError as exc:
        st.error(surveys.message(exc, lang))
    else:
        st.session_state["survey_flash"] = flash
        st.rerun()


def table(frame: pd.DataFrame, columns: list[str]) -> None:
    show_table(surveys.display_table(frame, columns, lang), hide_index=True)


with tab_results:
    for r in rounds.values():
        if r.status == "open":
            st.info(t("survey.results.open_status", name=md_escape(r.name)))
    closed = [r.id for r in rounds.values() if r.status == "closed"]
    if not closed:
        st.info(t("survey.results.no_closed"))
    else:
        c1, c2 = st.columns(2)
        chosen = rounds[c1.selectbox(t("survey.results.round"), closed, format_func=lambda i: rounds[i].name)]
        q_labels = {q.key: q.label(lang) for q in chosen.questions}
        question = c2.selectbox(
            t("survey.results.question"),
            [None, *q_labels],
            format_func=lambda k: q_labels.get(k, t("survey.results.all_questions")),
        )
        f1, f2 = st.columns(2)
        everyone = {"format_func": names.get, "placeholder": t("survey.results.any")}
        raters = pick_many(t("survey.results.filter_raters"), list(names), container=f1, **everyone)
        rated = pick_many(t("survey.results.filter_rated"), list(names), container=f2, **everyone)
        res = cached(surveys.round_results, chosen.id, tuple(sorted(raters)), tuple(sorted(rated)))
        if not res.total.shown:
            st.warning(t("survey.results.too_few", k=res.thresholds.k))
        else:
            overall = res.total.mean_for(question)
            m1, m2 = st.columns(2)
            m1.metric(t("survey.results.responses"), res.total.n)
            m2.metric(t("survey.results.overall"), f"{overall:.2f}", delta=f"{overall - res.target:+.2f}")
            st.caption(t("survey.results.target", target=res.target))
            if res.filtered is not None:
                st.subheader(t("survey.results.filtered"))
                if res.filtered.shown:
                    g1, g2 = st.columns(2)
                    g1.metric(t("survey.results.responses"), res.filtered.n)
                    g2.metric(t("survey.results.mean"), f"{res.filtered.mean_for(question):.2f}")
                else:
                    st.warning(t("survey.results.filtered_hidden", k=res.thresholds.k))
            st.subheader(t("survey.results.by_department"))
            rated_frame = surveys.rated_frame(res, question)
            st.altair_chart(surveys.target_bars(rated_frame, res.target, lang), width="stretch")
            table(rated_frame, ["department", "mean", "gap", "meets_target"])
            st.caption(t("survey.results.hidden_note", k=res.thresholds.k))
            st.subheader(t("survey.results.pairs"))
            st.altair_chart(surveys.pair_heatmap(res, lang, question), width="stretch")
            st.subheader(t("survey.results.distribution"))
            if groups := surveys.shown_groups(res):
                group = st.selectbox(t("survey.results.group"), list(groups))
                shares = groups[group].distribution.get(question or "all")
                if shares is not None:  # None: nobody in the group rated this question
                    st.altair_chart(surveys.distribution_chart(shares, lang), width="stretch")
            st.subheader(t("survey.results.response_rate"))
            table(surveys.response_frame(res), ["department", "responses", "users", "rate"])
            st.subheader(t("survey.results.comments"))
            comments = cached(surveys.round_comments, chosen.id)
            if comments is None:
                st.info(t("survey.results.comments_hidden", k=res.thresholds.comment_k))
            elif not comments:
                st.info(t("survey.results.no_comments"))
            for comment in comments or ():
                st.text(comment)  # user text: never markdown/HTML
        st.subheader(t("survey.results.trend"))
        trend = cached(surveys.trend, question)
        if trend.empty:
            st.info(t("common.no_data"))
        else:
            st.altair_chart(surveys.trend_chart(trend, res.target, lang), width="stretch")

with tab_rounds:
    with st.form("survey_new_round"):
        st.subheader(t("survey.rounds.new"))
        n1, n2 = st.columns(2)
        period = n2.text_input(
            t("survey.rounds.period"), value=surveys.today_period(), key="survey_new_period"
        )
        name = n1.text_input(
            t("survey.rounds.name"), value=f"{period} {t('survey.title')}", key="survey_new_name"
        )
        if st.form_submit_button(t("survey.rounds.create")):
            act(surveys.create_round, name, period, flash="survey.rounds.created")
    if not rounds:
        st.info(t("survey.rounds.none"))
    else:
        show_table(surveys.rounds_table(tuple(rounds.values()), lang), hide_index=True)
    for r in rounds.values():
        label = md_escape(r.name)
        if r.status == "draft":
            st.markdown(t("survey.rounds.edit_questions", name=label))
            questions = pd.DataFrame([q.__dict__ for q in r.questions], columns=["key", "zh", "en"])
            edited = edit_table(questions, num_rows="dynamic", key=f"survey_q_{r.id}", hide_index=True)
            b1, b2 = st.columns(2)
            if b1.button(t("survey.rounds.save_questions"), key=f"survey_save_{r.id}"):
                act(surveys.update_questions, r.id, edited.to_dict("records"), flash="survey.rounds.saved")
            if b2.button(t("survey.rounds.open", name=label), key=f"survey_open_{r.id}", type="primary"):
                act(surveys.open_round, r.id, flash="survey.rounds.opened")
        elif r.status == "open":
            if st.button(t("survey.rounds.close", name=label), key=f"survey_close_{r.id}", type="primary"):
                act(surveys.close_round, r.id, flash="survey.rounds.closed")

with tab_settings:
    if user.role != "admin":
        st.info(t("survey.settings.admin_only", k=limits.k, comment_k=limits.comment_k))
    else:
        settings_view.thresholds_form(user)  # the settings page's form: one form, one write
