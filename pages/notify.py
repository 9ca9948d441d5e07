"""Admin: chat-group robots (WeCom, DingTalk, Feishu, webhook), rules, the send log, and @-mention ids."""

import streamlit as st

from lib.web import notify_view
from lib.web.i18n import t
from lib.web.ui import guard, show_flash

user = guard("notify")
st.title(t("notify.title"))
st.caption(t("notify.caption"))
show_flash()

tab_channels, tab_rules, tab_sends, tab_people, tab_weekly = st.tabs(
    [
        t("notify.tab.channels"),
        t("notify.tab.rules"),
        t("notify.tab.sends"),
        t("notify.tab.people"),
        t("notify.tab.weekly"),
    ]
)
with tab_channels:
    notify_view.channels_tab(user)
with tab_rules:
    notify_view.rules_tab(user)
with tab_sends:
    notify_view.sends_tab(user)
with tab_people:
    notify_view.people_tab(user)
with tab_weekly:
    notify_view.weekly_tab(user)
