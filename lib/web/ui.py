"""Streamlit glue shared by app.py and the pages: the page guard, the data-version cache, language,
and small display helpers. The only lib module (besides i18n's language lookup) that imports Streamlit."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from streamlit.errors import StreamlitAPIException

from lib.core import access, auth, clock, dates
from lib.core.db import data_version, get_engine, is_demo
from lib.core.formatting import format_metric, format_metric_compact
from lib.core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from lib.core.schema import upgrade
from lib.web.i18n import current_language, t

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
        raw_cookie = st.context.cookies.get(auth.COOKIE_NAME)
        if isinstance(raw_cookie, str) and raw_cookie:
            # A bookmark opened on a freshly started server runs this page before the app: the login
            # cookie is the app's to read (and to refuse), so go there at once and come back logged in.
            st.switch_page("app.py", query_params=params)
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


def cached_each(func: Callable[..., Any], args_list: Iterable[tuple]) -> list[Any]:
    """`cached` for each argument tuple, reading the data version once (one query for all, not one each)."""
    version = data_version(engine())
    return [_cached_call(func.__module__, func.__qualname__, tuple(args), (), version) for args in args_list]


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=512, show_spinner=False)
def _cached_call(module: str, qualname: str, args: tuple, kwargs: tuple, version: int) -> Any:
    func: Any = importlib.import_module(module)  # then the attribute qualname names
    for part in qualname.split("."):
        func = getattr(func, part)
    return func(engine(), *args, **dict(kwargs))


LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
LANG_PARAM = "lang"  # ?lang=en: the language of a link (none: the default, Chinese)
LANG_COOKIE = "liveops_lang"  # the reader's own choice of language, remembered by their browser
LANG_COOKIE_DAYS = 365
_LANG_CHOSEN = "_lang_chosen"


def language_switch() -> None:
    """Radio between 中文 and English where the caller puts it (app.py: the row above every page). The
    language rides in the URL (?lang=en: a reload or a shared link opens in it, and every page keeps it), and
    a reader's own choice is remembered in a cookie, which wins over a link's language in a new session."""
    remembered = st.context.cookies.get(LANG_COOKIE)
    if "lang" not in st.session_state:  # a new session: the reader's own choice, else the link's
        linked = st.query_params.get(LANG_PARAM)
        st.session_state["lang"] = next((c for c in (remembered, linked) if c in LANGUAGES), DEFAULT_LANGUAGE)
    if st.session_state["lang"] not in LANGUAGES:  # e.g. set by hand to something unknown
        st.session_state["lang"] = DEFAULT_LANGUAGE
    lang = st.session_state["lang"]
    # "lang" is plain session state; the radio is keyed by the language it shows, so only a tap on it (never
    # a widget state replayed by the browser) changes the language.
    st.radio(
        t("app.language"),
        options=list(LANGUAGES),
        index=LANGUAGES.index(lang),
        format_func=LANGUAGE_NAMES.get,
        key=f"lang_switch_{lang}",
        horizontal=True,
        on_change=_language_chosen,
        args=(f"lang_switch_{lang}",),
        label_visibility="collapsed",
        width="content",
    )
    if st.query_params.get(LANG_PARAM) != with_language({}).get(LANG_PARAM):
        if lang == DEFAULT_LANGUAGE:
            del st.query_params[LANG_PARAM]
        else:
            st.query_params[LANG_PARAM] = lang
    if st.session_state.get(_LANG_CHOSEN) and lang != remembered:
        # A fixed script (no user text) setting our own cookie; st.context.cookies reads it next session.
        st.html(
            f"<script>document.cookie = '{LANG_COOKIE}={lang}; path=/; "
            f"max-age={LANG_COOKIE_DAYS * 86400}; SameSite=Strict';</script>",
            unsafe_allow_javascript=True,
        )


def _language_chosen(widget_key: str) -> None:
    st.session_state.update({"lang": st.session_state[widget_key], _LANG_CHOSEN: True})


def with_language(params: dict[str, str]) -> dict[str, str]:
    """A page's own query parameters plus the language, for a page that rewrites its whole URL."""
    lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return {**params, LANG_PARAM: lang} if lang in LANGUAGES and lang != DEFAULT_LANGUAGE else params


def show_table(frame: Any, **kwargs: Any) -> Any:
    """st.dataframe as every page shows one: a missing value reads "—" (Streamlit writes "None"), no index."""
    kwargs.setdefault("hide_index", True)
    return st.dataframe(frame, placeholder=t("common.missing"), **kwargs)


def edit_table(frame: Any, **kwargs: Any) -> Any:
    """st.data_editor with the same missing-value text as `show_table` (an empty target reads "—", not "None")."""
    kwargs.setdefault("hide_index", True)
    return st.data_editor(frame, placeholder=t("common.missing"), **kwargs)


def pick_many(label: str, options: Any, container: Any = st, **kwargs: Any) -> list:
    """st.multiselect without Streamlit's "Select all" / "Select 54 matches" row (one tap must not pick
    everything a search matched) and with a placeholder in the user's language."""
    kwargs.setdefault("placeholder", t("common.choose_many"))
    return container.multiselect(label, options, select_all=False, **kwargs)


def select_from(
    label: str, options: list[Any], key: str, start: Any = None, container: Any = st, **kw: Any
) -> Any:
    """A select box that starts at `start` (e.g. the link's value) by its index, never through the Session
    State API: Streamlit 1.67's combobox, mounted when a folded box opens, could send its first option
    instead of a value set in session_state (a linked 上月 became 本周). Once drawn, its own state wins."""
    value = st.session_state[key] if key in st.session_state else start
    index = options.index(value) if value in options else 0
    return container.selectbox(label, options, index=index, key=key, **kw)


MONTHS_BACK, MONTHS_AHEAD = 24, 12  # what a month picker offers around this month


def month_picker(
    label: str,
    key: str,
    default: str,
    back: int = MONTHS_BACK,
    ahead: int = MONTHS_AHEAD,
    container: Any = st,
) -> str:
    """A month (YYYY-MM) picked from a list around this month, newest first: never typed as free text."""
    this_month = dates.month_of(clock.today())
    months = [dates.shift_month_key(this_month, n) for n in range(ahead, -back - 1, -1)]
    if default not in months:  # e.g. a shared link to an older month
        months.append(default)
    return container.selectbox(label, months, index=months.index(default), key=key)


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


def figure_tile(container: Any, label: str, metric_key: str, value: float | None, **kwargs: Any) -> Any:
    """st.metric for a catalogue metric: a Chinese reader sees large money and counts in 万 / 亿
    (¥316.35万), and the exact figure in the tile's help, after any help of its own."""
    lang = current_language()
    shown = format_metric_compact(metric_key, value, lang)
    exact = format_metric(metric_key, value, lang)
    if shown != exact:
        own = kwargs.get("help")
        kwargs["help"] = "\n\n".join(p for p in (own, t("common.exact_value", value=exact)) if p)
    return container.metric(label, shown, **kwargs)
