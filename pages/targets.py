"""目标管理: targets in effect for a month, their history, and setting a new one (managers and admins)."""

import streamlit as st

from lib import targets
from lib.web import (
    CATALOGUE,
    clock,
    form_ui,
    forms,
    md_escape,
    metric,
    month_of,
    stored_from_typed,
    targets_view,
)
from lib.web.i18n import current_language, t
from lib.web.ui import cached, engine, guard, month_picker, show_table

user = guard("targets")
lang = current_language()
this_month = month_of(clock.today())

st.title(t("kpis.targets.title"))
st.caption(t("kpis.targets.caption"))

month = month_picker(t("kpis.targets.month"), "targets_month", this_month)
if not targets.MONTH_RE.match(month):
    st.error(t("kpis.target_error.month", value=md_escape(month)))
    st.stop()
targets_view.period_section(user, month)  # month and quarter totals, read with pacing

st.subheader(t("kpis.targets.current", month=month))
current = cached(targets.targets_frame, month)
show_table(targets.display_frame(current, lang), hide_index=True, key="targets_current")

st.subheader(t("kpis.targets.new"))
FORM_KEYS = (
    "targets_metric",
    "targets_scope",
    "targets_month_from",
    "targets_kind",
    "targets_value",
    "targets_base",
)
if not form_ui.closed("target_set", clear=FORM_KEYS):
    fresh_form = "targets_value" not in st.session_state  # a new visit: nothing typed yet
    choices = cached(targets.scope_choices)
    c = st.columns(3)
    key = c[0].selectbox(
        t("kpis.targets.metric"),
        [m.key for m in CATALOGUE],
        key="targets_metric",
        format_func=lambda k: metric(k).name(lang),
    )
    scope_kind = c[1].selectbox(
        t("kpis.targets.scope_kind"),
        targets.SCOPE_ORDER[::-1],
        key="targets_scope_kind",
        format_func=lambda k: t(f"kpis.scope.{k}"),
    )
    labels = dict(choices[scope_kind])
    scope_value = c[2].selectbox(
        t("kpis.targets.scope_value"),
        list(labels),
        key="targets_scope_value",
        format_func=lambda v: labels.get(v, v) or t(f"kpis.scope.{scope_kind}"),
        disabled=scope_kind == "all",
    )
    d = st.columns(4)
    month_from = month_picker(t("kpis.targets.month_from"), "targets_month_from", this_month, container=d[0])
    kind = d[1].selectbox(
        t("kpis.targets.kind"), targets.KINDS, key="targets_kind", format_func=lambda k: t(f"kpis.kind.{k}")
    )
    pct = metric(key).unit == "pct"
    value = d[2].number_input(t("kpis.targets.value"), value=None, key="targets_value", format="%.4f")
    high = d[3].number_input(
        t("kpis.targets.value_high"),
        value=None,
        key="targets_value_high",
        format="%.4f",
        disabled=kind != "between",
    )
    if pct:
        st.caption(t("kpis.targets.pct_hint"))
    # The target this one replaces, as it was when this metric/scope/month was chosen: if another manager
    # sets one meanwhile, saving is refused instead of silently replacing theirs.
    target_key = (key, scope_kind, scope_value or "", month_from)
    if fresh_form or st.session_state.get("targets_base", (None,))[0] != target_key:
        st.session_state["targets_base"] = (target_key, targets.latest_target_id(engine(), *target_key))
    if st.button(t("kpis.targets.submit"), type="primary", key="targets_submit"):
        unit = metric(key).unit
        try:
            form_ui.submit(
                "target_set",
                lambda token: targets.set_target(
                    engine(),
                    user.username,
                    key,
                    scope_kind,
                    scope_value or "",
                    month_from,
                    kind,
                    stored_from_typed(value, unit),
                    stored_from_typed(high if kind == "between" else None, unit),
                    based_on=st.session_state["targets_base"][1],
                    token=token,
                ),
                lambda _id: t("kpis.targets.saved", metric=metric(key).name(lang), month=month_from),
                FORM_KEYS,
            )
        except targets.TargetError as exc:
            st.error(t(f"kpis.target_error.{exc.code}", **{k: md_escape(v) for k, v in exc.params.items()}))
        except forms.StaleEdit as exc:
            st.session_state.pop("targets_base", None)  # saving again is a deliberate replacement
            st.error(form_ui.stale_message(exc))
        else:
            st.rerun()

st.subheader(t("kpis.targets.history"))
history = cached(targets.targets_frame)
show_table(targets.display_frame(history, lang), hide_index=True, key="targets_history")
