"""View code of the admin's settings page (pages/settings.py): organisation, incident categories and SLAs,
schedule rules, time zone and survey thresholds, and the history. Every write goes through a domain
function with the form's write-once token; a refusal is shown and nothing is stored."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from lib import incidents as inc
from lib import settings, surveys
from lib.core import clock
from lib.core.auth import CurrentUser
from lib.core.dates import month_of
from lib.core.errors import CodedError
from lib.core.formatting import category_name, md_escape
from lib.web import form_ui
from lib.web.i18n import current_language, t
from lib.web.ui import cached, edit_table, engine, month_picker, show_table

PLAN_KEYS = tuple(k for k in settings.VERSIONED if k.startswith("plan."))
ZONES = sorted(zoneinfo.available_timezones())


def show_error(exc: CodedError) -> None:
    """A refusal in the reader's language (an incident table's with its columns named as on the table);
    what was typed is shown as text, never as markdown."""
    lang = current_language()
    text = inc.present.error_text(exc, lang) if isinstance(exc, inc.IncidentError) else exc.message(lang)
    st.error(md_escape(text), icon=":material/error:")


def save(
    form: str, write: Callable[[str], Any], message: Callable[[Any], str], clear: tuple[str, ...]
) -> None:
    """Run a form's write once (its token): a refusal stays on the open form; a save closes it."""
    try:
        form_ui.submit(form, write, message, clear)
    except CodedError as exc:
        show_error(exc)
    else:
        st.rerun()


def _field(name: str) -> str:
    return t(f"settings.field.{name}")


def named_section(user: CurrentUser, kind: str) -> None:
    """Departments or teams: the list (with active people), add one, rename one."""
    st.subheader(t(f"settings.org.{kind}s"))
    rows = cached(settings.named_rows, kind)
    frame = pd.DataFrame(rows, columns=["id", "name", "people"]).drop(columns="id")
    show_table(frame.rename(columns={"name": _field("name"), "people": t("settings.org.col.people")}))
    add, rename = st.columns(2)
    with add:
        if not form_ui.closed(f"set_{kind}_add", clear=(f"set_{kind}_add_",)):
            name = st.text_input(t("settings.org.add") + " · " + _field(kind), key=f"set_{kind}_add_name")
            if st.button(t("settings.org.add"), key=f"set_{kind}_add_go", icon=":material/add:"):
                save(
                    f"set_{kind}_add",
                    lambda tok: settings.add_named(engine(), kind, name, user.username, token=tok),
                    lambda _id: t("settings.org.added", name=md_escape(name.strip())),
                    (f"set_{kind}_add_",),
                )
    with rename:
        if rows and not form_ui.closed(
            f"set_{kind}_ren", clear=(f"set_{kind}_ren_",), label_key="forms.edit_again"
        ):
            names = {r["id"]: r["name"] for r in rows}
            picked = st.selectbox(
                t("settings.org.rename") + " · " + _field(kind),
                list(names),
                format_func=lambda i: names[i],
                key=f"set_{kind}_ren_pick",
            )
            new = st.text_input(t("settings.org.new_name"), key=f"set_{kind}_ren_name")
            if st.button(t("settings.org.rename"), key=f"set_{kind}_ren_go", icon=":material/edit:"):
                save(
                    f"set_{kind}_ren",
                    lambda tok: settings.rename_named(engine(), kind, picked, new, user.username, token=tok),
                    lambda _r: t("settings.org.renamed", name=md_escape(new.strip())),
                    (f"set_{kind}_ren_",),
                )


def _position_label(row: dict[str, Any], lang: str) -> str:
    name = row["name_zh"] if lang == "zh" else row["name_en"]
    state = "" if row["active"] else f" ({t('settings.org.state.retired')})"
    return f"{name}{state}"


def positions_section(user: CurrentUser) -> None:
    """Positions: the list, add one, rename one, retire or reactivate one."""
    st.subheader(t("settings.org.positions"))
    st.caption(t("settings.org.positions_caption"))
    rows = cached(settings.position_rows)
    frame = pd.DataFrame(rows, columns=["name_zh", "name_en", "active", "people"])
    frame["active"] = frame["active"].map(lambda a: t(f"settings.org.state.{'active' if a else 'retired'}"))
    labels = {c: _field(c) for c in ("name_zh", "name_en")}
    labels.update(active=t("settings.org.col.active"), people=t("settings.org.col.people"))
    show_table(frame.rename(columns=labels))
    add, change = st.columns(2)
    with add:
        position_add(user)
    with change:
        if rows:
            position_change(user, {r["id"]: r for r in rows})


def position_add(user: CurrentUser) -> None:
    if form_ui.closed("set_pos_add", clear=("set_pos_add_",)):
        return
    st.markdown("**" + t("settings.org.add") + "**")
    key = st.text_input(_field("key"), key="set_pos_add_key", placeholder="floor_lead")
    zh = st.text_input(_field("name_zh"), key="set_pos_add_zh")
    en = st.text_input(_field("name_en"), key="set_pos_add_en")
    if st.button(t("settings.org.add"), key="set_pos_add_go", icon=":material/add:"):
        save(
            "set_pos_add",
            lambda tok: settings.add_position(engine(), key, zh, en, user.username, token=tok),
            lambda _id: t("settings.org.added", name=md_escape(zh.strip())),
            ("set_pos_add_",),
        )


def position_change(user: CurrentUser, by_id: dict[int, dict[str, Any]]) -> None:
    """Rename a position, or retire / reactivate it (one form: one write per visit)."""
    if form_ui.closed("set_pos_ren", clear=("set_pos_ren_",), label_key="forms.edit_again"):
        return
    lang = current_language()
    st.markdown("**" + t("settings.org.rename") + " · " + t("settings.org.retire") + "**")
    picked = st.selectbox(
        _field("position"),
        list(by_id),
        format_func=lambda i: _position_label(by_id[i], lang),
        key="set_pos_ren_pick",
    )
    row = by_id[picked]
    zh = st.text_input(_field("name_zh"), value=row["name_zh"], key=f"set_pos_ren_zh_{picked}")
    en = st.text_input(_field("name_en"), value=row["name_en"], key=f"set_pos_ren_en_{picked}")
    b1, b2 = st.columns(2)
    if b1.button(t("settings.org.rename"), key="set_pos_ren_go", icon=":material/edit:"):
        save(
            "set_pos_ren",
            lambda tok: settings.rename_position(engine(), picked, zh, en, user.username, token=tok),
            lambda _r: t("settings.org.renamed", name=md_escape(zh.strip())),
            ("set_pos_ren_",),
        )
    active = bool(row["active"])
    if b2.button(t("settings.org.retire" if active else "settings.org.reactivate"), key="set_pos_state_go"):
        done = "settings.org.retired" if active else "settings.org.reactivated"
        save(
            "set_pos_ren",
            lambda tok: settings.set_position_active(engine(), picked, not active, user.username, tok),
            lambda _r: t(done, name=md_escape(row["name_zh" if lang == "zh" else "name_en"])),
            ("set_pos_ren_",),
        )


def categories_editor(user: CurrentUser) -> pd.DataFrame:
    """The incident categories (rename, reorder, retire, add): saved by their own button."""
    cols = {c: t(f"incidents.admin.col.{c}") for c in ("name", "sort_order", "active")}
    cats = pd.DataFrame(inc.categories(engine(), active_only=False), columns=["id", *cols])
    st.subheader(t("incidents.admin.categories"))
    if form_ui.closed("set_categories", clear=("set_categories",), label_key="forms.edit_again"):
        return cats
    edited = edit_table(
        cats,
        num_rows="dynamic",
        key="set_categories",
        disabled=["id"],
        column_config={"id": None, **cols},  # the row id stays in the data (saving needs it), unseen
    )
    if st.button(t("incidents.admin.save_categories"), key="set_save_categories"):
        save(
            "set_categories",
            lambda tok: inc.save_categories(engine(), edited.to_dict("records"), user.username, token=tok),
            lambda _r: t("incidents.admin.saved"),
            ("set_categories",),
        )
    return cats


def sla_editor(user: CurrentUser, cats: pd.DataFrame) -> None:
    """The SLA table in force now, saved as a new version from a month (this one or later)."""
    st.subheader(t("settings.sla.title"))
    st.caption(t("incidents.admin.slas"))
    versions_table()
    if form_ui.closed("set_slas", clear=("set_slas",), label_key="forms.edit_again"):
        return
    this_month = month_of(clock.today())
    month = month_picker(t("settings.sla.month_from"), "set_sla_month", this_month, back=0)
    minutes = {
        c: st.column_config.NumberColumn(t(f"incidents.admin.col.{c}"), min_value=0.1)
        for c in ("respond_minutes", "resolve_minutes", "meeting_minutes")
    }
    slas = edit_table(
        cached(inc.sla_table),
        num_rows="dynamic",
        key="set_slas",
        column_config={
            "category": st.column_config.SelectboxColumn(
                t("incidents.form.category"),
                options=cats["name"].tolist(),
                format_func=lambda c: category_name(c, current_language()),
            ),
            "severity": st.column_config.SelectboxColumn(
                t("incidents.form.severity"),
                options=list(inc.SEVERITIES),
                format_func=lambda s: t(f"incidents.severity.{s}"),
            ),
            **minutes,
        },
    )
    if st.button(t("incidents.admin.save_slas"), key="set_save_slas", type="primary"):
        save(
            "set_slas",
            lambda tok: inc.save_slas(engine(), slas.to_dict("records"), user.username, month, token=tok),
            lambda saved: t("settings.sla.saved", month=saved),
            ("set_slas",),
        )


def versions_table() -> None:
    """The SLA tables by the months they were in force (shown once there is more than one)."""
    versions = cached(inc.sla_versions)
    if len(versions) > 1:
        st.caption(t("settings.sla.versions"))
        open_end = t("settings.sla.open")
        show_table(
            pd.DataFrame(
                [(f"{a:%Y-%m-%d}", f"{b:%Y-%m-%d}" if b else open_end) for a, b in versions],
                columns=[t("settings.sla.from"), t("settings.sla.until")],
            )
        )


def plan_section(user: CurrentUser) -> None:
    """Schedule tolerances and script due rules, in force from a month (this one or later)."""
    st.caption(t("settings.plan.caption"))
    this_month = month_of(clock.today())
    book = cached(settings.book)
    if not form_ui.closed("set_plan", clear=("set_plan_",), label_key="forms.edit_again"):
        month = month_picker(t("settings.plan.month_from"), "set_plan_month", this_month, back=0)
        typed = {}
        cols = st.columns(2)
        for i, key in enumerate(PLAN_KEYS):
            s = settings.spec(key)
            typed[key] = cols[i % 2].number_input(
                _field(key),
                min_value=s.lo,
                max_value=s.hi,
                value=book.value(key, month),
                step=1,
                key=f"set_plan_{key.split('.')[-1]}_{month}",
                help=t(f"settings.help.{key}"),
            )
        if st.button(t("settings.plan.save"), key="set_plan_go", type="primary"):
            save(
                "set_plan",
                lambda tok: settings.set_many(engine(), typed, user.username, month, token=tok),
                lambda changed: (
                    t("settings.plan.saved", count=len(changed), month=month)
                    if changed
                    else t("settings.plan.unchanged")
                ),
                ("set_plan_",),
            )
    st.caption(t("settings.plan.versions"))
    rows = [
        (_field(key), t("settings.plan.default"), settings.spec(key).default, "", "") for key in PLAN_KEYS
    ]
    for key in PLAN_KEYS:
        for v in book.versions.get(key, ()):
            rows.append((_field(key), v.month_from, v.value, v.set_by or "", f"{v.set_at:%Y-%m-%d %H:%M}"))
    heads = ["setting", "month_from", "value", "set_by", "set_at"]
    names = [t("settings.col.setting"), _field("month_from"), *(t(f"settings.col.{h}") for h in heads[2:])]
    show_table(pd.DataFrame(rows, columns=names))


def zone_section(user: CurrentUser) -> None:
    """The team's time zone (stored for every process; the configured one until an admin sets it)."""
    zone = clock.zone_name()
    st.subheader(_field("team.timezone"))
    st.caption(t("settings.team.zone_caption", zone=zone))
    if form_ui.closed("set_zone", clear=("set_zone_",), label_key="forms.edit_again"):
        return
    index = ZONES.index(zone) if zone in ZONES else 0
    picked = st.selectbox(_field("team.timezone"), ZONES, index=index, key="set_zone_pick")
    if st.button(t("settings.team.save_zone"), key="set_zone_go"):
        save(
            "set_zone",
            lambda tok: settings.set_timezone(engine(), picked, user.username, token=tok),
            lambda name: t("settings.team.zone_saved", zone=name),
            ("set_zone_",),
        )


def thresholds_form(user: CurrentUser) -> None:
    """The survey anonymity thresholds (also on the survey results page: one form, one write)."""
    limits = cached(surveys.thresholds)
    st.subheader(t("settings.team.surveys"))
    if form_ui.closed("set_surveys", clear=("set_surveys_",), label_key="forms.edit_again"):
        return
    k = st.number_input(
        t("survey.settings.k", min=surveys.MIN_K), value=limits.k, step=1, key="set_surveys_k"
    )
    comment_k = st.number_input(
        t("survey.settings.comment_k"), value=limits.comment_k, step=1, key="set_surveys_ck"
    )
    if st.button(t("settings.team.save_surveys"), key="set_surveys_go"):
        save(
            "set_surveys",
            lambda tok: surveys.set_thresholds(engine(), int(k), int(comment_k), user.username, token=tok),
            lambda _r: t("settings.team.surveys_saved"),
            ("set_surveys_",),
        )


def history_section() -> None:
    """Adds, renames and retirements of departments, teams and positions, newest first."""
    rows = []
    for h in cached(settings.org_history):
        params = {k: str(h.get(k, "")) for k in ("name", "old", "new")}  # table cells: plain text
        params["kind"] = _field(h.get("kind", ""))
        rows.append(
            (f"{h['at']:%Y-%m-%d %H:%M}", h["username"] or "", t(f"settings.history.{h['action']}", **params))
        )
    names = [t("settings.col.at"), t("settings.col.user"), t("settings.col.change")]
    show_table(pd.DataFrame(rows, columns=names))
