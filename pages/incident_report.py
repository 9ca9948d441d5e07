import streamlit as st

from lib.web.ui import guard, pick_many, show_table

user = guard("incident_report")

from lib import incidents as inc  # noqa: E402
from lib.web import category_name, current_language, now  # noqa: E402
from lib.web.i18n import t  # noqa: E402
from lib.web.incidents_view import lists_section  # noqa: E402
from lib.web.layout import phone_grid  # noqa: E402
from lib.web.ui import cached, engine, no_data  # noqa: E402

lang = current_language()
st.title(t("nav.incident_report"))
st.caption(t("incidents.report.method"))
as_of = now()
today = as_of.date()
period = st.date_input(  # the last 30 days, or the period a link (the home page's) asks for
    t("incidents.filter.period"), value=inc.linked_period(st.query_params, today), key="rep_period"
)
if not isinstance(period, tuple) or len(period) != 2:
    st.stop()  # the second date is still being picked
date_from, date_to = period
opts = cached(inc.filter_options, date_from, date_to)
with st.expander(t("incidents.filter.more"), icon=":material/filter_list:"):
    platforms = pick_many(
        t("incidents.filter.platform"),
        opts["platforms"],
        format_func=lambda p: t(f"importing.platform.{p}"),
        key="rep_platforms",
    )
    rooms = pick_many(t("incidents.filter.room"), opts["rooms"], key="rep_rooms")
    hosts = pick_many(t("incidents.filter.host"), opts["hosts"], key="rep_hosts")
    categories = pick_many(
        t("incidents.form.category"),
        opts["categories"],
        format_func=lambda c: category_name(c, current_language()),
        key="rep_categories",
    )
    severities = pick_many(
        t("incidents.form.severity"),
        inc.SEVERITIES,
        format_func=lambda s: t(f"incidents.severity.{s}"),
        key="rep_severities",
    )
    dept_names = dict(opts["departments"])
    departments = pick_many(
        t("incidents.form.department"), list(dept_names), format_func=dept_names.get, key="rep_departments"
    )
    handlers = pick_many(t("incidents.form.handler"), opts["handlers"], key="rep_handlers")
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
with phone_grid("rep_headline"):  # two per row on a phone
    for col, (label, value) in zip(st.columns(4), inc.present.headline(totals[0], lang), strict=True):
        col.metric(label, value)

# One view at a time (a radio, not tabs): only the chosen view is computed on each run.
view = st.radio(
    t("incidents.report.view"),
    ("figures", "distribution", "trend", "departments", "timeline"),
    horizontal=True,
    format_func=lambda v: t(f"incidents.report.tab.{v}"),
    key="rep_view",
)
with st.container(key=f"rep_view_{view}"):  # each view its own block (a link or test can find it)
    if view == "figures":
        by = st.selectbox(
            t("incidents.report.group_by"),
            inc.GROUP_BYS,
            format_func=lambda g: t(f"incidents.group.{g}"),
            key="rep_by",
        )
        figures = inc.present.figures_table(cached(inc.report_frame, flt, by), by, lang)
        # The group, its SLA attainment and breaches first: what a phone shows without scrolling sideways.
        lead = [t(f"incidents.col.{c}") for c in ("group", "sla_attainment", "breaches")]
        show_table(
            figures,
            hide_index=True,
            width="stretch",
            column_order=[*lead, *(c for c in figures.columns if c not in lead)],
            column_config={lead[0]: st.column_config.TextColumn(pinned=True)},
        )
    elif view == "distribution":
        dist = cached(inc.resolve_distribution, flt)
        st.altair_chart(inc.charts.resolve_distribution(dist, lang)) if not dist.empty else no_data()
    elif view == "trend":
        st.altair_chart(inc.charts.weekly_trend(cached(inc.report_frame, flt, "week"), lang), width="stretch")
    elif view == "departments":
        st.altair_chart(
            inc.charts.attainment_by_department(cached(inc.report_frame, flt, "department"), lang),
            width="stretch",
        )
    else:
        sessions = cached(inc.sessions_with_incidents, flt)
        if not sessions:
            no_data()
        else:
            sid = st.selectbox(
                t("incidents.report.pick_session"), list(sessions), format_func=sessions.get, key="rep_sid"
            )
            timeline = inc.charts.session_timeline(cached(inc.session_incidents, sid), as_of, lang)
            st.altair_chart(timeline, width="stretch")

# Each list's first rows (one more than shown: there are more); its downloads read the whole list on a click.
as_of_minute = as_of.replace(second=0)
shown = {
    name: cached(inc.report_list, name, flt, as_of_minute, inc.LIST_SHOWN + 1)
    for _, name in inc.present.LISTS
}
lists_section(engine(), shown, flt, as_of_minute)
