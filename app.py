"""Router only: page config, language, the login gate and st.navigation with the pages a role may open."""

from __future__ import annotations

from urllib.parse import urlparse

import streamlit as st
import streamlit_authenticator as stauth

from lib.web import ConfigError, access, auth, read_login_token, write
from lib.web.i18n import t
from lib.web.layout import ACCOUNT_WHO, apply_layout_rules
from lib.web.login import PENDING_COOKIE, clear_login_cookie, go_to_remembered_page, write_pending_cookie
from lib.web.ui import SESSION_ISSUED, current_user, demo_banner, engine, language_switch, start_session

st.set_page_config(page_title="LiveOps Dashboard", page_icon=":material/live_tv:", layout="wide")
apply_layout_rules()
# Language, who is signed in and logout in one row above every page: with the navigation on top there is
# no sidebar on a desktop, and on a phone the sidebar holds only the menu (it closes after a tap).
account_bar = st.container(horizontal=True, horizontal_alignment="right", key="account_bar")
with account_bar:
    language_switch()

try:
    eng = engine()
    cookie_key = auth.cookie_key(eng)
except ConfigError as exc:
    st.error(t("app.config_error"))
    st.code(str(exc), language=None)
    st.stop()

user = current_user()


def login_view() -> None:
    from lib.web.login import render_login

    render_login(authenticator)


# Navigation first, before any widget can trigger a rerun, so a deep link resolves to its page.
pages_by_key: dict[str, st.Page] = {}
if user is None:
    # Remember a deep link (page + filters) so the user lands there after logging in.
    if "next_page" not in st.session_state:
        params = dict(st.query_params)
        wanted = access.PAGE_BY_KEY.get(params.pop("next", ""))  # from a page's own login wall
        if wanted is None and st.context.url:
            wanted = access.page_for_path(urlparse(st.context.url).path)
        if wanted is not None:
            st.session_state["next_page"] = (wanted.key, params)
    # Every page URL answers with the login form (no "page not found" over a deep link).
    login_pages = [st.Page(login_view, title=t("auth.login"), icon=":material/login:", default=True)]
    login_pages += [st.Page(login_view, title=t("auth.login"), url_path=spec.key) for spec in access.PAGES]
    nav = st.navigation(login_pages, position="hidden")
else:
    sections: dict[str, list[st.Page]] = {}
    for spec in access.pages_for(user.role):
        page = st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, default=spec.key == "overview")
        sections.setdefault(t(spec.section), []).append(page)
        pages_by_key[spec.key] = page
    nav = st.navigation(sections, position="top")  # a phone shows it as a menu that closes after a tap

with eng.connect() as _conn:
    _credentials = auth.credentials(_conn)
# Exactly one Authenticate per run (its cookie manager is a widget), users from the database.
authenticator = stauth.Authenticate(
    _credentials, auth.COOKIE_NAME, cookie_key, auth.COOKIE_EXPIRY_DAYS, auto_hash=False
)

_raw_cookie = st.context.cookies.get(auth.COOKIE_NAME)
if user is None and not st.session_state.get("logged_out") and isinstance(_raw_cookie, str):
    # Our own reading of the cookie: a forged, malformed, expired or revoked one is "not logged in".
    token = read_login_token(_raw_cookie, cookie_key)
    with eng.connect() as _conn:
        cookie_user = auth.session_user(_conn, token.username, token.issued) if token else None
    if cookie_user is not None and token is not None:  # a user comes only from a token
        start_session(cookie_user, token.issued)
        st.rerun()
    if token is None:  # unreadable: delete it (a revoked one may share its name with a newer login's)
        clear_login_cookie(authenticator)

if user is not None:
    demo_banner()
    with account_bar:
        with st.container(key=ACCOUNT_WHO, width="content"):  # hidden on a phone: one row, not two
            st.caption(
                t("app.signed_in_as", name=user.display_name, role=t(f"role.{user.role}")), width="content"
            )
        if st.button(t("auth.logout"), key="logout_button", icon=":material/logout:"):
            with write(eng) as conn:
                auth.revoke_sessions(conn, user.username)
            st.session_state.pop(PENDING_COOKIE, None)
            st.session_state.pop(SESSION_ISSUED, None)
            authenticator.logout(location="unrendered")
            st.session_state["logged_out"] = True
            st.rerun()
    write_pending_cookie(authenticator)
    go_to_remembered_page(pages_by_key, nav)

nav.run()
