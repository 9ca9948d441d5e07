"""The login form (our own form so throttling, lockout and the audit log sit in front of the password
check); on success it hands the session to streamlit-authenticator, which sets the login cookie."""

from __future__ import annotations

import streamlit as st

from lib import auth
from lib.db import is_demo, write
from lib.i18n import t
from lib.ui import engine


def render_login(authenticator) -> None:
    st.title(t("app.title"))
    if is_demo(engine()):
        st.info(t("auth.demo_logins", password=auth.DEMO_PASSWORD), icon=":material/key:")
    with st.form("login_form"):
        st.subheader(t("auth.login"))
        username = st.text_input(t("auth.username"), key="login_username", autocomplete="username")
        password = st.text_input(
            t("auth.password"), type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("auth.login_button"), type="primary")
    if not submitted:
        return
    if not username or not password:
        st.error(t("auth.error.missing_fields"))
        return
    with write(engine()) as conn:
        result = auth.attempt_login(conn, username.strip(), password)
    if result.reason == "locked":
        st.error(t("auth.error.locked", until=result.locked_until.strftime("%H:%M")))
        return
    if not result.ok:
        st.error(t("auth.error.bad_credentials"))  # same message for unknown user, wrong or disabled
        return
    user = result.user
    st.session_state.update(
        authentication_status=True, username=user.username, name=user.display_name,
        roles=[user.role], logout=None, logged_out=False,
    )  # fmt: skip
    authenticator.cookie_controller.set_cookie()
    st.rerun()
