"""直播数据 vs 目标: filters in the URL -> one cached lib.kpis.kpi_view call -> tiles, charts, table, flags."""

import streamlit as st

from lib import charts, kpis
from lib.web import MAX_DATE, MIN_DATE, clock, exports, format_change, format_metric, md_escape, metric
from lib.web.i18n import current_language, t
from lib.web.ui import cached, guard, no_data

user = guard("kpis")
lang = current_language()
today = clock.today()
BADGE = {"green": "green", "amber": "orange", "red": "red", "no_data": "gray"}

bad_link = None
if "kpis_preset" not in st.session_state:  # first run: the view comes from the link
    linked = kpis.view_from_params(st.query_params.to_dict(), today)
    if st.query_params.get("preset") == "custom" and linked["preset"] != "custom":
        bad_link = {k: md_escape(st.query_params.get(k, "")[:40]) for k in ("from", "to")}
    for key, value in linked.items():
        st.session_state[f"kpis_{key}"] = value

st.title(t("kpis.title"))
if bad_link:
    st.warning(t("bounds.bad_period", start=bad_link["from"], end=bad_link["to"], min=MIN_DATE, max=MAX_DATE))
with st.container(border=True):
    c = st.columns(3)
    preset = c[0].selectbox(
        t("kpis.preset"), kpis.PRESETS, key="kpis_preset", format_func=lambda p: t(f"kpis.preset_{p}")
    )
    if preset == "custom":
        start = c[1].date_input(t("kpis.date_from"), key="kpis_from")
        end = c[2].date_input(t("kpis.date_to"), key="kpis_to")
    else:
        start, end = kpis.preset_range(preset, today)
        c[1].text_input(t("kpis.date_from"), start.isoformat(), disabled=True)
        c[2].text_input(t("kpis.date_to"), end.isoformat(), disabled=True)
    if end < start:
        st.error(t("kpis.bad_range", start=start, end=end))
        st.stop()
    options = cached(kpis.filter_options, start, end)
    choices = {}
    for col, key in zip(st.columns(4), ("platform", "room", "team", "host"), strict=True):
        current = st.session_state.get(f"kpis_{key}", "")
        values = ["", *options[key], *([current] if current and current not in options[key] else [])]
        choices[key] = col.selectbox(
            t(f"kpis.{key}"), values, key=f"kpis_{key}", format_func=lambda v, k=key: kpis.choice_label(k, v)
        )
    g = st.columns(3)
    gran = (
        g[0].segmented_control(
            t("kpis.granularity"),
            ("session", *kpis.TIME_GROUPS),
            key="kpis_gran",
            format_func=lambda v: t(f"kpis.gran.{v}"),
        )
        or "day"
    )
    rank_by = (
        g[1].segmented_control(
            t("kpis.rank_by"), kpis.RANK_GROUPS, key="kpis_by", format_func=lambda v: t(f"kpis.by.{v}")
        )
        or "host"
    )
    trend_metric = g[2].selectbox(
        t("kpis.trend_metric"),
        kpis.TREND_METRICS,
        key="kpis_metric",
        format_func=lambda k: metric(k).name(lang),
    )
    st.caption(t("kpis.share_hint"))

view_state = {
    "preset": preset,
    "from": start,
    "to": end,
    **choices,
    "gran": gran,
    "by": rank_by,
    "metric": trend_metric,
}
wanted = kpis.params_from_view(view_state)
if st.query_params.to_dict() != wanted:
    st.query_params.from_dict(wanted)

filters = kpis.Filters(
    start,
    end,
    choices["platform"] or None,
    choices["room"] or None,
    choices["team"] or None,
    choices["host"] or None,
)
view = cached(kpis.kpi_view, filters, gran, rank_by)
st.caption(t("kpis.caption", start=start, end=end, sessions=view.sessions))
if note := kpis.default_note(preset, start, end, today):  # say plainly which period a default shows
    st.caption(t("kpis.period_caption", start=start, end=end, label=t(note, days=kpis.MIN_MONTH_DAYS)))
if view.sessions == 0:
    no_data("kpis.no_sessions")
    st.stop()

cols = st.columns(4)
for i, tile in enumerate(view.tiles):
    with cols[i % 4], st.container(border=True, key=f"kpis_tile_{tile['metric']}"):
        st.metric(
            metric(tile["metric"]).name(lang),
            format_metric(tile["metric"], tile["actual"], lang),
            delta=format_change(tile["mom"]),
            help=t("kpis.mom_help"),
        )
        st.caption(kpis.tile_caption(tile))
        st.badge(t(f"kpis.status.{tile['status']}"), color=BADGE[tile["status"]])

st.subheader(t("kpis.trend"))
if view.truncated:
    st.caption(t("kpis.truncated", n=kpis.SESSION_ROWS_LIMIT))
if gran == "session":
    st.altair_chart(charts.trend(view.trend, trend_metric, "label", "N"), width="stretch")
    links = kpis.session_links(view.trend, trend_metric, lang)
    st.dataframe(
        links,
        hide_index=True,
        key="kpis_sessions",
        column_config={links.columns[0]: st.column_config.LinkColumn(display_text=r"session=(\d+)")},
    )
else:
    fmt = "%Y-%m" if gran == "month" else "%m-%d"
    st.altair_chart(charts.trend(view.trend, trend_metric, date_format=fmt), width="stretch")

left, right = st.columns(2)
with left:
    st.altair_chart(
        charts.bullet(view.ranking, t("kpis.bullet", by=t(f"kpis.by.{rank_by}"))), width="stretch"
    )
with right:
    if view.funnel:
        st.altair_chart(charts.funnel(view.funnel, t("kpis.funnel")), width="stretch")
    else:
        st.info(t("kpis.funnel_none"))
band = metric("duration_hours").default_target
dur_target = next((x["target"] for x in view.tiles if x["metric"] == "duration_hours"), None)
low, high = (dur_target["value"], dur_target["value_high"]) if dur_target else (band[1], band[2])
st.altair_chart(
    charts.durations(view.durations, low, high, t("kpis.durations", low=low, high=high)), width="stretch"
)

st.subheader(t("kpis.ranking"))
table = kpis.ranking_for_export(view.ranking, rank_by, lang)
money, pct = st.column_config.NumberColumn(format="¥%.2f"), st.column_config.NumberColumn(format="percent")
config = {
    metric(k).name(lang): pct if metric(k).unit == "pct" else money if metric(k).unit == "cny" else None
    for k in kpis.RANK_COLUMNS
}
config[metric("gmv_mom").name(lang)] = pct
config[t("kpis.achievement")] = pct
config[metric("avg_watch_seconds").name(lang)] = st.column_config.NumberColumn(format="%.0f s")
config[metric("duration_hours").name(lang)] = st.column_config.NumberColumn(format="%.2f h")
st.dataframe(table, column_config={k: v for k, v in config.items() if v}, hide_index=True, key="kpis_table")
d1, d2 = st.columns(2)
name = f"{t('kpis.export_name')}_{rank_by}_{start}_{end}"
sheet, units = t("kpis.ranking"), kpis.ranking_export_units(lang)  # files are built only when clicked
d1.download_button(
    t("common.download_csv"),
    lambda: exports.to_csv_bytes(table, units),
    f"{name}.csv",
    "text/csv",
    key="kpis_csv",
)
d2.download_button(
    t("common.download_xlsx"),
    lambda: exports.to_xlsx_bytes({sheet: table}, units),
    f"{name}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="kpis_xlsx",
)

st.subheader(t("kpis.flags"))
st.caption(t("kpis.flags_rule", pct=round(kpis.FLAG_RATIO * 100), min=kpis.MIN_NORMAL_SESSIONS))
if view.flags:
    st.dataframe(kpis.flags_frame(view.flags, lang), hide_index=True, key="kpis_flags")
else:
    st.success(t("kpis.flags_none"))
