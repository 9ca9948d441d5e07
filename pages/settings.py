"""系统设置 (admins): departments, teams and positions; incident categories and SLAs; the schedule rules
(tolerances, script due rules: in force from a month); the team's time zone and the survey thresholds;
the history of changes. View code: lib.web.settings_view."""

import streamlit as st

from lib.web import settings_view as view
from lib.web.i18n import t
from lib.web.ui import guard

user = guard("settings")

st.title(t("settings.title"))
st.caption(t("settings.caption"))

tab_org, tab_incidents, tab_plan, tab_team, tab_history = st.tabs(
    [t(f"settings.tab.{k}") for k in ("org", "incidents", "plan", "team", "history")]
)
with tab_org:
    view.named_section(user, "department")
    view.named_section(user, "team")
    view.positions_section(user)
with tab_incidents:
    view.sla_editor(user, view.categories_editor(user))
with tab_plan:
    view.plan_section(user)
with tab_team:
    view.zone_section(user)
    view.thresholds_form(user)
with tab_history:
    view.history_section()
