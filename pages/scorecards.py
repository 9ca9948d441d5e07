"""岗位绩效考核: managers see every position's table (month or quarter), trends, team scores, the best
collaboration group, promotion flags and any person's card; staff see only their own card and team score.
Admins edit the scorecard definitions and the promotion bar at the bottom."""

import streamlit as st

from lib.web import clock, month_of
from lib.web.ui import guard

user = guard("scorecards")


from lib import scorecards as sc  # noqa: E402
from lib.web import MAX_DATE, MIN_DATE, md_escape, month_ok  # noqa: E402
from lib.web import scorecards_view as view  # noqa: E402
from lib.web.i18n import current_language, t  # noqa: E402
from lib.web.ui import show_flash  # noqa: E402

lang = current_language()
is_manager = user.role in ("admin", "manager")
this_month = month_of(clock.today())

st.title(t("scorecards.title"))
st.caption(t("scorecards.caption"))
show_flash()

raw_month = st.query_params.get("month", "")
default_month = raw_month if month_ok(raw_month) else sc.shift_month(this_month, -1)
if raw_month and not month_ok(raw_month):  # 9999-12 would overflow the month's dates
    st.warning(t("bounds.bad_month", value=md_escape(raw_month[:40]), min=MIN_DATE.year, max=MAX_DATE.year))
months = [sc.shift_month(this_month, -i) for i in range(24)]
if default_month not in months:
    months.insert(0, default_month)

if not is_manager:
    view.staff_view(user, months, default_month, lang)
    st.stop()

mode = st.radio(
    t("scorecards.mode"),
    ("month", "quarter"),
    horizontal=True,
    key="sc_mode",
    format_func=lambda m: t(f"scorecards.mode_{m}"),
)
if mode == "quarter":
    view.quarter_view(months, lang)
else:
    view.month_view(user, months, default_month, raw_month, lang)

if user.role == "admin":
    view.admin_section(user, this_month, lang)
