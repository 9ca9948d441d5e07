"""直播数据 vs 目标: filters in the URL (folded) -> one cached lib.kpis.kpi_view call -> tiles, red flags,
charts, the ranked table whose rows open their own view."""

import streamlit as st

from lib import kpis
from lib.web import clock, kpis_view, metric
from lib.web.i18n import current_language, t
from lib.web.ui import cached, guard, no_data, show_table

user = guard("kpis")
lang = current_language()
moment = clock.now()  # the figures of a period to date run to this minute
today = moment.date()

kpis_view.state_from_link(today)
st.title(t("kpis.title"))
kpis_view.bad_link_warning()
# The answer first: the filters fold away under a one-line summary of what they apply (the key keeps the
# box open while its label follows the choices).
with st.expander(kpis_view.filter_summary(today), icon=":material/filter_list:", key="kpis_filters"):
    preset, start, end = kpis_view.period_inputs(today)
    choices = kpis_view.choice_inputs(cached(kpis.filter_options, start, end))
    shown = kpis_view.view_inputs()
    st.caption(t("kpis.share_hint"))
gran, rank_by, trend_metric = shown["gran"], shown["by"], shown["metric"]
state = {"preset": preset, "from": start, "to": end, **choices, **shown}
kpis_view.sync_link(state)

scope = {k: choices[k] or None for k in ("platform", "room", "team", "host")}
filters = kpis.period_filters(start, end, moment, kpis.PRESET_KINDS[preset], **scope)
view = cached(kpis.kpi_view, filters, gran, rank_by)
# One line: what is counted (a period to date: up to this minute) and the exact span it is compared with.
counted = t("kpis.caption", start=start, end=kpis.span_end_text(view.span), sessions=view.sessions)
compare = kpis.compare_text("kpis.compare_caption", view.compared, view.compare_kind, lang)
st.caption(f"{counted} · {compare}")
if note := kpis.default_note(preset, start, end, today):  # say plainly which period a default shows
    st.caption(t("kpis.period_caption", start=start, end=end, label=t(note, days=kpis.MIN_MONTH_DAYS)))
if view.sessions == 0:
    no_data("kpis.no_sessions")
    st.stop()

kpis_view.tiles(view)

st.subheader(t("kpis.flags"))
st.caption(t("kpis.flags_rule", pct=round(kpis.FLAG_RATIO * 100), min=kpis.MIN_NORMAL_SESSIONS))
if view.flags:
    show_table(kpis.flags_frame(view.flags, lang), hide_index=True, key="kpis_flags")
else:
    st.success(t("kpis.flags_none"))

st.subheader(t("kpis.trend"))
if view.truncated:
    st.caption(t("kpis.truncated", n=kpis.SESSION_ROWS_LIMIT))
if gran == "session":
    st.altair_chart(kpis.trend_chart(view.trend, trend_metric, "label", "N", lang=lang), width="stretch")
    links = kpis.session_links(view.trend, trend_metric, lang)
    show_table(
        links,
        hide_index=True,
        key="kpis_sessions",
        column_config={links.columns[0]: st.column_config.LinkColumn(display_text=r"session=(\d+)")},
    )
else:
    fmt = "%Y-%m" if gran == "month" else "%m-%d"
    trend = kpis.trend_chart(view.trend, trend_metric, date_format=fmt, lang=lang, clip_from=start)
    st.altair_chart(trend, width="stretch")

left, right = st.columns(2)
with left:
    title = t("kpis.bullet", by=t(f"kpis.by.{rank_by}"))
    st.altair_chart(kpis.bullet_chart(view.ranking, title, lang), width="stretch")
with right:
    if view.funnel:
        st.altair_chart(kpis.funnel_chart(view.funnel, t("kpis.funnel"), lang), width="stretch")
    else:
        st.info(t("kpis.funnel_none"))
band = metric("duration_hours").default_target
assert band is not None  # the catalogue gives duration_hours a default band
dur_target = next((x["target"] for x in view.tiles if x["metric"] == "duration_hours"), None)
low, high = (dur_target["value"], dur_target["value_high"]) if dur_target else (band[1], band[2])
durations = kpis.durations_chart(view.durations, low, high, t("kpis.durations", low=low, high=high), lang)
st.altair_chart(durations, width="stretch")

st.subheader(t("kpis.ranking"))
kpis_view.ranking_table(view, rank_by, f"{t('kpis.export_name')}_{rank_by}_{start}_{end}", state)
