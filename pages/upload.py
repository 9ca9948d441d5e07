"""数据上传: pick files, see the detected kind/profile, a preview and every problem; commit (all or nothing),
map an unknown layout by hand (admin), see the upload history and undo an upload (admin / manager)."""

import hashlib

import pandas as pd
import streamlit as st

from lib.importing import pipeline, profiles
from lib.importing.readers import MAX_COLUMNS, MAX_ROWS, MAX_UPLOAD_MB
from lib.web import md_escape
from lib.web.i18n import current_language, t
from lib.web.ui import cached, engine, guard

user = guard("upload")
lang = current_language()

st.title(t("importing.page.title"))
st.caption(t("importing.page.intro"))
previews: dict = st.session_state.setdefault("upload_previews", {})
reports: dict = st.session_state.setdefault("upload_reports", {})


def error_table(errors: list) -> pd.DataFrame:
    return pd.DataFrame(
        [(e.row, e.column, e.value_text(), e.message(lang)) for e in errors],
        columns=[
            t("importing.page.col_row"),
            t("importing.page.col_column"),
            t("importing.page.col_value"),
            t("importing.page.col_reason"),
        ],
    )


def mapping_form(idx: int, result: pipeline.Preview) -> None:
    st.subheader(t("importing.page.map_title"))
    if user.role != "admin":
        st.info(t("importing.page.map_ask_admin"))
        return
    st.caption(t("importing.page.map_help"))
    kind = st.selectbox(
        t("importing.page.map_kind"),
        profiles.KINDS,
        key=f"map_kind_{idx}",
        format_func=lambda k: t(f"importing.kind.{k}"),
    )
    platform = st.selectbox(
        t("importing.page.map_platform"),
        [None, *profiles.PLATFORMS],
        key=f"map_pf_{idx}",
        format_func=lambda p: t(f"importing.platform.{p}") if p else "—",
    )
    fields = ["", *profiles.FIELDS[kind]]
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
            profiles.save_profile(engine(), name, kind, platform, mapping, user.username)
        except profiles.ProfileError as exc:
            st.error(t(f"importing.error.{exc.code}", **{k: md_escape(v) for k, v in exc.params.items()}))
            return
        previews.clear()
        st.session_state["upload_flash"] = t("importing.page.map_saved", name=md_escape(name))
        st.rerun()


if flash := st.session_state.pop("upload_flash", None):
    st.success(flash)
if flash_error := st.session_state.pop("upload_flash_error", None):
    st.error(flash_error)
limit_text = t("importing.page.limit", mb=MAX_UPLOAD_MB, rows=MAX_ROWS, columns=MAX_COLUMNS)
files = st.file_uploader(
    t("importing.page.files") + " · " + limit_text,
    type=["csv", "xlsx", "txt"],
    accept_multiple_files=True,
    max_upload_size=MAX_UPLOAD_MB,  # the same limit as the server's maxUploadSize and the pipeline's
    key="upload_files",
)
st.caption(limit_text)
current: set[str] = set()
for idx, upload in enumerate(files or []):
    data = upload.getvalue()
    key = f"{upload.name}:{hashlib.sha256(data).hexdigest()}"
    current.add(key)
    st.divider()
    st.subheader(md_escape(upload.name))  # a file name is user text: never markdown
    if key not in previews:
        previews[key] = pipeline.preview(engine(), data, upload.name)
    result = previews[key]
    if result.kind:
        st.markdown(
            t(
                "importing.page.detected",
                kind=t(f"importing.kind.{result.kind}"),
                profile=md_escape(result.profile),
                rows=result.rows,
            )
        )
    if result.skipped_total_rows:
        st.caption(t("importing.page.total_skipped", n=result.skipped_total_rows))
    if result.unmatched and result.kind:
        st.caption(md_escape(t("importing.page.unmatched", columns="、".join(result.unmatched))))
    if not result.frame.empty:
        st.markdown("**" + t("importing.page.preview") + "**")
        st.dataframe(result.frame.head(200), hide_index=True, key=f"preview_{idx}")
    if result.errors:
        st.error(t("importing.page.errors", n=len(result.errors)))
        st.dataframe(error_table(result.errors), hide_index=True, key=f"errors_{idx}")
    else:
        st.success(t("importing.page.no_errors"))
    if result.kind is None:
        mapping_form(idx, result)
    if key in reports:
        report = reports[key]
        if report.ok:
            st.success(
                t(
                    "importing.page.committed",
                    inserted=report.inserted,
                    updated=report.updated,
                    unchanged=report.unchanged,
                    batch=report.batch_id,
                )
            )
        else:
            st.error(t("importing.page.refused", n=len(report.errors)))
            st.dataframe(error_table(report.errors), hide_index=True, key=f"report_errors_{idx}")
    elif st.button(t("importing.page.commit"), key=f"commit_{idx}", disabled=not result.ok, type="primary"):
        bar = st.progress(0.0, text=t("importing.page.progress", file=upload.name))
        reports[key] = pipeline.import_bytes(
            engine(), data, upload.name, username=user.username, progress=bar.progress
        )
        previews.pop(key, None)
        st.rerun()

for stale in set(previews) - current:  # files taken off the uploader
    previews.pop(stale, None)
st.divider()
st.subheader(t("importing.page.history"))
history = cached(pipeline.list_batches)
if not history:
    st.info(t("common.no_data"))
else:
    frame = pd.DataFrame(history).drop(columns=["undone_at", "undone_by"])
    frame["status"] = frame["status"].map(lambda s: t(f"importing.status.{s}"))
    st.dataframe(
        frame.rename(columns={c: t(f"importing.hist.{c}") for c in frame.columns}),
        hide_index=True,
        key="upload_history",
    )
    committed = [b["id"] for b in history if b["status"] == "committed"]
    labels = {b["id"]: f"#{b['id']} · {b['file_name']} · {b['created_at']}" for b in history}
    asked = st.session_state.get("undo_asked")
    if user.role in pipeline.UNDO_ROLES and asked in committed:  # second step: confirm or cancel
        batch = next(b for b in history if b["id"] == asked)
        st.warning(t("importing.page.undo_confirm", batch=asked, file=md_escape(batch["file_name"])))
        yes, no = st.columns(2)
        if yes.button(t("importing.page.undo_yes"), key="undo_yes", type="primary"):
            st.session_state.pop("undo_asked", None)
            try:
                counts = pipeline.undo(engine(), int(asked), user.username)
            except pipeline.UndoError as exc:
                st.session_state["upload_flash_error"] = t(f"importing.error.{exc.code}", **exc.params)
            else:
                state = next(b for b in pipeline.list_batches(engine()) if b["id"] == asked)
                st.session_state["upload_flash"] = (
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
            previews.clear()
            st.rerun()
        if no.button(t("importing.page.undo_no"), key="undo_no"):
            st.session_state.pop("undo_asked", None)
            st.session_state["upload_flash"] = t("importing.page.undo_cancelled")
            st.rerun()
    elif user.role in pipeline.UNDO_ROLES and committed:
        pick = st.selectbox(t("importing.page.undo_pick"), committed, format_func=labels.get, key="undo_pick")
        if st.button(t("importing.page.undo"), key="undo_button"):
            st.session_state["undo_asked"] = int(pick)
            st.rerun()
