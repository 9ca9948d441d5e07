"""Streamlit glue shared by app.py and the pages: the page guard, the data-version cache, language,
and small display helpers. The only lib module (besides i18n's language lookup) that imports Streamlit."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from streamlit.errors import StreamlitAPIException

from lib.core import access, auth
from lib.core.db import data_version, get_engine, is_demo
from lib.core.i18n import LANGUAGES
from lib.core.schema import upgrade
from lib.web.i18n import t

CACHE_TTL_SECONDS = 3600


@st.cache_resource(show_spinner=False)
def _migrated(url: str) -> bool:
    upgrade(get_engine(url))
    return True


def engine() -> Engine:
    """This process's engine, migrated once per process and URL."""
    eng = get_engine()
    _migrated(eng.url.render_as_string(hide_password=False))
    return eng


SESSION_ISSUED = "session_issued_at"  # team time (ISO) of the login this session rests on


def current_user() -> auth.CurrentUser | None:
    """The logged-in user, checked against the database on every run: a disable, a password reset or a
    logout in another tab or process ends this session at its next rerun."""
    if not st.session_state.get("authentication_status"):
        return None
    try:
        issued = dt.datetime.fromisoformat(str(st.session_state.get(SESSION_ISSUED)))
    except ValueError:
        issued = None  # a session without its login time is not one we started
    with engine().connect() as conn:
        user = auth.session_user(conn, st.session_state.get("username"), issued)
    if user is None:
        end_session()
    return user


def start_session(user: auth.CurrentUser, issued: dt.datetime) -> None:
    """Mark this browser session logged in as `user` since `issued` (team time)."""
    st.session_state.update(
        authentication_status=True,
        username=user.username,
        name=user.display_name,
        roles=[user.role],
        logout=None,
        logged_out=False,
    )
    st.session_state[SESSION_ISSUED] = issued.isoformat()


def end_session() -> None:
    """Forget the login in this browser session (the cookie is handled by app.py)."""
    st.session_state.update(authentication_status=None, username=None, name=None, roles=None)
    st.session_state.pop(SESSION_ISSUED, None)


def guard(page_key: str) -> auth.CurrentUser:
    """First line of every page: stop with a login wall or a no-access message unless allowed."""
    user = current_user()
    if user is None:
        st.title(t("app.title"))
        st.warning(t("auth.login_required"))
        # Go to the login (app.py), carrying this page and its filters to land on after login.
        params = {"next": page_key, **{k: v for k, v in st.query_params.items() if k != "next"}}
        if st.button(t("auth.go_to_login"), icon=":material/login:", key="go_to_login"):
            st.switch_page("app.py", query_params=params)
        st.stop()
    if not access.allowed(page_key, user.role):
        st.error(t("auth.no_access"))
        st.stop()
    return user


def cached(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call `func(engine, *args, **kwargs)` through a cache keyed on the data version, so a write in any
    process makes every process recompute at its next rerun. Arguments must be hashable."""
    version = data_version(engine())
    return _cached_call(func.__module__, func.__qualname__, args, tuple(sorted(kwargs.items())), version)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=512, show_spinner=False)
def _cached_call(module: str, qualname: str, args: tuple, kwargs: tuple, version: int) -> Any:
    func = importlib.import_module(module)
    for part in qualname.split("."):
        func = getattr(func, part)
    return func(engine(), *args, **dict(kwargs))


def language_switch() -> None:
    """Radio between 中文 and English where the caller puts it (app.py: the row above every page); the
    choice lives in the session and the URL-free state."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = "zh"
    st.radio(
        t("app.language"),
        options=list(LANGUAGES),
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        key="lang",
        horizontal=True,
        label_visibility="collapsed",
        width="content",
    )


def demo_banner() -> None:
    if is_demo(engine()):
        st.info(t("app.demo_banner"), icon=":material/science:")


def no_data(message_key: str = "common.no_data") -> None:
    st.info(t(message_key), icon=":material/info:")


def flash(message_key: str, **params: Any) -> None:
    """Show a success message after the rerun that follows a write (so the page shows fresh data)."""
    st.session_state["_flash"] = t(message_key, **params)
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


def link_to(page_key: str, label_key: str, role: str, query: dict[str, str] | None = None) -> None:
    """A link to another page when it exists and the role may open it (none when run outside app.py)."""
    spec = access.PAGE_BY_KEY[page_key]
    if not spec.exists() or role not in spec.roles:
        return
    try:
        st.page_link(spec.path, label=t(label_key), icon=":material/arrow_forward:", query_params=query)
    except StreamlitAPIException:  # the page script was run directly (no navigation): no link
        pass
