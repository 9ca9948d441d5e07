"""View code of the upload page (数据上传): a file's preview and problems, the by-hand layout mapping
(admin), a commit's outcome, the upload history and the two-step undo (admin / manager)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from lib import importing, review
from lib.core import access
from lib.core.auth import CurrentUser
from lib.core.formatting import md_escape
from lib.web.i18n import current_language, t
from lib.web.ui import cached, engine, show_table

FLASH = "upload_flash"
FLASH_ERROR = "upload_flash_error"


def error_table(errors: list, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(e.row, e.column, e.value_text(lang), e.message(lang)) for e in errors],
        columns=[
            t("importing.page.col_row"),
            t("importing.page.col_column"),
            t("importing.page.col_value"),
            t("importing.page.col_reason"),
        ],
    )


def show_flashes() -> None:
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash)
    if flash_error := st.session_state.pop(FLASH_ERROR, None):
        st.error(flash_error)


def mapping_form(idx: int, result: importing.Preview, user: CurrentUser, previews: dict) -> None:
    """An unknown layout: an admin maps each header to a field and saves the mapping as a profile."""
    st.subheader(t("importing.page.map_title"))
    if user.role != "admin":
        st.info(t("importing.page.map_ask_admin"))
        return
    st.caption(t("importing.page.map_help"))
    kind = st.selectbox(
        t("importing.page.map_kind"),
        importing.KINDS,
        key=f"map_kind_{idx}",
        format_func=lambda k: t(f"importing.kind.{k}"),
    )
    platform = st.selectbox(
        t("importing.page.map_platform"),
        [None, *importing.PLATFORMS],
        key=f"map_pf_{idx}",
        format_func=lambda p: t(f"importing.platform.{p}") if p else "—",
    )
    fields = ["", *importing.FIELDS[kind]]
    mapping = {}
    cols = st.columns(3)
    for n, header in enumerate(h for h in result.header if h):
        mapping[header] = cols[n % 3].selectbox(
            header,
            fields,
            key=f"map_{idx}_{n}",
            format_func=lambda f: t(f"importing.field.{f}") if f else "—",
        )
    name = st.text_input(t("importing.page.map_name"), key=f"map_name_{idx}", max_chars=64)
    if st.button(t("importing.page.map_save"), key=f"map_save_{idx}"):
        try:
            importing.save_profile(engine(), name, kind, platform, mapping, user.username)
        except importing.ProfileError as exc:
            st.error(t(f"importing.error.{exc.code}", **{k: md_escape(v) for k, v in exc.params.items()}))
            return
        previews.clear()
        st.session_state[FLASH] = t("importing.page.map_saved", name=md_escape(name))
        st.rerun()


def show_preview(idx: int, result: importing.Preview, lang: str, user: CurrentUser) -> None:
    """What was detected, the first rows and every problem of one file."""
    if result.kind:
        st.markdown(
            t(
                "importing.page.detected",
                kind=t(f"importing.kind.{result.kind}"),
                profile=md_escape(importing.profile_label(result.profile, lang)),
                rows=result.rows,
            )
        )
    if result.skipped_total_rows:
        st.caption(t("importing.page.total_skipped", n=result.skipped_total_rows))
    if result.unmatched and result.kind:
        st.caption(md_escape(t("importing.page.unmatched", columns="、".join(result.unmatched))))
    if not result.frame.empty:
        st.markdown("**" + t("importing.page.preview") + "**")
        show_table(importing.preview_frame(result.frame, lang), key=f"preview_{idx}")
    if result.errors:
        st.error(t("importing.page.errors", n=len(result.errors)))
        show_table(error_table(result.errors, lang), hide_index=True, key=f"errors_{idx}")
    else:
        st.success(t("importing.page.no_errors"))
    show_warnings(f"warnings_{idx}", result.warnings, lang, user)


def _visible_warnings(warnings: list, user: CurrentUser) -> list:
    """The notes as this user may read them: a note quoting a stored session's figures (GMV, orders,
    viewers) of a session the user may not see (lib.core.access) keeps the file's own total only."""
    ids = {w.params["session_id"] for w in warnings if "session_id" in w.params}
    if not ids or access.sees_every_session(user.role):
        return warnings
    visible = cached(review.visible_sessions, tuple(sorted(ids)), user.role, user.person_id)
    return [
        w
        if w.params.get("session_id", 0) in visible or "session_id" not in w.params
        else replace(
            w,
            code="reconcile_hidden",
            params={k: w.params[k] for k in ("account", "start", "file_total")},
        )
        for w in warnings
    ]


def show_warnings(key: str, warnings: list, lang: str, user: CurrentUser) -> None:
    """Reconciliation notes (e.g. a session's minute GMV not adding up to its total): not refusals."""
    warnings = _visible_warnings(warnings, user)
    if warnings:
        st.warning(t("importing.page.warnings", n=len(warnings)))
        show_table(error_table(warnings, lang), hide_index=True, key=key)


def show_report(idx: int, report: importing.ImportReport, lang: str, user: CurrentUser) -> None:
    if report.ok and report.batch_id is None:  # the same file again, nothing to change: no batch
        st.info(t("importing.page.nothing_changed", unchanged=report.unchanged))
        show_warnings(f"report_warnings_{idx}", report.warnings, lang, user)
    elif report.ok:
        st.success(
            t(
                "importing.page.committed",
                inserted=report.inserted,
                updated=report.updated,
                unchanged=report.unchanged,
                batch=report.batch_id,
            )
        )
        show_warnings(f"report_warnings_{idx}", report.warnings, lang, user)
    else:
        st.error(t("importing.page.refused", n=len(report.errors)))
        show_table(error_table(report.errors, lang), hide_index=True, key=f"report_errors_{idx}")


def _undo(asked: int, user: CurrentUser) -> None:
    """Undo a batch and leave the outcome (counts and the batch's new state) as the next run's flash."""
    try:
        counts = importing.undo(engine(), int(asked), user.username)
    except importing.UndoError as exc:
        st.session_state[FLASH_ERROR] = t(f"importing.error.{exc.code}", **exc.params)
        return
    state = next(b for b in importing.list_batches(engine()) if b["id"] == asked)
    st.session_state[FLASH] = (
        t("importing.page.undone", **counts)
        + " "
        + t(
            "importing.page.undo_state",
            batch=asked,
            file=md_escape(state["file_name"]),
            status=t(f"importing.status.{state['status']}"),
            by=md_escape(state["undone_by"] or ""),
            at=state["undone_at"] or "",
        )
    )


def _confirm_undo(history: list[dict[str, Any]], asked: int, user: CurrentUser, previews: dict) -> None:
    batch = next(b for b in history if b["id"] == asked)
    st.warning(t("importing.page.undo_confirm", batch=asked, file=md_escape(batch["file_name"])))
    yes, no = st.columns(2)
    if yes.button(t("importing.page.undo_yes"), key="undo_yes", type="primary"):
        st.session_state.pop("undo_asked", None)
        _undo(asked, user)
        previews.clear()
        st.rerun()
    if no.button(t("importing.page.undo_no"), key="undo_no"):
        st.session_state.pop("undo_asked", None)
        st.session_state[FLASH] = t("importing.page.undo_cancelled")
        st.rerun()


def history_section(user: CurrentUser, previews: dict) -> None:
    """The upload history; for admins and managers, undo a committed batch in two steps."""
    st.subheader(t("importing.page.history"))
    history = cached(importing.list_batches)
    if not history:
        st.info(t("common.no_data"))
        return
    show_table(importing.history_frame(history, current_language()), key="upload_history")
    if user.role not in importing.UNDO_ROLES:
        return
    committed = [b["id"] for b in history if b["status"] == "committed"]
    labels = {b["id"]: f"#{b['id']} · {b['file_name']} · {b['created_at']}" for b in history}
    asked = st.session_state.get("undo_asked")
    if asked is not None and asked in committed:  # second step: confirm or cancel
        _confirm_undo(history, asked, user, previews)
    elif committed:
        if st.session_state.get("undo_latest") != committed[0]:  # a new upload (or an undo) since: the
            st.session_state["undo_latest"] = committed[0]  # picker starts again at the latest batch
            st.session_state.pop("undo_pick", None)
        pick = st.selectbox(
            t("importing.page.undo_pick"), committed, format_func=labels.__getitem__, key="undo_pick"
        )
        if st.button(t("importing.page.undo"), key="undo_button"):
            st.session_state["undo_asked"] = int(pick)
            st.rerun()
