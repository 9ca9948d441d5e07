"""Home page: what needs me now (per access role, each linked to the page filtered to it), then the default
period (month to date, early in a month last month) against the same days one month earlier and target."""

import streamlit as st

from lib import kpis
from lib.web import clock, overview_view, schedule_view
from lib.web.i18n import current_language, t
from lib.web.ui import cached, guard

user = guard("overview")
lang = current_language()
today = clock.today()

st.title(t("overview.title"))
overview_view.needs_me(user, today)
schedule_view.today_plan(user.role, today)  # today's plan, when there is one

st.subheader(t("overview.tiles_title"))
period = kpis.period_of(today)
st.caption(
    t(
        "overview.period_caption",
        start=period.start,
        end=period.end,
        label=t(period.label_key, days=kpis.MIN_MONTH_DAYS),
        prev_start=period.previous_start,
        prev_end=period.previous_end,
    )
)
overview_view.period_tiles(user, today)

daily = cached(kpis.daily_gmv, today)
st.subheader(t("overview.trend_title"))
if daily.empty:
    st.info(t("common.no_data"))
else:
    st.altair_chart(kpis.daily_gmv_chart(daily, lang), width="stretch")
