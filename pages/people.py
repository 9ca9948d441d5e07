"""人员与团队: the roster (phones masked except for admins) and, for admins, the host accounts."""

import streamlit as st

from lib import importing
from lib.web import md_escape
from lib.web.i18n import current_language, t
from lib.web.ui import cached, engine, guard, show_table

user = guard("people")
lang = current_language()

st.title(t("importing.people.title"))
frame = cached(importing.people_frame, user.role, lang)
if user.role not in importing.PHONE_VISIBLE_ROLES:
    st.caption(t("importing.people.phone_masked"))
if frame.empty:
    st.info(t("common.no_data"))
else:
    shown = frame.drop(columns=["id"]).rename(
        columns={c: t(f"importing.people.col_{c}") for c in frame.columns}
    )
    show_table(shown, hide_index=True, width="stretch", key="people_table")

if user.role == "admin":
    st.subheader(t("importing.people.accounts"))
    st.caption(t("importing.people.accounts_help"))
    if flash := st.session_state.pop("people_flash", None):
        st.success(flash)
    accounts = cached(importing.host_accounts_frame)
    if not accounts.empty:
        accounts["platform"] = accounts["platform"].map(lambda p: t(f"importing.platform.{p}"))
        show_table(
            accounts.drop(columns=["id"]).rename(
                columns={
                    "name": t("importing.people.person"),
                    "platform": t("importing.people.platform"),
                    "alias": t("importing.people.alias"),
                }
            ),
            hide_index=True,
            key="people_accounts",
        )
    choices = dict(cached(importing.person_choices))
    with st.form("people_add_account"):
        c = st.columns(3)
        person = c[0].selectbox(t("importing.people.person"), list(choices), format_func=lambda i: choices[i])
        platform = c[1].selectbox(
            t("importing.people.platform"),
            importing.PLATFORMS,
            format_func=lambda p: t(f"importing.platform.{p}"),
        )
        alias = c[2].text_input(t("importing.people.alias"), max_chars=128)
        if st.form_submit_button(t("importing.people.add")) and person is not None:
            try:
                importing.add_host_account(engine(), int(person), platform, alias, user.username)
                st.session_state["people_flash"] = t("importing.people.added")
                st.rerun()
            except importing.ProfileError as exc:
                st.error(t(f"importing.error.{exc.code}", **{k: md_escape(v) for k, v in exc.params.items()}))
    if not accounts.empty:
        labels = {int(r.id): f"{r.name} · {r.platform} · {r.alias}" for r in accounts.itertuples()}
        pick = st.selectbox(
            t("importing.people.remove"), list(labels), format_func=labels.__getitem__, key="people_pick"
        )
        if st.button(t("importing.people.remove"), key="people_remove"):
            importing.remove_host_account(engine(), int(pick), user.username)
            st.session_state["people_flash"] = t("importing.people.removed")
            st.rerun()
