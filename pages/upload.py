"""数据上传: pick files, see the detected kind/profile, a preview and every problem; commit (all or nothing),
map an unknown layout by hand (admin), see the upload history and undo an upload (admin / manager)."""

import hashlib

import streamlit as st

from lib import importing
from lib.web import md_escape, upload_view
from lib.web.i18n import current_language, t
from lib.web.ui import engine, guard

user = guard("upload")
lang = current_language()

st.title(t("importing.page.title"))
st.caption(t("importing.page.intro"))
previews: dict = st.session_state.setdefault("upload_previews", {})
reports: dict = st.session_state.setdefault("upload_reports", {})

upload_view.show_flashes()
limit_text = t(
    "importing.page.limit", mb=importing.MAX_UPLOAD_MB, rows=importing.MAX_ROWS, columns=importing.MAX_COLUMNS
)
files = st.file_uploader(
    t("importing.page.files") + " · " + limit_text,  # said once, where the widget's own refusal shows
    type=["csv", "xlsx", "txt"],
    accept_multiple_files=True,
    max_upload_size=importing.MAX_UPLOAD_MB,  # the same limit as the server's maxUploadSize and the pipeline's
    key="upload_files",
)
current: set[str] = set()
for idx, upload in enumerate(files or []):
    data = upload.getvalue()
    key = f"{upload.name}:{hashlib.sha256(data).hexdigest()}"
    current.add(key)
    st.divider()
    st.subheader(md_escape(upload.name))  # a file name is user text: never markdown
    if key not in previews:
        previews[key] = importing.preview(engine(), data, upload.name)
    result = previews[key]
    upload_view.show_preview(idx, result, lang, user)
    if result.kind is None:
        upload_view.mapping_form(idx, result, user, previews)
    if key in reports:
        upload_view.show_report(idx, reports[key], lang, user)
    elif st.button(t("importing.page.commit"), key=f"commit_{idx}", disabled=not result.ok, type="primary"):
        bar = st.progress(0.0, text=t("importing.page.progress", file=upload.name))
        reports[key] = importing.import_bytes(
            engine(), data, upload.name, username=user.username, progress=bar.progress
        )
        previews.pop(key, None)
        st.rerun()

for stale in set(previews) - current:  # files taken off the uploader
    previews.pop(stale, None)
st.divider()
upload_view.history_section(user, previews)
