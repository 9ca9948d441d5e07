"""Admin: add users, change roles, disable, reset passwords, link a user to a roster person."""

import pandas as pd
import streamlit as st

from lib import auth
from lib.db import write
from lib.i18n import t
from lib.ui import cached, engine, flash, guard, show_flash

user = guard("users")
st.title(t("users.title"))
show_flash()

rows = cached(auth.list_users)
people = dict(cached(auth.roster_choices))
frame = pd.DataFrame(rows)
st.caption(t("users.count", n=len(rows)))
if not frame.empty:
    frame["role"] = frame["role"].map(lambda r: t(f"role.{r}"))
    shown = frame[["username", "display_name", "role", "active", "person", "locked_until", "created_at"]]
    shown.columns = [t(f"users.col.{c}") for c in shown.columns]
    st.dataframe(shown, hide_index=True, width="stretch")


def _apply(action, success_key: str) -> None:
    try:
        with write(engine()) as conn:
            action(conn)
    except auth.AuthError as exc:
        st.error(t(f"auth.error.{exc.code}", **exc.params))
    else:
        flash(success_key)


tab_add, tab_edit = st.tabs([t("users.add"), t("users.edit")])
with tab_add, st.form("add_user", clear_on_submit=True):
    name = st.text_input(t("auth.username"), key="new_username")
    display = st.text_input(t("users.col.display_name"), key="new_display_name")
    role = st.selectbox(t("users.col.role"), auth.ROLES, format_func=lambda r: t(f"role.{r}"), key="new_role")
    person = st.selectbox(
        t("users.col.person"), [None, *people], format_func=lambda p: people.get(p, "—"), key="new_person"
    )
    password = st.text_input(
        t("users.initial_password"), type="password", key="new_password", help=t("users.password_rule")
    )
    if st.form_submit_button(t("users.add"), type="primary"):
        _apply(
            lambda c: auth.add_user(
                c, name.strip(), password, role, display.strip() or None, person, user.username
            ),
            "users.added",
        )

with tab_edit:
    names = [r["username"] for r in rows]
    target = st.selectbox(t("auth.username"), names, key="edit_username")
    current = next((r for r in rows if r["username"] == target), None)
    if current is not None:
        with st.form("edit_user"):
            role = st.selectbox(
                t("users.col.role"),
                auth.ROLES,
                index=auth.ROLES.index(current["role"]),
                format_func=lambda r: t(f"role.{r}"),
                key="edit_role",
            )
            active = st.checkbox(t("users.col.active"), value=bool(current["active"]), key="edit_active")
            options = [None, *people]
            person = st.selectbox(
                t("users.col.person"),
                options,
                index=options.index(current["person_id"]) if current["person_id"] in options else 0,
                format_func=lambda p: people.get(p, "—"),
                key="edit_person",
            )
            password = st.text_input(
                t("users.new_password"), type="password", key="edit_password", help=t("users.password_rule")
            )
            if st.form_submit_button(t("common.save"), type="primary"):
                if target == user.username and (role != "admin" or not active):
                    st.error(t("users.cannot_demote_self"))
                else:
                    _apply(
                        lambda c: auth.update_user(
                            c,
                            target,
                            user.username,
                            role=role,
                            active=active,
                            password=password or None,
                            person_id=person,
                        ),
                        "users.saved",
                    )
