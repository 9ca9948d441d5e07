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
from sqlalchemy import Engine

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


def lists_section(
    engine: Engine, shown: dict[str, pd.DataFrame], flt: inc.ReportFilter, as_of: dt.datetime
) -> None:
    """The report's lists (incidents.present LISTS), each from `shown`: its first rows, one more than
    inc.LIST_SHOWN read (the page shows LIST_SHOWN: a row beyond says there are more). Each has a CSV and
    an Excel download of the whole list (up to inc.LIST_LIMIT rows, read when a button is clicked)."""
    lang = current_language()
    units = inc.present.export_units(lang)
    for title_key, name in inc.present.LISTS:
        frame = shown[name]
        more = len(frame) > inc.LIST_SHOWN
        st.subheader(f"{t(title_key)} ({min(len(frame), inc.LIST_SHOWN)}{'+' if more else ''})")
        if frame.empty:
            no_data()
            continue
        table = inc.present.list_table(name, frame.head(inc.LIST_SHOWN), lang)
        show_table(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 400))
        if more:
            st.caption(t("incidents.report.shown_part", n=inc.LIST_SHOWN, limit=inc.LIST_LIMIT))
        whole = (
            partial(whole_list, engine, name, flt, as_of, lang) if more else partial(pd.DataFrame.copy, table)
        )
        d1, d2 = st.columns(2)
        stem = inc.present.export_stem(name, flt.date_from, flt.date_to)
        # Files are built only when a button is clicked (callables), not on every rerun.
        d1.download_button(
            t("common.download_csv"),
            partial(_csv, whole, units),
            f"{stem}.csv",
            "text/csv",
            key=f"csv_{name}",
        )
        d2.download_button(
            t("common.download_xlsx"),
            partial(_xlsx, whole, name, units),
            f"{stem}.xlsx",
            key=f"xlsx_{name}",
            mime=XLSX_MIME,
        )


def whole_list(
    engine: Engine, name: str, flt: inc.ReportFilter, as_of: dt.datetime, lang: str
) -> pd.DataFrame:
    """The export of a list: all its rows up to inc.LIST_LIMIT, labelled like the page's table."""
    return inc.present.list_table(name, inc.report_list(engine, name, flt, as_of, inc.LIST_LIMIT), lang)


def _csv(whole: Callable[[], pd.DataFrame], units: dict[str, str]) -> bytes:
    return to_csv_bytes(whole(), units)


def _xlsx(whole: Callable[[], pd.DataFrame], name: str, units: dict[str, str]) -> bytes:
    return to_xlsx_bytes({name: whole()}, units)
