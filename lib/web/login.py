"""The login form (our own form so throttling, lockout and the audit log sit in front of the password
check); on success it hands the session to streamlit-authenticator, which sets the login cookie."""

from __future__ import annotations

import streamlit as st

from lib.core import auth
from lib.core.db import is_demo, now, write
from lib.core.login_cookie import cookie_expires, encode_login_token
from lib.web.i18n import t
from lib.web.ui import engine, start_session


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
        result = auth.attempt_login(conn, username, password)
    if not result.ok or result.user is None:  # an ok result has its user
        st.error(refusal_message())
        return
    issued = now()
    start_session(result.user, issued)
    key = authenticator.cookie_controller.cookie_model.cookie_key
    st.session_state[PENDING_COOKIE] = encode_login_token(
        result.user.username, issued, auth.COOKIE_EXPIRY_DAYS, key
    )
    st.rerun()


def refusal_message() -> str:
    """One message for an unknown name, a wrong password, a disabled or a locked account: which of them it
    was would tell a stranger which names exist."""
    return t("auth.error.login_refused", max=auth.MAX_FAILED_LOGINS, minutes=auth.LOCKOUT.seconds // 60)


PENDING_COOKIE = "_pending_login_cookie"


NEXT_PAGE_TRIES = 3  # switches to a remembered page before it is given up


def write_pending_cookie(authenticator) -> None:
    """Write the login cookie through the cookie component and keep that component on the page, run after
    run, until the browser reports the cookie written. (Setting it in the run that reruns straight after
    lets the next run unmount the component before its frame has run: then no cookie is written at all.)"""
    pending = st.session_state.get(PENDING_COOKIE)
    if not pending:
        return
    token, exp_date = pending
    model = authenticator.cookie_controller.cookie_model
    written = model.cookie_manager.cookie_manager(
        method="set",
        cookie=model.cookie_name,
        value=token,
        key="set_login_cookie",
        default=False,
        options={
            "path": "/",
            "expires": cookie_expires(exp_date),
            "sameSite": "strict",
        },
    )
    if written:
        del st.session_state[PENDING_COOKIE]


def clear_login_cookie(authenticator) -> None:
    """Delete a login cookie that cannot be read (forged, malformed or expired)."""
    model = authenticator.cookie_controller.cookie_model
    model.cookie_manager.cookie_manager(
        method="delete", cookie=model.cookie_name, key="clear_login_cookie", default=False
    )


def go_to_remembered_page(pages: dict[str, st.Page], shown: st.Page) -> None:
    """After a login, go to the page a deep link asked for; forget it only once that page is the one shown.
    A rerun the cookie component asks for at that moment can overtake the switch (the browser still names
    the page it showed): then this run switches again, up to NEXT_PAGE_TRIES times."""
    pending = st.session_state.get("next_page")
    if pending is None:
        return
    target = pages.get(pending[0])
    tries = st.session_state.get("next_page_tries", 0)
    if target is None or shown is target or tries >= NEXT_PAGE_TRIES:  # there, or nowhere to go
        st.session_state.pop("next_page", None)
        st.session_state.pop("next_page_tries", None)
        return
    st.session_state["next_page_tries"] = tries + 1
    st.switch_page(target, query_params=pending[1] or None)
