"""排期: the week's schedule — a day's plan as cards (phone), the rooms × days grid (desktop), the editor
with scripts and forecasts, copy last week, the schedule file import; the week's plan against what
happened. Everyone sees it; managers and admins change it."""

import streamlit as st

from lib.web import access
from lib.web import schedule_view as view
from lib.web.i18n import t
from lib.web.ui import guard, show_flash

user = guard("schedule")
can_edit = user.role in access.MANAGERS

st.title(t("plan.page.title"))
show_flash()
monday = view.week_picker()

day_tab, week_tab, file_tab = st.tabs(
    [t("plan.page.tab_day"), t("plan.page.tab_week"), t("plan.page.tab_file")]
)
with day_tab:
    if can_edit:
        view.editor(monday, user.username)  # above the day's cards: a tap on a card opens it in view
    view.day_plan(monday, can_edit)
    view.missing_scripts(user.person_id, can_edit)  # for their owners: today's and tomorrow's
with week_tab:
    view.week_grid(monday)
    if can_edit:
        view.copy_last_week(monday, user.username)
with file_tab:
    if can_edit:
        view.import_panel(user.username)
    else:
        st.info(t("plan.page.managers_only"))

st.divider()
view.figures(monday)  # below the plan: on a phone the day's plan comes first
