"""The targets page's period targets (a month's or quarter's total per scope): the list for the month shown,
a form to set one, and one to change or delete one. Write-once form tokens, the version the editor saw
(a change by someone else meanwhile is refused, naming who and when), validation messages that say what
is wrong; person lists offer hosts only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from lib import targets
from lib.core import forms
from lib.core.auth import CurrentUser
from lib.core.dates import quarter_of
from lib.core.formatting import md_escape, stored_from_typed
from lib.core.metrics import metric
from lib.web import form_ui
from lib.web.i18n import current_language, t
from lib.web.ui import cached, engine, show_table

NEW_KEYS = ("ptarget_kind", "ptarget_metric", "ptarget_scope", "ptarget_value", "ptarget_base")
EDIT_KEYS = ("ptarget_pick", "ptarget_new_value", "ptarget_confirm", "ptarget_edit_base")


def labels(choices: dict[str, list[tuple[str, str]]]) -> dict[str, dict[str, str]]:
    return {kind: dict(pairs) for kind, pairs in choices.items()}


def rows_for(month: str) -> list[targets.PeriodTargetRow]:
    """The period targets of `month` and of its quarter."""
    wanted = (month, quarter_of(month))
    return [r for r in cached(targets.load_period_targets) if r.period in wanted]


def period_section(user: CurrentUser, month: str) -> None:
    """The period targets of the month shown (and its quarter), then the forms."""
    lang = current_language()
    st.subheader(t("targets.page.period_title"))
    st.caption(t("targets.page.period_caption"))
    choices = cached(targets.scope_choices)  # person: hosts only
    rows = rows_for(month)
    st.markdown("**" + t("targets.page.period_list", month=month) + "**")
    if rows:
        show_table(targets.period_targets_table(rows, labels(choices), lang), hide_index=True, key="ptargets")
    else:
        st.info(t("targets.page.none"))
    new_form(user, month, choices, rows)
    edit_form(user, rows, labels(choices))


def _show_error(exc: Exception) -> None:
    if isinstance(exc, targets.TargetError):
        st.error(t(f"kpis.target_error.{exc.code}", **{k: md_escape(v) for k, v in exc.params.items()}))
    elif isinstance(exc, forms.StaleEdit):
        st.error(form_ui.stale_message(exc))


def _new_inputs(month: str, choices: dict[str, list[tuple[str, str]]]) -> tuple[str, str, str, str, Any]:
    """The new period target's widgets: (period, metric, scope kind, scope value, typed total)."""
    lang = current_language()
    c = st.columns(4)
    period = c[0].selectbox(
        t("targets.page.period_kind"),
        (month, quarter_of(month)),
        key="ptarget_kind",
        format_func=lambda p: targets.period_name(p, lang),
    )
    key = c[1].selectbox(
        t("targets.page.metric"),
        targets.PERIOD_METRICS,
        key="ptarget_metric",
        format_func=lambda k: metric(k).name(lang),
    )
    scope_kind = c[2].selectbox(
        t("kpis.targets.scope_kind"),
        targets.PERIOD_SCOPES,
        key="ptarget_scope",
        format_func=lambda k: t(f"kpis.scope.{k}"),
    )
    names = dict(choices[scope_kind])
    if scope_kind == "person" and not names:
        c[3].info(t("targets.page.no_hosts"))
    scope_value = c[3].selectbox(
        t("targets.page.scope_value"),
        list(names),
        key=f"ptarget_scope_value_{scope_kind}",
        format_func=lambda v: names.get(v) or t("kpis.scope.all"),
        disabled=scope_kind == "all",
    )
    value = st.number_input(t("targets.page.value"), value=None, min_value=0.0, key="ptarget_value")
    return period, key, scope_kind, scope_value or "", value


def new_form(
    user: CurrentUser, month: str, choices: dict[str, list[tuple[str, str]]], rows: list[Any]
) -> None:
    """Set a period target of the month shown or of its quarter."""
    lang = current_language()
    if form_ui.closed("period_target_set", clear=NEW_KEYS):
        return
    period, key, scope_kind, scope_value, value = _new_inputs(month, choices)
    # The version of the target this one replaces, as it was when this metric/period/scope was chosen.
    target_key = (key, period, scope_kind, scope_value)
    existing = next(
        (r for r in rows if (r.metric, r.period, r.scope_kind, r.scope_value) == target_key), None
    )
    if st.session_state.get("ptarget_base", (None,))[0] != target_key:
        st.session_state["ptarget_base"] = (target_key, None if existing is None else existing.version)
    if st.button(t("targets.page.submit"), type="primary", key="ptarget_submit"):
        try:
            form_ui.submit(
                "period_target_set",
                lambda token: targets.set_period_target(
                    engine(),
                    user.username,
                    *target_key,
                    stored_from_typed(value, metric(key).unit),
                    expected=st.session_state["ptarget_base"][1],
                    token=token,
                ),
                lambda _id: t("targets.page.saved", metric=metric(key).name(lang), period=period),
                NEW_KEYS,
            )
        except (targets.TargetError, forms.StaleEdit) as exc:
            st.session_state.pop("ptarget_base", None)  # saving again is a deliberate replacement
            _show_error(exc)
        else:
            st.rerun()


def edit_form(user: CurrentUser, rows: list[Any], names: dict[str, dict[str, str]]) -> None:
    """Change the total of one period target, or delete it (with a confirmation tick)."""
    lang = current_language()
    if form_ui.closed("period_target_edit", clear=EDIT_KEYS, label_key="forms.new_entry") or not rows:
        return  # (a deletion's message shows even when it took the last one)
    st.markdown("**" + t("targets.page.edit_title") + "**")
    by_id = {r.id: r for r in rows}
    picked = st.selectbox(
        t("targets.page.pick"),
        list(by_id),
        key="ptarget_pick",
        format_func=lambda i: targets.target_option(by_id[i], names, lang),
    )
    row = by_id[picked]
    if st.session_state.get("ptarget_edit_base", (None,))[0] != row.id:
        st.session_state["ptarget_edit_base"] = (row.id, row.version)  # the version this edit starts from
    version = st.session_state["ptarget_edit_base"][1]
    c = st.columns(3)
    new_value = c[0].number_input(
        t("targets.page.new_value"), value=None, min_value=0.0, key="ptarget_new_value"
    )
    confirm = c[1].checkbox(t("targets.page.confirm_delete"), key="ptarget_confirm")
    what = targets.target_option(row, names, lang)

    def update(token: str) -> int:
        typed = stored_from_typed(new_value, metric(row.metric).unit)
        key = (row.metric, row.period, row.scope_kind, row.scope_value)
        return targets.set_period_target(engine(), user.username, *key, typed, expected=version, token=token)

    def remove(token: str) -> None:
        targets.delete_period_target(engine(), user.username, row.id, version, token=token)

    if c[2].button(t("targets.page.update"), key="ptarget_update"):
        _submit_edit(update, t("targets.page.updated", what=md_escape(what)))
    if c[2].button(t("targets.page.delete"), key="ptarget_delete", disabled=not confirm):
        _submit_edit(remove, t("targets.page.deleted", what=md_escape(what)))


def _submit_edit(write: Callable[[str], int | None], message: str) -> None:
    try:
        form_ui.submit("period_target_edit", write, lambda _r: message, EDIT_KEYS)
    except (targets.TargetError, forms.StaleEdit) as exc:
        st.session_state.pop("ptarget_edit_base", None)
        _show_error(exc)
    else:
        st.rerun()
