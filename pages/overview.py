"""Home page: for managers the morning's answer first (yesterday against target and the same weekday last
week, then the month to date against target and the same elapsed part of last month), then what needs me
now (per access role, each linked to the page filtered to it); staff see what needs them first. Then GMV
per day."""

import streamlit as st

from lib import kpis
from lib.web import clock, overview_view, schedule_view
from lib.web.i18n import current_language, t
from lib.web.ui import cached, guard

user = guard("overview")
lang = current_language()
moment = clock.now().replace(second=0)  # the minute every figure below is seen at (and cached for)

st.title(t("overview.title"))
morning_first = overview_view.answers_first(user)
if not morning_first:  # staff: what needs them, then today's plan, then the figures
    overview_view.needs_me(user, moment)
    schedule_view.today_plan(user.role, moment.date())
overview_view.yesterday_block(user, moment)
overview_view.month_block(user, moment)
if morning_first:  # managers: the figures first, then today's plan and what needs them
    schedule_view.today_plan(user.role, moment.date())
    overview_view.needs_me(user, moment)

daily = cached(kpis.daily_gmv, moment)
st.subheader(t("overview.trend_title"))
if daily.empty:
    st.info(t("common.no_data"))
else:
    st.altair_chart(kpis.daily_gmv_chart(daily, lang), width="stretch")
