"""The page side of write-once forms (lib/forms.py): a token per rendered form, and the form closed with a
message once its write committed, so neither a second tap nor a rerun carrying the old values writes again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import streamlit as st

from lib.core import forms
from lib.core.formatting import md_escape
from lib.web.i18n import t
from lib.web.ui import engine

STATE = "_form."


def token(name: str) -> str:
    """The token of form `name`, minted when the form is first rendered and kept until it is reopened."""
    state = st.session_state.setdefault(STATE + name, {"token": forms.new_token(), "closed": None})
    return state["token"]


def reopen(name: str, clear: Iterable[str] = ()) -> None:
    """A fresh, empty form (button callback): new token, the given widget keys dropped."""
    for key in [k for k in st.session_state if str(k).startswith(tuple(clear))] if clear else []:
        del st.session_state[key]
    st.session_state[STATE + name] = {"token": forms.new_token(), "closed": None}


def closed(name: str, clear: Iterable[str] = (), label_key: str = "forms.new_entry") -> bool:
    """When form `name` was saved: show what happened and a button for another entry; True means the
    page must not render the form (its old submit button stays unrendered, so a late tap does nothing)."""
    token(name)  # minted as the form is rendered
    state = st.session_state[STATE + name]
    if not state["closed"]:
        return False
    st.success(state["closed"], icon=":material/check_circle:")
    st.button(
        t(label_key), key=f"{name}_reopen", on_click=reopen, args=(name, tuple(clear)), icon=":material/add:"
    )
    return True


def submit(
    name: str,
    write: Callable[[str], int | None],
    message: Callable[[int | None], str],
    clear: Iterable[str] = (),
) -> int | None:
    """Run `write(token)` once for this form. On success, or when the token was already used, close the
    form with `message(result)` or the "already saved" text and drop the widget keys starting with `clear`;
    the write's own errors propagate (the form stays open with what was typed)."""
    tok = token(name)
    resubmitted = False
    try:
        result = write(tok)
        text = message(result)
        forms.prune_daily(engine())  # after the commit, in its own transaction
    except forms.AlreadySubmitted:
        resubmitted = True
        result = forms.result_of(engine(), tok)
        text = t("forms.already_saved_plain") if result is None else t("forms.already_saved", id=result)
    # Plain assignments, no Streamlit call in between: a rerun cannot interrupt between commit and close.
    st.session_state[STATE + name] = {"token": tok, "closed": text, "resubmitted": resubmitted}
    for key in [k for k in st.session_state if str(k).startswith(tuple(clear))] if clear else []:
        del st.session_state[key]
    return result


def closed_message(name: str) -> str | None:
    """What the save of form `name` said (None while the form is open)."""
    return (st.session_state.get(STATE + name) or {}).get("closed")


def was_resubmitted(name: str) -> bool:
    """True when the last submit of form `name` found its token already used (nothing was written)."""
    return bool((st.session_state.get(STATE + name) or {}).get("resubmitted"))


def stale_message(exc: forms.StaleEdit) -> str:
    """The refusal of an edit based on an older version, naming who changed the row and when."""
    at = exc.at.strftime("%Y-%m-%d %H:%M") if isinstance(exc.at, dt.datetime) else "—"
    return t("forms.stale", by=md_escape(exc.by or t("forms.someone")), at=md_escape(at))  # shown as Markdown
