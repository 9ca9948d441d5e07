"""案例库: search and browse cases, read one (with its sessions' numbers), write and review them, and the
action-items overview. Views by URL: ?case=<id>, ?edit=<id>, ?new=1, ?new_from_session=<id>; else the
library with a view switch (search / browse / action items)."""

import streamlit as st

from lib.web.ui import guard

user = guard("cases")

from typing import Any  # noqa: E402

import pandas as pd  # noqa: E402

from lib import cases as cs  # noqa: E402
from lib import cases_search as cq  # noqa: E402
from lib import kpis  # noqa: E402
from lib.web import (  # noqa: E402
    METRICS,  # noqa: E402
    form_ui,  # noqa: E402
    format_change,
    format_metric,
    forms,  # noqa: E402
    md_escape,
    now,  # noqa: E402
)
from lib.web.i18n import current_language, t  # noqa: E402
from lib.web.ui import cached, engine, no_data, show_flash  # noqa: E402

viewer = cq.viewer_of(user)
lang = current_language()
EDITOR_PREFIX = "ed_"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def go(**query: str) -> None:
    """Callback: move to another view (the URL says which, so it can be shared and reloaded)."""
    st.query_params.clear()
    for key, value in query.items():
        st.query_params[key] = str(value)


def platform_name(key: str | None) -> str:
    return t(f"kpis.platform_name.{key}") if key in kpis.PLATFORMS else (key or "")


def int_param(name: str) -> int | None:
    raw = st.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        st.error(t("cases.error.bad_id", value=md_escape(raw[:40])))
        st.button(t("cases.back"), on_click=go, key="bad_id_back")
        st.stop()
    from lib.web import parse_id

    if parse_id(raw) is None:  # beyond any row id (a database INTEGER): no such case or session
        missing = "cases.error.unknown_session" if name == "new_from_session" else "cases.error.not_found"
        st.warning(t(missing, value=md_escape(raw[:40])))
        st.button(t("cases.back"), on_click=go, key="bad_id_back")
        st.stop()
    return value


def highlighted(pieces: list[tuple[str, bool]]) -> str:
    """(text, is_match) pieces as Markdown: every piece escaped, matches in bold."""
    return "".join(f"**{md_escape(p)}**" if hit else md_escape(p) for p, hit in pieces)


def meta_line(row: dict[str, Any]) -> str:
    author = row.get("author_name") or row.get("author") or ""
    bits = [
        str(row["case_date"]),
        platform_name(row.get("platform")),
        row.get("category") or "",
        "、".join(row.get("tags", [])),
        t(f"cases.status.{row['status']}"),
        author,
    ]
    return md_escape(" · ".join(b for b in bits if b))


# --- editor ---------------------------------------------------------------------------------------


def editor_defaults(case: dict[str, Any] | None, prefill: dict[str, Any] | None) -> dict[str, Any]:
    src: dict[str, Any] = case or prefill or {}
    state = {
        "title": src.get("title", ""),
        "case_date": src.get("case_date") or now().date(),
        "platform": src.get("platform") or "",
        "category": src.get("category") or "",
        "tags": "，".join(src.get("tags", [])),
        "sessions": list(src.get("session_ids", ())),
        **{f: src.get(f) or "" for f in cq.BODY_FIELDS},
    }
    items = (case or {}).get("action_items", [])
    state["n_items"] = max(1, len(items))
    for i, item in enumerate(items):
        state.update(
            {
                f"item_id_{i}": item["id"],
                f"item_desc_{i}": item["description"],
                f"item_owner_{i}": item["owner_person_id"],
                f"item_due_{i}": item["due_on"],
                f"item_status_{i}": item["status"],
            }
        )
    return state


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


def render_editor(case: dict[str, Any] | None, prefill: dict[str, Any] | None, target: str) -> None:
    form = f"case:{target}"
    if form_ui.closed(form, clear=(EDITOR_PREFIX,), label_key="forms.edit_again"):
        return  # saved; a late second tap on save finds no button
    init_editor(target, editor_defaults(case, prefill))
    # The version this edit is based on: while nothing was submitted the editor shows the stored case, so
    # it is the current one; after a submit it stays, and a save made in between is refused, not lost.
    if case is not None and not st.session_state.get("ed_typed"):
        st.session_state["ed_base_version"] = case["version"]
    st.title(t("cases.edit.title_edit") if case else t("cases.edit.title_new"))
    if prefill:
        st.info(t("cases.edit.from_session"), icon=":material/live_tv:")
    if case and case.get("review_comment"):
        st.warning(t("cases.view.review_comment", comment=md_escape(case["review_comment"])))
    # A form: typed values reach the server only on save, so no rerun (another component's, a login
    # cookie's) can overwrite the pre-filled fields with half-mounted empty widgets.
    can_submit = case is None or case["status"] == "draft"
    with st.form("case_editor", border=False, enter_to_submit=False):
        st.text_input(t("cases.field.title"), key="ed_title", max_chars=cs.MAX_TITLE)
        c1, c2, c3 = st.columns(3)
        c1.date_input(t("cases.field.case_date"), key="ed_case_date")
        c2.selectbox(
            t("cases.field.platform"),
            ["", *kpis.PLATFORMS],
            key="ed_platform",
            format_func=lambda p: platform_name(p) or t("cases.none"),
        )
        c3.text_input(
            t("cases.field.category"),
            key="ed_category",
            max_chars=cs.MAX_CATEGORY,
            placeholder=t("cases.edit.category_hint"),
        )
        st.text_input(t("cases.field.tags"), key="ed_tags", help=t("cases.edit.tags_help"))
        choices = dict(cached(cs.session_choices))
        for sid in st.session_state.get("ed_sessions", []):
            if sid not in choices:
                choices[sid] = cs.session_label(engine(), sid) or f"#{sid}"
        st.multiselect(
            t("cases.field.sessions"),
            list(choices),
            key="ed_sessions",
            format_func=choices.get,
            max_selections=cs.MAX_SESSIONS,
        )
        st.caption(t("cases.edit.markdown_help"))
        for f in cq.BODY_FIELDS:
            st.text_area(
                t(f"cases.field.{f}"),
                key=f"ed_{f}",
                height=120,
                max_chars=cs.MAX_TEXT,
                placeholder=t(f"cases.edit.placeholder.{f}"),
            )

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
    if not (save or submit):
        return
    s = st.session_state
    data = cs.CaseInput(
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
        **{f: s[f"ed_{f}"] for f in cq.BODY_FIELDS},
    )
    base = s.get("ed_base_version")

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
            st.session_state["ed_base_version"] = cs.get_case(engine(), viewer, case["id"])["version"]
        st.error(exc.message(lang), icon=":material/error:")
        return
    st.session_state.pop("ed_target", None)
    st.session_state["_flash"] = form_ui.closed_message(form)
    go(case=case_id)
    st.rerun()


# --- one case -------------------------------------------------------------------------------------


def do_action(case_id: int, action: str, version: int) -> None:
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
        st.session_state["cv_error"] = exc.message(lang)


def do_item(item_id: int, status: str) -> None:
    try:
        cs.set_item_status(engine(), viewer, item_id, status)
        st.session_state["_flash"] = t(f"cases.flash.item_{status}")
    except cs.CaseError as exc:
        st.session_state["cv_error"] = exc.message(lang)


def render_sessions(session_ids: tuple[int, ...]) -> None:
    st.subheader(t("cases.view.sessions"))
    linked = cached(cs.linked_sessions, session_ids)
    if not linked:
        no_data("cases.view.no_sessions")
        return
    for s in linked:
        with st.container(border=True):
            started = s["started_at"].strftime("%Y-%m-%d %H:%M")
            st.markdown(
                f"**{started}** · "
                f"{md_escape(platform_name(s['platform']))} · {md_escape(s['room'] or '')} · "
                f"{md_escape(s['host'] or '')}"
            )
            st.caption(t("cases.view.compared", n=s["previous_count"]))
            cols = st.columns(2)
            for i, key in enumerate(cs.KEY_METRICS):
                cols[i % 2].metric(
                    METRICS[key].name(lang),
                    format_metric(key, s["metrics"][key], lang),
                    format_change(s["change"][key]),
                )
            st.page_link(
                "pages/session_detail.py",
                label=t("cases.view.open_session"),
                query_params={"session": str(s["id"])},
                icon=":material/open_in_new:",
            ) if (viewer.role in ("manager", "admin")) else None


def render_history(case: dict[str, Any]) -> None:
    with st.expander(t("cases.view.history", n=len(case["revisions"])), icon=":material/history:"):
        for rev in reversed(case["revisions"]):
            fields = "、".join(t(f"cases.field.{f}") if f in FIELD_KEYS else f for f in rev["changes"])
            at = rev["at"].strftime("%Y-%m-%d %H:%M")
            st.markdown(f"**{at}** · {md_escape(rev['username'])} · {md_escape(fields)}")
            lines = []
            for f, (old, new) in rev["changes"].items():
                label = t(f"cases.field.{f}") if f in FIELD_KEYS else f
                lines.append(f"{label}:\n  - {_short(_shown(f, old))}\n  + {_short(_shown(f, new))}")
            st.code("\n".join(lines), language=None, wrap_lines=True)


FIELD_KEYS = set(cs.EDIT_FIELDS) | {"tags", "sessions", "action_items", "status", "review_comment"}


def _shown(field: str, value: Any) -> Any:
    """A stored value as the page names it elsewhere (platform and status by name, not by key)."""
    if field == "platform" and value:
        return platform_name(value)
    if field == "status" and value:
        return t(f"cases.status.{value}")
    return value


def _short(value: Any) -> str:
    text = (
        "—"
        if value in (None, "", [])
        else ("、".join(map(str, value)) if isinstance(value, list) else str(value))
    )
    return text if len(text) <= 300 else text[:300] + "…"


def render_case(case_id: int) -> None:
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
    st.caption(meta_line(case))
    if case.get("review_comment"):
        st.warning(t("cases.view.review_comment", comment=md_escape(case["review_comment"])))
    actions = case["actions"]
    if actions:
        cols = st.columns(len(actions))
        for col, action in zip(cols, actions, strict=True):
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
                    args=(case_id, action, case["version"]),
                    type="primary" if action in ("publish", "submit") else "secondary",
                )
        if "send_back" in actions or "publish" in actions:
            st.text_area(
                t("cases.view.comment"),
                key="cv_comment",
                max_chars=cs.MAX_COMMENT,
                help=t("cases.view.comment_help"),
            )
    left, right = st.columns((3, 2))
    with left:
        for f in cq.BODY_FIELDS:
            st.subheader(t(f"cases.field.{f}"))
            if case.get(f):
                st.markdown(cs.safe_markdown(case[f]))
            else:
                st.caption("—")
    with right:
        render_sessions(tuple(case["session_ids"]))
    st.subheader(t("cases.field.action_items"))
    if not case["action_items"]:
        no_data("cases.view.no_items")
    today = now().date()
    for item in case["action_items"]:
        late = item["status"] == "open" and item["due_on"] is not None and item["due_on"] < today
        a, b = st.columns((5, 1))
        mark = "✅" if item["status"] == "done" else ("⚠️" if late else "⬜")
        a.markdown(
            f"{mark} {md_escape(item['description'])} · {md_escape(item.get('owner') or t('cases.none'))}"
            f" · {item['due_on'] or '—'}" + (f" · :red[{t('cases.item.overdue')}]" if late else "")
        )
        mine = viewer.person_id is not None and item["owner_person_id"] == viewer.person_id
        if mine or cq.is_manager(viewer) or case["author"] == viewer.username:
            new = "open" if item["status"] == "done" else "done"
            b.button(
                t(f"cases.item.mark_{new}"),
                key=f"cv_item_{item['id']}",
                on_click=do_item,
                args=(item["id"], new),
            )
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
    render_history(case)


# --- library views --------------------------------------------------------------------------------


def browse_to(field: str, value: str) -> None:
    """Callback: search view with one filter set."""
    for key in ("f_category", "f_tag"):
        st.session_state.pop(key, None)
    st.session_state[field] = value
    st.session_state["cases_view"] = "search"


def render_search() -> None:
    opts = cached(cq.filter_options, viewer)
    text = st.text_input(
        t("cases.search.query"),
        key="q",
        placeholder=t("cases.search.placeholder"),
        max_chars=cq.MAX_QUERY_CHARS,
    )
    with st.expander(
        t("cases.search.filters"),
        icon=":material/filter_list:",
        expanded=bool(st.session_state.get("f_category") or st.session_state.get("f_tag")),
    ):
        a, b, c = st.columns(3)
        category = a.selectbox(
            t("cases.field.category"),
            ["", *opts["categories"]],
            key="f_category",
            format_func=lambda v: v or t("cases.all"),
        )
        tag = b.selectbox(
            t("cases.field.tags"), ["", *opts["tags"]], key="f_tag", format_func=lambda v: v or t("cases.all")
        )
        platform = c.selectbox(
            t("cases.field.platform"),
            ["", *kpis.PLATFORMS],
            key="f_platform",
            format_func=lambda v: platform_name(v) or t("cases.all"),
        )
        a, b, c = st.columns(3)
        host = a.selectbox(
            t("cases.search.host"),
            ["", *opts["hosts"]],
            key="f_host",
            format_func=lambda v: v or t("cases.all"),
        )
        period = b.date_input(t("cases.search.period"), value=(), key="f_period")
        status = c.selectbox(
            t("cases.field.status"),
            ["", *cq.STATUSES],
            key="f_status",
            format_func=lambda v: t(f"cases.status.{v}") if v else t("cases.all"),
        )
    date_from = date_to = None
    if isinstance(period, tuple) and len(period) == 2:
        date_from, date_to = period
    elif isinstance(period, tuple) and len(period) == 1:
        date_from = period[0]
    query = cq.CaseQuery(text.strip(), category, tag, platform, host, date_from, date_to, status)
    result = cached(cq.search, viewer, query)
    if len(text.split()) > cq.MAX_TERMS:
        st.caption(t("cases.search.too_many_words", n=cq.MAX_TERMS))
    if result["total"] == 0:
        key = "cases.search.no_match" if (text.strip() or any(query[1:8])) else "cases.search.empty"
        st.info(t(key, query=md_escape(text.strip()[:40])), icon=":material/search_off:")
        return
    shown = len(result["rows"])
    st.caption(
        t("cases.search.count", total=result["total"])
        + (" " + t("cases.search.shown", n=shown) if shown < result["total"] else "")
    )
    d1, d2 = st.columns(2)
    d1.download_button(
        t("cases.export.list_md"),
        lambda: cs.cases_markdown(cs.cases_for_export(engine(), viewer, query), lang),
        "cases.md",
        "text/markdown",
        key="list_md",
        icon=":material/download:",
    )
    d2.download_button(
        t("cases.export.list_xlsx"),
        lambda: cs.cases_xlsx(cs.cases_for_export(engine(), viewer, query), lang),
        "cases.xlsx",
        XLSX_MIME,
        key="list_xlsx",
        icon=":material/download:",
    )
    for row in result["rows"]:
        with st.container(border=True):
            st.markdown("#### " + highlighted(cq.highlight_spans(row["title"], result["terms"])))
            st.caption(meta_line(row))
            if row["snippet"]:
                st.markdown(highlighted(row["snippet"]))
            st.button(
                t("cases.open"),
                key=f"open_{row['id']}",
                on_click=go,
                kwargs={"case": row["id"]},
                icon=":material/article:",
            )


def render_browse() -> None:
    data = cached(cq.facets, viewer)
    if not data["categories"] and not data["tags"]:
        no_data("cases.search.empty")
        return
    left, right = st.columns(2)
    with left:
        st.subheader(t("cases.browse.categories"))
        for name, n in data["categories"]:
            st.button(f"{name} ({n})", key=f"cat_{name}", on_click=browse_to, args=("f_category", name))
    with right:
        st.subheader(t("cases.browse.tags"))
        for name, n in data["tags"]:
            st.button(f"# {name} ({n})", key=f"tag_{name}", on_click=browse_to, args=("f_tag", name))


def render_actions() -> None:
    people = dict(cached(cs.people_choices))
    options: list[Any] = ["all"] + (["me"] if viewer.person_id else []) + list(people)
    a, b = st.columns((3, 1))
    who = a.selectbox(
        t("cases.items.owner_filter"),
        options,
        key="ai_owner",
        format_func=lambda o: t(f"cases.items.{o}") if o in ("all", "me") else people[o],
    )
    include_done = b.checkbox(t("cases.items.include_done"), key="ai_done")
    owner = viewer.person_id if who == "me" else (None if who == "all" else who)
    items = cached(cs.action_items_overview, viewer, owner, include_done, now().date())
    if not items:
        no_data("cases.items.none")
        return
    overdue = sum(i["overdue"] for i in items)
    st.caption(t("cases.items.count", n=len(items), overdue=overdue))
    frame = pd.DataFrame(
        [
            {
                t("cases.items.flag"): "⚠️ " + t("cases.item.overdue") if i["overdue"] else "",
                t("cases.item.due_on"): i["due_on"],
                t("cases.item.owner"): i["owner"] or t("cases.none"),
                t("cases.item.description"): i["description"],
                t("cases.items.case"): i["case_title"],
                t("cases.item.status"): t(f"cases.item_status.{i['status']}"),
                t("cases.items.open_case"): f"cases?case={i['case_id']}",
            }
            for i in items
        ]
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key="ai_table",
        column_config={t("cases.items.open_case"): st.column_config.LinkColumn(display_text=t("cases.open"))},
    )


# --- routing --------------------------------------------------------------------------------------

if (case_id := int_param("case")) is not None:
    render_case(case_id)
    st.stop()
if (edit_id := int_param("edit")) is not None:
    current = cs.get_case(engine(), viewer, edit_id)
    if current is None or "edit" not in current["actions"]:
        st.warning(
            t("cases.error.not_found", value=edit_id)
            if current is None
            else t("cases.error.cannot_edit", status=t(f"cases.status.{current['status']}"))
        )
        st.button(t("cases.back"), on_click=go, key="ed_back")
        st.stop()
    render_editor(current, None, f"edit:{edit_id}")
    st.stop()
if (session_id := int_param("new_from_session")) is not None:
    prefill = cached(cs.session_prefill, session_id, lang)
    if prefill is None:
        st.warning(t("cases.error.unknown_session", value=session_id))
        st.button(t("cases.back"), on_click=go, key="ed_back")
        st.stop()
    render_editor(None, prefill, f"session:{session_id}")
    st.stop()
if st.query_params.get("new"):
    render_editor(None, None, "new")
    st.stop()

st.title(t("nav.cases"))
show_flash()
top_left, top_right = st.columns((4, 1))
if "cases_view" not in st.session_state and st.query_params.get("view") in ("search", "browse", "actions"):
    st.session_state["cases_view"] = st.query_params["view"]  # a link from the home page
view = top_left.radio(
    t("cases.view.switch"),
    ("search", "browse", "actions"),
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
{"search": render_search, "browse": render_browse, "actions": render_actions}[view]()
