"""Admin: add users, change roles, disable, reset passwords, link a user to a roster person."""

import pandas as pd
import streamlit as st

from lib.web import auth, form_ui, forms, write
from lib.web.i18n import t
from lib.web.ui import cached, engine, guard, show_flash, show_table

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
    show_table(shown, hide_index=True, width="stretch")


def _apply(form: str, action, success_key: str, clear: tuple[str, ...]) -> None:
    """Run a user change once (the form's token, in the change's transaction); close the form after it."""

    def write_once(token: str) -> None:
        with write(engine()) as conn:
            forms.claim(conn, token, form.split(":")[0], user.username)
            action(conn)

    try:
        form_ui.submit(form, write_once, lambda _r: t(success_key), clear)
    except auth.AuthError as exc:
        st.error(t(f"auth.error.{exc.code}", **exc.params))
    except forms.StaleEdit as exc:
        st.session_state.pop("edit_base", None)  # the next save starts from the latest: a deliberate choice
        st.error(form_ui.stale_message(exc))
    else:
        if form.startswith("user_edit:"):
            st.session_state.pop("edit_base", None)  # our own save moved the version
        st.rerun()


ADD_KEYS = ("new_username", "new_display_name", "new_role", "new_person", "new_password")
EDIT_KEYS = ("edit_role", "edit_active", "edit_person", "edit_password")
tab_add, tab_edit = st.tabs([t("users.add"), t("users.edit")])
with tab_add:
    if not form_ui.closed("user_add", clear=ADD_KEYS):
        with st.form("add_user"):
            name = st.text_input(t("auth.username"), key="new_username")
            display = st.text_input(t("users.col.display_name"), key="new_display_name")
            role = st.selectbox(
                t("users.col.role"),
                auth.ROLES,
                index=auth.ROLES.index("staff"),  # least privilege unless the admin chooses more
                format_func=lambda r: t(f"role.{r}"),
                key="new_role",
            )
            person = st.selectbox(
                t("users.col.person"),
                [None, *people],
                format_func=lambda p: people.get(p, "—"),
                key="new_person",
            )
            password = st.text_input(
                t("users.initial_password"),
                type="password",
                key="new_password",
                help=t("users.password_rule"),
            )
            if st.form_submit_button(t("users.add"), type="primary"):
                _apply(
                    "user_add",
                    lambda c: auth.add_user(
                        c, name.strip(), password, role, display.strip() or None, person, user.username
                    ),
                    "users.added",
                    ADD_KEYS,
                )

with tab_edit:
    names = [r["username"] for r in rows]
    target = st.selectbox(t("auth.username"), names, key="edit_username")
    current = next((r for r in rows if r["username"] == target), None)
    # The version this edit starts from, kept while the same user stays selected and the form holds input.
    fresh_form = "edit_role" not in st.session_state
    if current is not None and (fresh_form or st.session_state.get("edit_base", (None,))[0] != target):
        st.session_state["edit_base"] = (target, current["version"])
    form_name = f"user_edit:{target}"
    if current is not None and not form_ui.closed(form_name, clear=EDIT_KEYS, label_key="forms.edit_again"):
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
                        form_name,
                        lambda c: auth.update_user(
                            c,
                            target,
                            user.username,
                            role=role,
                            active=active,
                            password=password or None,
                            person_id=person,
                            version=st.session_state["edit_base"][1],
                        ),
                        "users.saved",
                        EDIT_KEYS,
                    )
