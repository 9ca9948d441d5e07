"""View code of the schedule page (排期): the week picker, a day's plan as cards (a tap to edit), the week
as a rooms × days grid, the editor (with scripts and forecasts), copy last week, the file import."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from lib import plan
from lib.core import clock
from lib.core.db import write
from lib.core.formatting import md_escape
from lib.core.platforms import PLATFORMS
from lib.web import form_ui
from lib.web.i18n import current_language, t
from lib.web.ui import cached, engine, flash, link_to, no_data, show_table

EDITING = "plan_editing"  # id of the planned session in the editor, 0 = a new one
EDIT_FORM = "plan_edit"  # the form tokens (lib/web/form_ui.py) of the editor, the copy and the import
FIELDS = ("theme", "products", "ops_owner", "content_owner", "floor_manager")


def week_picker() -> dt.date:
    day = st.date_input(t("plan.page.week"), value=clock.today(), key="plan_week", format="YYYY-MM-DD")
    monday = plan.present.this_monday(day or clock.today())
    st.caption(t("plan.page.week_span", start=monday, end=monday + dt.timedelta(days=6)))
    return monday


def rows_of(monday: dt.date) -> list[dict[str, Any]]:
    return cached(plan.present.week_rows, monday, clock.now().replace(second=0, microsecond=0))


def figures(monday: dt.date) -> None:
    lang = current_language()
    shown = cached(plan.present.week_figures, monday, clock.now().replace(second=0, microsecond=0), lang)
    for column, (label, value, caption) in zip(st.columns(len(shown)), shown, strict=True):
        column.metric(label, value)
        column.caption(caption)


def day_plan(monday: dt.date, can_edit: bool) -> None:
    """A day's plan at a glance: one card per session, a tap on it opens the editor."""
    lang = current_language()
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    today = clock.today()
    default = today if today in days else monday
    day = (
        st.segmented_control(
            t("plan.page.day"),
            days,
            default=default,
            key=f"plan_day_{monday}",
            format_func=lambda d: plan.present.day_label(d, lang),
        )
        or default
    )
    rows = [r for r in rows_of(monday) if r["starts_at"].date() == day]
    if not rows:
        no_data("plan.page.no_sessions")
    for row in rows:
        card = plan.present.card(row, lang)
        with st.container(border=True):
            st.markdown(f"**{md_escape(card['title'])}**")
            for line in (card["theme"], card["people"], card["script"]):
                if line:
                    st.caption(md_escape(line))
            if can_edit:
                st.button(
                    t("plan.page.edit"),
                    key=f"plan_edit_{row['id']}",
                    icon=":material/edit:",
                    on_click=open_editor,
                    args=(row["id"],),
                )
    if can_edit:
        st.button(t("plan.page.add"), key="plan_add", icon=":material/add:", on_click=open_editor, args=(0,))


def open_editor(planned_id: int) -> None:
    """Button callback: the editor on a planned session (0: a new one), with a fresh form token."""
    st.session_state[EDITING] = planned_id
    form_ui.reopen(EDIT_FORM)


def week_grid(monday: dt.date) -> None:
    rows = rows_of(monday)
    if not rows:
        no_data("plan.page.no_sessions")
        return
    show_table(plan.present.week_grid(rows, monday, current_language()), hide_index=True, key="plan_grid")


def copy_last_week(monday: dt.date, username: str) -> None:
    last = monday - dt.timedelta(days=7)
    form = f"plan_copy_{monday}"
    if form_ui.closed(form):
        return
    if not st.button(t("plan.page.copy", start=last), key="plan_copy", icon=":material/content_copy:"):
        return
    try:
        form_ui.submit(
            form,
            lambda token: plan.copy_week_once(engine(), last, username, token),
            lambda copied: t("plan.page.copied", count=copied),
        )
    except plan.PlanError as exc:
        st.error(t("plan.page.copy_refused", reason=exc.message(current_language())))
        return
    st.rerun()


def _defaults(row: dict[str, Any] | None, monday: dt.date) -> dict[str, Any]:
    if row:
        return row
    start = dt.datetime.combine(max(monday, clock.today()), dt.time(19, 0))
    return {"platform": PLATFORMS[0], "account": "", "host_name": "", "starts_at": start, "minutes": 180}


def _pair() -> tuple[Any, Any]:
    """Two fields side by side on a desktop, one after the other (in reading order) on a phone."""
    a, b = st.columns(2)
    return a, b


def _form(row: dict[str, Any], lang: str) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    a, b = _pair()
    raw["platform"] = a.selectbox(
        t("plan.field.platform"),
        PLATFORMS,
        index=PLATFORMS.index(row["platform"]),
        format_func=lambda k: plan.present.platform_label(k, lang),
    )
    raw["account"] = b.text_input(t("plan.field.account"), value=row["account"], max_chars=128)
    a, b = _pair()
    raw["host_name"] = a.text_input(t("plan.field.host_name"), value=row["host_name"], max_chars=64)
    raw["minutes"] = b.number_input(t("plan.field.minutes"), 1, 1440, int(row["minutes"]), step=30)
    a, b = _pair()
    day = a.date_input(t("plan.field.date"), value=row["starts_at"].date(), format="YYYY-MM-DD")
    time = b.time_input(t("plan.field.starts_at"), value=row["starts_at"].time(), step=60 * 15)
    raw["starts_at"] = dt.datetime.combine(day, time)
    for i, name in enumerate(FIELDS):
        if i % 2 == 0:
            a, b = _pair()
        raw[name] = (a, b)[i % 2].text_input(t(f"plan.field.{name}"), value=row.get(name) or "")
    gmv, viewers = row.get("forecast_gmv"), row.get("forecast_viewers")
    raw["forecast_gmv"] = b.number_input(
        t("plan.field.forecast_gmv"), 0.0, 1e12, None if gmv is None else float(gmv), step=1000.0
    )
    a, _ = _pair()
    raw["forecast_viewers"] = a.number_input(
        t("plan.field.forecast_viewers"), 0, 10**12, None if viewers is None else int(viewers), step=100
    )
    return raw


def editor(monday: dt.date, username: str) -> None:
    """The editor of one planned session (or a new one): every field, the forecast, the script times."""
    if EDITING not in st.session_state:
        return
    lang = current_language()
    pid = st.session_state[EDITING]
    row = plan.planned_session(engine(), pid, clock.now()) if pid else None
    st.subheader(t("plan.page.editing", id=pid) if row else t("plan.page.new"))
    if not form_ui.closed(EDIT_FORM, label_key="forms.edit_again"):
        with st.form("plan_editor"):
            raw = _form(_defaults(row, monday), lang)
            saved = st.form_submit_button(t("plan.page.save"), type="primary", key="plan_save")
        if saved:
            _save(pid if row else 0, raw, row, username, lang)
    if row:
        _script_buttons(row, username)
        _history(pid, lang)
    if st.button(t("plan.page.close"), key="plan_close"):
        st.session_state.pop(EDITING, None)
        st.rerun()


def _save(pid: int, raw: dict[str, Any], row: dict[str, Any] | None, username: str, lang: str) -> None:
    """Write the editor's fields once (its form token): a refusal keeps the form open with what was
    typed; a save closes it with what happened (and a note when a reviewed session moved)."""
    notes: list[str] = []

    def write_once(token: str) -> int:
        version = row["version"] if row else None
        saved_id, said = plan.save(engine(), pid, plan.validate(raw), username, version, token)
        notes.extend(said)
        return saved_id

    def message(saved_id: int | None) -> str:
        return " ".join([t("plan.page.saved_id", id=saved_id), *(t(f"plan.note.{n}") for n in notes)])

    try:
        saved_id = form_ui.submit(EDIT_FORM, write_once, message)
    except plan.PlanError as exc:
        st.error(exc.message(lang))
        return
    if saved_id is not None:
        st.session_state[EDITING] = saved_id
    st.rerun()


def _script_buttons(row: dict[str, Any], username: str) -> None:
    lang = current_language()
    st.caption(
        t(
            "plan.page.script_due",
            draft=f"{row['draft_due']:%m-%d %H:%M}",
            review=f"{row['review_due']:%m-%d %H:%M}",
            status=t(f"plan.script.{row['script_status']}"),
        )
    )
    a, b = st.columns(2)
    for column, what in ((a, "submitted"), (b, "approved")):
        if column.button(t(f"plan.page.script_{what}"), key=f"plan_script_{what}"):
            with write(engine()) as conn:
                plan.record_script(conn, row["id"], what, username)
            flash("plan.page.saved")
            st.rerun()
    if row["status"] == "planned" and st.button(t("plan.page.cancel"), key="plan_cancel"):
        try:
            with write(engine()) as conn:
                plan.set_status(conn, row["id"], "cancelled", username)
        except plan.PlanError as exc:
            st.error(exc.message(lang))
            return
        flash("plan.page.saved")
        st.rerun()


def _history(pid: int, lang: str) -> None:
    with st.expander(t("plan.page.history")):
        show_table(
            plan.present.history_frame(plan.history_of(engine(), pid), lang),
            hide_index=True,
            key="plan_history",
        )


def import_panel(username: str) -> None:
    """Upload a schedule file: a preview with every bad row, then all rows or none; undo the last one."""
    lang = current_language()
    _undo_button(username, lang)
    upload = st.file_uploader(t("plan.page.upload"), type=["csv", "xlsx"], key="plan_upload")
    if upload is None:
        return
    data = upload.getvalue()
    checked = plan.preview_import(engine(), data, upload.name)
    if checked.file_error is not None:
        st.error(checked.file_error.message(lang))
        return
    if checked.errors:
        st.error(t("plan.page.import_errors", count=len(checked.errors)))
        show_table(plan.present.error_frame(checked, lang), hide_index=True, key="plan_import_errors")
        return
    st.success(t("plan.page.import_ready", count=len(checked.rows)))
    show_table(plan.present.preview_frame(checked, lang), hide_index=True, key="plan_import_preview")
    form = f"plan_import_{checked.digest}"  # one token per file: a second tap imports nothing more
    if form_ui.closed(form, clear=("plan_upload",), label_key="plan.page.import_another"):
        return
    if st.button(t("plan.page.import"), type="primary", key="plan_import_commit"):
        refused: list[int] = []

        def write_once(token: str) -> None:
            done, ref = plan.import_schedule(engine(), data, upload.name, username, token)
            if ref is None:
                refused.append(len(done.errors))
                raise _Refused
            st.session_state["plan_last_import"] = ref

        try:
            form_ui.submit(form, write_once, lambda _r: t("plan.page.imported", count=len(checked.rows)))
        except _Refused:
            st.error(t("plan.page.import_errors", count=refused[0]))
            return
        st.rerun()


class _Refused(Exception):
    """The import found a problem at commit time (the schedule changed since the preview)."""


def _undo_button(username: str, lang: str) -> None:
    last = st.session_state.get("plan_last_import")
    if not last or not st.button(t("plan.page.undo"), key="plan_undo", icon=":material/undo:"):
        return
    try:
        count = plan.undo_import(engine(), last, username)
    except plan.PlanError as exc:
        st.error(exc.message(lang))
        return
    st.session_state.pop("plan_last_import")
    st.session_state.pop("plan_upload", None)
    for key in [k for k in st.session_state if str(k).startswith(form_ui.STATE + "plan_import_")]:
        del st.session_state[key]  # the same file may be imported again
    flash("plan.page.undone", count=count)
    st.rerun()


def missing_scripts(person_id: int | None, sees_all: bool) -> None:
    """The scripts still missing today and tomorrow, by content owner: the user's own first (marked);
    managers see every owner's, others only their own."""
    lang = current_language()
    now = clock.now().replace(second=0, microsecond=0)
    st.subheader(t("plan.duty.missing_title"))
    by_owner = cached(plan.duties.missing_scripts, now.date(), now)
    me = cached(plan.duties.person_name, person_id)
    owners = sorted(by_owner, key=lambda o: (o != me, o == "", o))
    if not sees_all:
        owners = [o for o in owners if me and o == me]
    if not owners:
        st.caption(t("plan.duty.missing_none" if sees_all else "plan.duty.none_own"))
        return
    with st.container(key="plan_missing"):
        for owner in owners:
            name = owner or t("plan.duty.no_owner")
            name += t("plan.duty.mine") if owner and owner == me else ""
            st.markdown(f"**{md_escape(t('plan.duty.owner_line', owner=name, count=len(by_owner[owner])))}**")
            lines = [plan.duties.duty_line(r, "script", lang) for r in by_owner[owner]]
            st.markdown("\n".join(f"- {md_escape(line)}" for line in lines))


def today_plan(role: str, today: dt.date) -> None:
    """Home page: who streams where and when today, and the scripts still missing (nothing when no plan)."""
    lines = cached(plan.today_lines, today, clock.now().replace(second=0, microsecond=0), current_language())
    if not lines:
        return
    st.subheader(t("plan.home.title"))
    missing = sum(1 for _title, lacking in lines if lacking)
    if missing:
        st.caption(t("plan.home.missing", count=missing))
    for title, missing in lines:
        st.markdown(f"- {md_escape(title)}" + (f" · *{md_escape(missing)}*" if missing else ""))
    link_to("schedule", "plan.home.link", role)
