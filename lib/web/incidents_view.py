"""View code of the incident pages: form widgets, saving with the domain's refusals shown, and the
report's lists with their downloads (the categories and SLA tables are on the settings page:
lib.web.settings_view)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from lib import incidents as inc
from lib.core.db import now
from lib.core.exports import to_csv_bytes, to_xlsx_bytes
from lib.web import form_ui
from lib.web.i18n import current_language, t
from lib.web.ui import no_data, show_table

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def optional_select(label_key: str, options: dict, default: object, key: str, help: str | None = None) -> Any:
    """A selectbox over `options` ({value: label}) with a leading "none" choice."""
    values = [None, *options]
    return st.selectbox(
        t(label_key),
        values,
        index=values.index(default) if default in values else 0,
        key=key,
        format_func=lambda v: t("incidents.none") if v is None else options[v],
        placeholder=t("incidents.none"),  # Streamlit shows a None choice as its own English placeholder
        help=help,
    )


def time_input(label_key: str, key: str, default: dt.datetime) -> dt.datetime | None:
    return st.datetime_input(t(label_key), value=default, key=key, step=60, format="YYYY-MM-DD")


def _set_now(key: str) -> None:
    st.session_state[key] = now().replace(second=0, microsecond=0)


def moment_input(label_key: str, key: str) -> dt.datetime | None:
    """A time that someone records (responded, resolved): empty until set, never a default; the "now"
    button beside it fills in the team clock's minute in one tap."""
    box, button = st.columns([4, 1], vertical_alignment="bottom")
    with button:
        st.button(
            t("incidents.form.now"),
            key=f"{key}_now",
            on_click=_set_now,
            args=(key,),
            help=t("incidents.form.now_help"),
            width="stretch",
        )
    with box:
        value = st.datetime_input(t(label_key), value=None, key=key, step=60, format="YYYY-MM-DD")
    if value is None:
        st.caption(t("incidents.form.not_yet"))
    return value


def show_error(exc: inc.IncidentError) -> None:
    st.error(inc.present.error_text(exc, current_language()), icon=":material/error:")


def save(form: str, action: Callable[[str], int | None], message_key: str, clear: tuple[str, ...]) -> None:
    """Run a form's write once (its token); show a refusal, or close the form with `message_key`."""
    try:
        form_ui.submit(form, action, lambda result: t(message_key, id=result), clear)
    except inc.IncidentError as exc:
        show_error(exc)
        return
    st.rerun()


def lists_section(tables: list[tuple[str, pd.DataFrame, str]], date_from: dt.date, date_to: dt.date) -> None:
    """The report's lists (see incidents.present.list_tables), each with its CSV and Excel download."""
    lang = current_language()
    units = inc.present.export_units(lang)
    for title_key, frame, name in tables:
        st.subheader(f"{t(title_key)} ({len(frame)})")
        if frame.empty:
            no_data()
            continue
        if len(frame) >= inc.LIST_LIMIT:
            st.caption(t("incidents.report.truncated", n=inc.LIST_LIMIT))
        show_table(frame, hide_index=True, width="stretch", height=min(38 + 35 * len(frame), 400))
        d1, d2 = st.columns(2)
        stem = inc.present.export_stem(name, date_from, date_to)
        # Files are built only when a button is clicked (callables), not on every rerun.
        d1.download_button(
            t("common.download_csv"),
            partial(to_csv_bytes, frame, units),
            f"{stem}.csv",
            "text/csv",
            key=f"csv_{name}",
        )
        d2.download_button(
            t("common.download_xlsx"),
            partial(to_xlsx_bytes, {name: frame}, units),
            f"{stem}.xlsx",
            key=f"xlsx_{name}",
            mime=XLSX_MIME,
        )
