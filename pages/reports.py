"""Managers: the weekly report (Monday to the chosen day) as PDF and XLSX; the weekly group message links
here with its day (?date=YYYY-MM-DD)."""

import streamlit as st

from lib import notify
from lib.web import bounds, clock
from lib.web.i18n import current_language, t
from lib.web.ui import engine, guard, show_table

user = guard("reports")
lang = current_language()
st.title(t("notify.reports.title"))
linked = bounds.parse_date(st.query_params.get("date"))
today = clock.today()
day = st.date_input(
    t("notify.reports.day"),
    value=linked if linked and linked <= today else today,
    max_value=today,
    key="rep_day",
)
start, end = notify.week_of(day)
st.caption(t("notify.reports.caption", start=start, end=end))
report = notify.weekly_report(engine(), day, user.role)
message = notify.weekly_message(engine(), report, lang)
with st.container(border=True, key="rep_summary"):
    for line in message.lines:
        st.text(line)
for name, frame in notify.weekly_frames(report, lang).items():
    if not frame.empty:
        st.subheader(name)
        show_table(frame, width="stretch")
st.download_button(
    t("notify.weekly.xlsx"), notify.weekly_xlsx(report, lang), f"weekly-{start}-{end}.xlsx", key="rep_xlsx"
)
if st.button(t("notify.reports.make_pdf"), key="rep_make_pdf", icon=":material/picture_as_pdf:"):
    try:
        pdf = notify.weekly_pdf(engine(), report, lang)
    except notify.NotifyError as exc:
        st.error(exc.message(lang))
    else:
        st.download_button(t("notify.weekly.pdf"), pdf, f"weekly-{start}-{end}.pdf", key="rep_pdf")
