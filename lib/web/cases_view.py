"""The views of pages/cases.py other than the editor: one case (?case=<id>) with its sessions, action items,
exports and history; the library's search, browse and action-items views."""

from __future__ import annotations

from typing import Any, NoReturn

import streamlit as st

from lib import cases as cs
from lib import review
from lib.web import METRICS, format_change, forms, md_escape, now, parse_id
from lib.web.cases_editor_view import go, reopen_editor
from lib.web.i18n import current_language, t
from lib.web.ui import cached, engine, figure_tile, link_to, no_data, show_flash

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def int_param(name: str) -> int | None:
    """An id from the URL; a bad one stops the page with a message and a way back."""
    raw = st.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        st.error(t("cases.error.bad_id", value=md_escape(raw[:40])))
        st.button(t("cases.back"), on_click=go, key="bad_id_back")
        st.stop()
    if parse_id(raw) is None:  # beyond any row id (a database INTEGER): no such case or session
        missing = "cases.error.unknown_session" if name == "new_from_session" else "cases.error.not_found"
        st.warning(t(missing, value=md_escape(raw[:40])))
        st.button(t("cases.back"), on_click=go, key="bad_id_back")
        st.stop()
    return value


def stop_with(message: str) -> NoReturn:
    """A warning with a way back to the library, and nothing else on the page."""
    st.warning(message)
    st.button(t("cases.back"), on_click=go, key="ed_back")
    st.stop()
    raise AssertionError("st.stop() returned")  # st.stop raises; this tells type checkers


# --- one case -------------------------------------------------------------------------------------


def do_action(viewer: cs.Viewer, case_id: int, action: str, version: int) -> None:
    """Callback of the workflow buttons (with the version they were shown for, so a repeated tap cannot
    take the step twice); a refusal is shown on the next run."""
    comment = st.session_state.get("cv_comment", "")
    try:
        cs.transition(engine(), viewer, case_id, action, comment, version=version)
        st.session_state["_flash"] = t(f"cases.flash.{action}")
        st.session_state.pop("cv_comment", None)
    except forms.AlreadySubmitted:
        st.session_state["_flash"] = t("forms.already_saved_plain")
    except cs.CaseError as exc:
        st.session_state["cv_error"] = exc.message(current_language())


def do_item(viewer: cs.Viewer, item_id: int, status: str) -> None:
    try:
        cs.set_item_status(engine(), viewer, item_id, status)
        st.session_state["_flash"] = t(f"cases.flash.item_{status}")
    except cs.CaseError as exc:
        st.session_state["cv_error"] = exc.message(current_language())


def render_sessions(session_ids: tuple[int, ...], viewer: cs.Viewer) -> None:
    lang = current_language()
    st.subheader(t("cases.view.sessions"))
    linked = cached(cs.linked_sessions, session_ids)
    visible = cached(review.visible_sessions, session_ids, viewer.role, viewer.person_id)
    if not linked:
        no_data("cases.view.no_sessions")
        return
    for s in linked:
        with st.container(border=True):
            st.markdown(cs.present.session_heading(s, lang))
            st.caption(t("cases.view.compared", n=s["previous_count"]))
            cols = st.columns(2)
            for i, key in enumerate(cs.KEY_METRICS):
                figure_tile(
                    cols[i % 2],
                    METRICS[key].name(lang),
                    key,
                    s["metrics"][key],
                    delta=format_change(s["change"][key]),
                )
            if s["id"] in visible:  # the review page opens only sessions this user may see
                link_to("session_detail", "cases.view.open_session", viewer.role, {"session": str(s["id"])})


def render_history(case: dict[str, Any]) -> None:
    lang = current_language()
    with st.expander(t("cases.view.history", n=len(case["revisions"])), icon=":material/history:"):
        for rev in reversed(case["revisions"]):
            st.markdown(cs.present.revision_title(rev, lang))
            st.code(cs.present.revision_text(rev, lang), language=None, wrap_lines=True)


def _action_buttons(case: dict[str, Any], viewer: cs.Viewer) -> None:
    actions, case_id = case["actions"], case["id"]
    if not actions:
        return
    for col, action in zip(st.columns(len(actions)), actions, strict=True):
        if action == "edit":
            col.button(
                t("cases.action.edit"),
                key="cv_edit",
                on_click=reopen_editor,
                args=(f"edit:{case_id}",),
                kwargs={"edit": str(case_id)},
                icon=":material/edit:",
            )
        else:
            col.button(
                t(f"cases.action.{action}"),
                key=f"cv_{action}",
                on_click=do_action,
                args=(viewer, case_id, action, case["version"]),
                type="primary" if action in ("publish", "submit") else "secondary",
            )
    if "send_back" in actions or "publish" in actions:
        st.text_area(
            t("cases.view.comment"),
            key="cv_comment",
            max_chars=cs.MAX_COMMENT,
            help=t("cases.view.comment_help"),
        )


def _action_items(case: dict[str, Any], viewer: cs.Viewer) -> None:
    st.subheader(t("cases.field.action_items"))
    if not case["action_items"]:
        no_data("cases.view.no_items")
    today = now().date()
    for item in case["action_items"]:
        a, b = st.columns((5, 1))
        a.markdown(cs.present.item_line(item, cs.item_overdue(item, today), current_language()))
        mine = viewer.person_id is not None and item["owner_person_id"] == viewer.person_id
        if mine or cs.is_manager(viewer) or case["author"] == viewer.username:
            new = "open" if item["status"] == "done" else "done"
            b.button(
                t(f"cases.item.mark_{new}"),
                key=f"cv_item_{item['id']}",
                on_click=do_item,
                args=(viewer, item["id"], new),
            )


def _downloads(case: dict[str, Any]) -> None:
    lang, case_id = current_language(), case["id"]
    d1, d2 = st.columns(2)
    d1.download_button(
        t("cases.export.md"),
        lambda: cs.case_markdown(case, lang),
        f"case_{case_id}.md",
        "text/markdown",
        key="cv_md",
        icon=":material/download:",
    )
    d2.download_button(
        t("cases.export.xlsx"),
        lambda: cs.cases_xlsx([case], lang),
        f"case_{case_id}.xlsx",
        XLSX_MIME,
        key="cv_xlsx",
        icon=":material/download:",
    )


def render_case(case_id: int, viewer: cs.Viewer) -> None:
    case = cs.get_case(engine(), viewer, case_id)  # not cached: the page must show the latest version
    st.button(t("cases.back"), on_click=go, icon=":material/arrow_back:", key="cv_back")
    if case is None:
        st.warning(t("cases.error.not_found", value=case_id))
        return
    show_flash()
    error = st.session_state.pop("cv_error", None)
    if error:
        st.error(error, icon=":material/error:")
    st.title(md_escape(case["title"]))
    st.caption(cs.present.meta_line(case, current_language()))
    if case.get("review_comment"):
        st.warning(t("cases.view.review_comment", comment=md_escape(case["review_comment"])))
    _action_buttons(case, viewer)
    left, right = st.columns((3, 2))
    with left:
        for f in cs.BODY_FIELDS:
            st.subheader(t(f"cases.field.{f}"))
            if case.get(f):
                st.markdown(cs.safe_markdown(case[f]))
            else:
                st.caption("—")
    with right:
        render_sessions(tuple(case["session_ids"]), viewer)
    _action_items(case, viewer)
    _downloads(case)
    render_history(case)
