"""The language of the current Streamlit session, and `t()`: translate into it (core code takes `lang`)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate


def current_language() -> str:
    """The language chosen in this Streamlit session (zh when none or outside Streamlit)."""
    try:
        lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    except Exception:  # noqa: BLE001 - outside a Streamlit run there is no session
        lang = DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **params: Any) -> str:
    """Translate `key` into the current session's language."""
    return translate(key, current_language(), **params)
