"""The case editor of pages/cases.py (?new=1, ?edit=<id>, ?new_from_session=<id>): a form whose typed
values reach the server only on save, so no rerun can overwrite pre-filled fields with empty widgets."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lib import cases as cs
from lib.core.platforms import PLATFORMS
from lib.web import form_ui, md_escape, now
from lib.web.i18n import current_language, t
from lib.web.ui import cached, engine, pick_many, with_language

EDITOR_PREFIX = "ed_"


def go(**query: object) -> None:
    """Callback: move to another view (the URL says which, so it can be shared and reloaded)."""
    st.query_params.from_dict(with_language({key: str(value) for key, value in query.items()}))


def platform_label(key: str | None) -> str:
    return cs.present.platform_name(key, current_language())


def init_editor(target: str, defaults: dict[str, Any]) -> None:
    """Fill the editor's widgets for the case being edited. The editor is a form, so nothing the user types
    reaches the server before one of its buttons (save, save and submit, add a row): until then every run
    re-applies the defaults (a rerun started by another component while the form was mounting could
    otherwise carry empty values back); after one the submitted values are kept and only missing ones are
    filled."""
    if st.session_state.get("ed_target") != target:
        for key in [k for k in st.session_state if str(k).startswith(EDITOR_PREFIX)]:
            del st.session_state[key]
        st.session_state.pop("ed_typed", None)
    if any(st.session_state.get(k) for k in ("ed_save", "ed_save_submit", "ed_add_item")):
        st.session_state["ed_typed"] = True  # this run carries the user's values
    typed = st.session_state.get("ed_typed", False)
    for key, value in defaults.items():
        if key == "n_items" and EDITOR_PREFIX + key in st.session_state:
            continue  # rows added with the button stay
        if not typed or EDITOR_PREFIX + key not in st.session_state:
            st.session_state[EDITOR_PREFIX + key] = value
    st.session_state["ed_target"] = target


def reopen_editor(target: str, **query: str) -> None:
    """Callback of "new case" / "edit": a fresh editor (new token) for `target`, then go there."""
    form_ui.reopen(f"case:{target}", clear=(EDITOR_PREFIX,))
    go(**query)


def add_item_row() -> None:
    st.session_state["ed_n_items"] = min(cs.MAX_ITEMS, st.session_state.get("ed_n_items", 1) + 1)


def _header_fields(viewer: cs.Viewer) -> None:
    st.text_input(t("cases.field.title"), key="ed_title", max_chars=cs.MAX_TITLE)
    c1, c2, c3 = st.columns(3)
    c1.date_input(t("cases.field.case_date"), key="ed_case_date")
    c2.selectbox(
        t("cases.field.platform"),
        ["", *PLATFORMS],
        key="ed_platform",
        format_func=lambda p: platform_label(p) or t("cases.none"),
    )
    c3.text_input(
        t("cases.field.category"),
        key="ed_category",
        max_chars=cs.MAX_CATEGORY,
        placeholder=t("cases.edit.category_hint"),
    )
    st.text_input(t("cases.field.tags"), key="ed_tags", help=t("cases.edit.tags_help"))
    choices = dict(cached(cs.session_choices, viewer, 300, current_language()))
    for sid in st.session_state.get("ed_sessions", []):
        if sid not in choices:
            choices[sid] = cs.session_label(engine(), sid) or f"#{sid}"
    pick_many(  # no "select all matches": each linked session is chosen on purpose
        t("cases.field.sessions"),
        list(choices),
        key="ed_sessions",
        format_func=choices.get,
        max_selections=cs.MAX_SESSIONS,
    )
    st.caption(t("cases.edit.markdown_help"))
    for f in cs.BODY_FIELDS:
        st.text_area(
            t(f"cases.field.{f}"),
            key=f"ed_{f}",
            height=120,
            max_chars=cs.MAX_TEXT,
            placeholder=t(f"cases.edit.placeholder.{f}"),
        )


def _item_rows() -> None:
    st.subheader(t("cases.field.action_items"))
    people = dict(cached(cs.people_choices))
    for i in range(st.session_state.get("ed_n_items", 1)):
        owner_key = f"ed_item_owner_{i}"
        if st.session_state.get(owner_key) is not None and st.session_state[owner_key] not in people:
            people[st.session_state[owner_key]] = f"#{st.session_state[owner_key]}"
        a, b, c, d = st.columns((4, 2, 2, 1))
        a.text_input(t("cases.item.description"), key=f"ed_item_desc_{i}")
        b.selectbox(
            t("cases.item.owner"),
            [None, *people],
            key=owner_key,
            format_func=lambda p: t("cases.none") if p is None else people[p],
        )
        if f"ed_item_due_{i}" not in st.session_state:
            st.session_state[f"ed_item_due_{i}"] = None
        c.date_input(t("cases.item.due_on"), key=f"ed_item_due_{i}")
        d.selectbox(
            t("cases.item.status"),
            cs.ITEM_STATUSES,
            key=f"ed_item_status_{i}",
            format_func=lambda s: t(f"cases.item_status.{s}"),
        )
    st.caption(t("cases.edit.items_help"))


def _input_from_state() -> cs.CaseInput:
    s = st.session_state
    return cs.CaseInput(
        title=s["ed_title"],
        case_date=s["ed_case_date"],
        platform=s["ed_platform"] or None,
        category=s["ed_category"],
        tags=cs.parse_tags(s["ed_tags"]),
        session_ids=tuple(s["ed_sessions"]),
        action_items=tuple(
            cs.ItemInput(
                s.get(f"ed_item_desc_{i}") or "",
                s.get(f"ed_item_owner_{i}"),
                s.get(f"ed_item_due_{i}"),
                s.get(f"ed_item_status_{i}") or "open",
                s.get(f"ed_item_id_{i}"),
            )
            for i in range(s.get("ed_n_items", 1))
        ),
        **{f: s[f"ed_{f}"] for f in cs.BODY_FIELDS},
    )


def _save(case: dict[str, Any] | None, form: str, viewer: cs.Viewer, submit: bool) -> None:
    data = _input_from_state()
    base = st.session_state.get("ed_base_version")

    def save_once(token: str) -> int:
        if case is None:
            return cs.create_case(engine(), viewer, data, token=token)
        cs.update_case(engine(), viewer, case["id"], data, version=base, token=token)
        return case["id"]

    done = "cases.flash.submitted" if submit else "cases.flash.saved"
    try:
        case_id = form_ui.submit(form, save_once, lambda _id: t(done), clear=(EDITOR_PREFIX,))
        if submit and case_id is not None and not form_ui.was_resubmitted(form):
            cs.transition(engine(), viewer, case_id, "submit")
    except cs.CaseError as exc:
        if exc.code == "stale" and case is not None:
            # Keep what was typed; the next save is a deliberate choice over the other version.
            if fresh := cs.get_case(engine(), viewer, case["id"]):  # None: deleted (or hidden) meanwhile
                st.session_state["ed_base_version"] = fresh["version"]
        st.error(exc.message(current_language()), icon=":material/error:")
        return
    st.session_state.pop("ed_target", None)
    st.session_state["_flash"] = form_ui.closed_message(form)
    go(case=case_id)
    st.rerun()


def render_editor(
    case: dict[str, Any] | None, prefill: dict[str, Any] | None, target: str, viewer: cs.Viewer
) -> None:
    form = f"case:{target}"
    if form_ui.closed(form, clear=(EDITOR_PREFIX,), label_key="forms.edit_again"):
        return  # saved; a late second tap on save finds no button
    init_editor(target, cs.present.editor_defaults(case, prefill, now().date()))
    # The version this edit is based on: while nothing was submitted the editor shows the stored case, so
    # it is the current one; after a submit it stays, and a save made in between is refused, not lost.
    if case is not None and not st.session_state.get("ed_typed"):
        st.session_state["ed_base_version"] = case["version"]
    st.title(t("cases.edit.title_edit") if case else t("cases.edit.title_new"))
    if prefill:
        st.info(t("cases.edit.from_session"), icon=":material/live_tv:")
    if case and case.get("review_comment"):
        st.warning(t("cases.view.review_comment", comment=md_escape(case["review_comment"])))
    can_submit = case is None or case["status"] == "draft"
    with st.form("case_editor", border=False, enter_to_submit=False):
        _header_fields(viewer)
        _item_rows()
        # Inside the form, so adding a row submits what was typed and keeps it.
        st.form_submit_button(
            t("cases.edit.add_item"), on_click=add_item_row, icon=":material/add:", key="ed_add_item"
        )
        b1, b2 = st.columns(2)
        save = b1.form_submit_button(
            t("cases.edit.save"), type="primary", key="ed_save", icon=":material/save:"
        )
        submit = can_submit and b2.form_submit_button(
            t("cases.edit.save_submit"), key="ed_save_submit", icon=":material/send:"
        )
    back = {"case": case["id"]} if case else {}
    st.button(t("cases.edit.cancel"), key="ed_cancel", on_click=go, kwargs=back)
    if save or submit:
        _save(case, form, viewer, bool(submit))
