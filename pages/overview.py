"""Home page: the default period (month to date, early in a month last month) against the same days one
month earlier and target; open survey and own action items."""

import streamlit as st

from lib import cases, kpis, surveys
from lib.web import clock, format_change, format_metric, md_escape, metric
from lib.web.i18n import current_language, t
from lib.web.ui import cached, guard, link_to

user = guard("overview")
MY_ITEMS_SHOWN = 5
lang = current_language()
today = clock.today()

st.title(t("overview.title"))
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

survey = cached(surveys.open_round_for, user.id)
if survey is not None:
    with st.container(border=True):
        st.markdown(t("overview.survey_invite", name=md_escape(survey[1])))
        link_to("survey", "overview.survey_go", user.role)

items = cached(cases.action_items_for_user, user.username, today)
if items:
    with st.container(border=True):
        overdue = sum(1 for i in items if i["overdue"])
        st.markdown(t("overview.my_items", n=len(items), overdue=overdue))
        for item in items[:MY_ITEMS_SHOWN]:
            due = (
                t("overview.item_overdue", days=-item["days_left"])
                if item["overdue"]
                else (
                    t("overview.item_due", date=item["due_on"])
                    if item["due_on"]
                    else t("overview.item_no_due")
                )
            )
            st.markdown(f"- {md_escape(item['description'])} · {md_escape(item['case_title'])} · {due}")
        link_to("cases", "overview.items_go", user.role, {"view": "actions"})

tiles = cached(kpis.overview_tiles, today)
columns = st.columns(len(tiles))
for col, tile in zip(columns, tiles, strict=True):
    with col, st.container(border=True):
        st.metric(
            metric(tile.metric).name(lang),
            format_metric(tile.metric, tile.actual, lang),
            delta=format_change(tile.change),
            help=t("overview.delta_help"),
        )
        if tile.target is not None:
            st.caption(
                t(
                    "overview.against_target",
                    target=format_metric(tile.metric, tile.target, lang),
                    achievement=format_metric("gmv_achievement", tile.achievement, lang),
                )
            )
        link_to("kpis", "overview.details", user.role)

daily = cached(kpis.daily_gmv, today)
st.subheader(t("overview.trend_title"))
if daily.empty:
    st.info(t("common.no_data"))
else:
    st.altair_chart(kpis.daily_gmv_chart(daily, lang), width="stretch")
