import streamlit as st

from lib.web.ui import guard

user = guard("incident_report")

import datetime as dt  # noqa: E402

import pandas as pd  # noqa: E402

from lib import incidents as inc  # noqa: E402
from lib import incidents_charts as charts  # noqa: E402
from lib.web import (  # noqa: E402
    now,  # noqa: E402
    to_csv_bytes,
    to_xlsx_bytes,
)
from lib.web.i18n import t  # noqa: E402
from lib.web.ui import cached, no_data  # noqa: E402

st.title(t("nav.incident_report"))
st.caption(t("incidents.report.method"))
as_of = now()
today = as_of.date()
period = st.date_input(
    t("incidents.filter.period"), value=(today - dt.timedelta(days=29), today), key="rep_period"
)
if not isinstance(period, tuple) or len(period) != 2:
    st.stop()  # the second date is still being picked
date_from, date_to = period
opts = cached(inc.filter_options, date_from, date_to)
with st.expander(t("incidents.filter.more"), icon=":material/filter_list:"):
    platforms = st.multiselect(t("incidents.filter.platform"), opts["platforms"], key="rep_platforms")
    rooms = st.multiselect(t("incidents.filter.room"), opts["rooms"], key="rep_rooms")
    hosts = st.multiselect(t("incidents.filter.host"), opts["hosts"], key="rep_hosts")
    categories = st.multiselect(t("incidents.form.category"), opts["categories"], key="rep_categories")
    severities = st.multiselect(
        t("incidents.form.severity"),
        inc.SEVERITIES,
        format_func=lambda s: t(f"incidents.severity.{s}"),
        key="rep_severities",
    )
    dept_names = dict(opts["departments"])
    departments = st.multiselect(
        t("incidents.form.department"), list(dept_names), format_func=dept_names.get, key="rep_departments"
    )
    handlers = st.multiselect(t("incidents.form.handler"), opts["handlers"], key="rep_handlers")
flt = inc.ReportFilter(
    date_from,
    date_to,
    tuple(platforms),
    tuple(rooms),
    tuple(hosts),
    tuple(categories),
    tuple(severities),
    tuple(departments),
    tuple(handlers),
)

totals = cached(inc.report, flt, None)
if not totals:
    no_data()
    st.stop()
total = totals[0]
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("incidents.report.total_count"), total["count"])
c2.metric(t("incidents.report.total_open"), total["open"])
c3.metric(
    t("incidents.report.total_resolve_p50"), "—" if total["resolve_p50"] is None else total["resolve_p50"]
)
c4.metric(
    t("incidents.report.total_attainment"),
    "—" if total["sla_attainment"] is None else f"{total['sla_attainment']:.2f}%",
)


def labelled(frame: pd.DataFrame, prefix: str = "incidents.field") -> pd.DataFrame:
    out = frame.copy()
    if "severity" in out:
        out["severity"] = out["severity"].map(lambda s: t(f"incidents.severity.{s}"))
    return out.rename(columns={c: t(f"{prefix}.{c}") for c in out.columns})


# One view at a time (a radio, not tabs): only the chosen view is computed on each run.
view = st.radio(
    t("incidents.report.view"),
    ("figures", "distribution", "trend", "departments", "timeline"),
    horizontal=True,
    format_func=lambda v: t(f"incidents.report.tab.{v}"),
    key="rep_view",
)
if view == "figures":
    by = st.selectbox(
        t("incidents.report.group_by"),
        inc.GROUP_BYS,
        format_func=lambda g: t(f"incidents.group.{g}"),
        key="rep_by",
    )
    figures = cached(inc.report_frame, flt, by)
    if by == "severity":
        figures["group"] = figures["group"].map(lambda s: t(f"incidents.severity.{s}"))
    figures["group"] = figures["group"].fillna(t("incidents.none"))  # e.g. no owner department
    st.dataframe(labelled(figures, "incidents.col"), hide_index=True, width="stretch")
elif view == "distribution":
    dist = cached(inc.resolve_distribution, flt)
    st.altair_chart(charts.resolve_distribution(dist)) if not dist.empty else no_data()
elif view == "trend":
    st.altair_chart(charts.weekly_trend(cached(inc.report_frame, flt, "week")), width="stretch")
elif view == "departments":
    st.altair_chart(
        charts.attainment_by_department(cached(inc.report_frame, flt, "department")), width="stretch"
    )
else:
    sessions = cached(inc.sessions_with_incidents, flt)
    if not sessions:
        no_data()
    else:
        sid = st.selectbox(
            t("incidents.report.pick_session"), list(sessions), format_func=sessions.get, key="rep_sid"
        )
        st.altair_chart(charts.session_timeline(cached(inc.session_incidents, sid), as_of), width="stretch")

BREACH_COLUMNS = [
    "id",
    "detected_at",
    "room",
    "host",
    "category",
    "severity",
    "department",
    "handler",
    "respond_minutes",
    "respond_sla",
    "resolve_minutes",
    "resolve_sla",
    "overtime_reason",
]
breaches = labelled(cached(inc.breaches, flt)[BREACH_COLUMNS])
missing = labelled(cached(inc.breaches, flt, True)[BREACH_COLUMNS[:-1]])
opened = cached(inc.open_incidents, flt, as_of.replace(second=0))
opened = labelled(
    opened[["id", "age_minutes", "detected_at", "room", "category", "severity", "department", "handler"]]
)
# Export units (lib.core.exports formats numbers by them); the SLAs are in minutes too.
MINUTES = ("respond_minutes", "resolve_minutes", "respond_sla", "resolve_sla", "age_minutes")
units = {t(f"incidents.field.{c}"): "min" for c in MINUTES} | {t("incidents.field.id"): "int"}
for title_key, frame, name in (
    ("incidents.report.breaches", breaches, "breaches"),
    ("incidents.report.missing_reasons", missing, "missing_reasons"),
    ("incidents.report.open", opened, "open"),
):
    st.subheader(f"{t(title_key)} ({len(frame)})")
    if frame.empty:
        no_data()
        continue
    if len(frame) >= inc.LIST_LIMIT:
        st.caption(t("incidents.report.truncated", n=inc.LIST_LIMIT))
    st.dataframe(frame, hide_index=True, width="stretch", height=min(38 + 35 * len(frame), 400))
    d1, d2 = st.columns(2)
    stem = f"incidents_{name}_{date_from}_{date_to}"
    # Files are built only when a button is clicked (callables), not on every rerun.
    d1.download_button(
        t("common.download_csv"),
        lambda f=frame: to_csv_bytes(f, units),
        f"{stem}.csv",
        "text/csv",
        key=f"csv_{name}",
    )
    d2.download_button(
        t("common.download_xlsx"),
        lambda f=frame, n=name: to_xlsx_bytes({n: f}, units),
        f"{stem}.xlsx",
        key=f"xlsx_{name}",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
