"""案例库: search and browse cases, read one (with its sessions' numbers), write and review them, and the
action-items overview. Views by URL: ?case=<id>, ?edit=<id>, ?new=1, ?new_from_session=<id>; else the
library with a view switch (search / browse / action items). The views live in lib/web/cases_*view.py."""

import streamlit as st

from lib.web import access
from lib.web.ui import guard

user = guard("cases")

from lib import cases as cs  # noqa: E402
from lib.web.cases_editor_view import render_editor, reopen_editor  # noqa: E402
from lib.web.cases_library_view import VIEWS, state_from_link  # noqa: E402
from lib.web.cases_view import int_param, render_case, stop_with  # noqa: E402
from lib.web.i18n import current_language, t  # noqa: E402
from lib.web.ui import cached, engine, show_flash  # noqa: E402

viewer = cs.viewer_of(user)
lang = current_language()

if (case_id := int_param("case")) is not None:
    render_case(case_id, viewer)
    st.stop()
if (edit_id := int_param("edit")) is not None:
    current = cs.get_case(engine(), viewer, edit_id)
    if current is None:
        stop_with(t("cases.error.not_found", value=edit_id))
    if "edit" not in current["actions"]:
        stop_with(t("cases.error.cannot_edit", status=t(f"cases.status.{current['status']}")))
    render_editor(current, None, f"edit:{edit_id}", viewer)
    st.stop()
if (session_id := int_param("new_from_session")) is not None:
    prefill = cached(cs.session_prefill, session_id, viewer, lang)  # None: missing, or not this user's
    if prefill is None:
        every = access.sees_every_session(viewer.role)
        stop_with(
            t(
                "cases.error.unknown_session" if every else "session_access.refused",
                value=session_id,
                id=session_id,
            )
        )
    render_editor(None, prefill, f"session:{session_id}", viewer)
    st.stop()
if st.query_params.get("new"):
    render_editor(None, None, "new", viewer)
    st.stop()

st.title(t("nav.cases"))
show_flash()
top_left, top_right = st.columns((4, 1))
state_from_link(viewer)  # a link from the home page: view and filters
view = top_left.radio(
    t("cases.view.switch"),
    tuple(VIEWS),
    horizontal=True,
    key="cases_view",
    format_func=lambda v: t(f"cases.view.{v}"),
    label_visibility="collapsed",
)
top_right.button(
    t("cases.new"),
    on_click=reopen_editor,
    args=("new",),
    kwargs={"new": "1"},
    icon=":material/add:",
    type="primary",
    key="new_case",
)
VIEWS[view](viewer)
