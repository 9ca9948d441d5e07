"""The notify admin page's view code: channels (add, edit, disable, test with the platform's answer),
rules (add, on/off, preview exactly as sent), sends (open ones sent again in one click) and people's
mobile / chat user id for @-mentions. User text is shown by widgets that render no Markdown."""

from __future__ import annotations

import json
import re
from typing import Any

import streamlit as st

from lib import notify
from lib.core import clock, forms
from lib.core.auth import CurrentUser
from lib.core.db import write
from lib.core.formatting import md_escape
from lib.web import form_ui
from lib.web.i18n import current_language, t
from lib.web.ui import cached, engine, flash, show_table

CH_KEYS = ("nch_",)
RULE_KEYS = ("nru_",)


def _once(form: str, user: CurrentUser, action: Any, success_key: str, clear: tuple[str, ...]) -> None:
    """Run a change once per form token; a refusal is shown in the reader's language."""

    def write_once(token: str) -> None:
        with write(engine()) as conn:
            forms.claim(conn, token, form, user.username)
            action(conn)

    try:
        form_ui.submit(form, write_once, lambda _r: t(success_key), clear)
    except notify.NotifyError as exc:
        st.error(exc.message(current_language()))
    else:
        st.rerun()


def _answer(outcome: notify.Outcome) -> None:
    """The platform's answer (errcode / code) as it came, in a code block (never Markdown)."""
    if outcome.status == "sent":
        st.success(t("notify.test_sent", attempts=outcome.attempts), icon=":material/check_circle:")
    else:
        st.error(t(f"notify.status.{outcome.status}"), icon=":material/error:")
    st.code(outcome.answer, language=None)


def channels_tab(user: CurrentUser) -> None:
    lang = current_language()
    show_table(cached(notify.channels_frame, lang), width="stretch")
    with engine().connect() as conn:
        rows = notify.list_channels(conn)
    names = [r["name"] for r in rows]
    if names:
        chosen = st.selectbox(t("notify.col.name"), names, key="nch_pick")
        row = next(r for r in rows if r["name"] == chosen)
        if st.button(t("notify.send_test"), key="nch_test", icon=":material/send:"):
            _answer(notify.send_test(engine(), chosen, user.username))
        form = f"notify_channel_edit:{row['id']}"
        if not form_ui.closed(form, clear=("nch_edit",), label_key="forms.edit_again"):
            with st.form("nch_edit_form"):
                url = st.text_input(
                    t("notify.new_url"), type="password", key="nch_edit_url", help=t("notify.keep_help")
                )
                secret = st.text_input(
                    t("notify.new_secret"), type="password", key="nch_edit_secret", help=t("notify.keep_help")
                )
                active = st.checkbox(t("notify.col.active"), value=bool(row["active"]), key="nch_edit_active")
                if st.form_submit_button(t("common.save"), type="primary"):
                    changes = dict(url=url.strip() or None, secret=secret.strip() or None, active=active)
                    _once(
                        form,
                        user,
                        lambda c: notify.update_channel(c, row["id"], user.username, **changes),
                        "notify.saved",
                        ("nch_edit",),
                    )
    st.subheader(t("notify.add_channel"))
    if not form_ui.closed("notify_channel_add", clear=CH_KEYS):
        with st.form("nch_add_form"):
            name = st.text_input(t("notify.col.name"), key="nch_name", max_chars=64)
            kind = st.selectbox(
                t("notify.col.kind"),
                notify.KINDS,
                format_func=lambda k: t(f"notify.kind.{k}"),
                key="nch_kind",
            )
            url = st.text_input(t("notify.col.url"), type="password", key="nch_url")
            secret = st.text_input(
                t("notify.col.secret"), type="password", key="nch_secret", help=t("notify.secret_help")
            )
            language = st.selectbox(t("notify.col.language"), ("zh", "en"), key="nch_lang")
            if st.form_submit_button(t("notify.add_channel"), type="primary"):
                _once(
                    "notify_channel_add",
                    user,
                    lambda c: notify.add_channel(c, name, kind, url, secret, user.username, language),
                    "notify.added",
                    CH_KEYS,
                )


def rules_tab(user: CurrentUser) -> None:
    lang = current_language()
    show_table(cached(notify.rules_frame, lang), width="stretch")
    with engine().connect() as conn:
        rules = notify.list_rules(conn)
        names = [r["name"] for r in notify.list_channels(conn)]
    if rules:
        ids = [r["id"] for r in rules]
        rule_id = st.selectbox(
            t("notify.col.id"), ids, key="nru_pick", format_func=lambda i: _rule_label(rules, i)
        )
        rule = next(r for r in rules if r["id"] == rule_id)
        cols = st.columns(2)
        if cols[0].button(t("notify.turn_off" if rule["active"] else "notify.turn_on"), key="nru_toggle"):
            with write(engine()) as conn:
                notify.set_rule_active(conn, rule_id, not rule["active"], user.username)
            flash("notify.saved")
        if cols[1].button(t("notify.preview"), key="nru_preview", icon=":material/visibility:"):
            preview(rule_id)
    if not names:
        st.info(t("notify.no_channels"))
        return
    st.subheader(t("notify.add_rule"))
    if not form_ui.closed("notify_rule_add", clear=RULE_KEYS):
        with st.form("nru_add_form"):
            message = st.selectbox(
                t("notify.col.message"),
                notify.MESSAGES,
                format_func=lambda m: t(f"notify.message.{m}"),
                key="nru_message",
            )
            channel = st.selectbox(t("notify.col.channel"), names, key="nru_channel")
            at = st.text_input(t("notify.at"), key="nru_at", placeholder="09:30", max_chars=5)
            weekday = st.selectbox(
                t("notify.weekday_label"),
                (None, *range(1, 8)),
                format_func=lambda d: t(f"notify.weekday.{d}") if d else "—",
                key="nru_weekday",
            )
            audience = st.selectbox(
                t("notify.col.audience"),
                notify.AUDIENCES,
                index=1,
                format_func=lambda r: t(f"role.{r}"),
                key="nru_audience",
            )
            quiet = st.columns(2)
            q_from = quiet[0].text_input(
                t("notify.quiet_from"), key="nru_qfrom", placeholder="22:00", max_chars=5
            )
            q_to = quiet[1].text_input(t("notify.quiet_to"), key="nru_qto", placeholder="08:00", max_chars=5)
            if st.form_submit_button(t("notify.add_rule"), type="primary"):
                quiet_hours = (q_from.strip() or None, q_to.strip() or None)
                values = (message, channel, user.username, at.strip() or None, weekday, audience, quiet_hours)
                _once(
                    "notify_rule_add", user, lambda c: notify.add_rule(c, *values), "notify.added", RULE_KEYS
                )


def _rule_label(rules: list[dict[str, Any]], rule_id: int) -> str:
    r = next(x for x in rules if x["id"] == rule_id)
    message = t(f"notify.message.{r['message']}")
    return f"#{r['id']} {message} → {r['channel']}"


def preview(rule_id: int) -> None:
    """The message as the robot would get it now: a plain rendering, its @-mentions, and the JSON body."""
    message, body = notify.preview(engine(), rule_id)
    if message is None or body is None:  # both or neither
        st.info(t("notify.nothing_to_send"))
        return
    with st.container(border=True, key="notify_preview"):
        st.markdown(f"**{md_escape(message.title)}**")
        for line in message.lines:
            st.text(line)
        if message.mentions:
            st.text(" ".join("@" + p.name for p in message.mentions))
        for label, url in message.links:
            st.link_button(label, url)
    with engine().connect() as conn:
        rule = next(r for r in notify.list_rules(conn) if r["id"] == rule_id)
    st.caption(t("notify.platform_caption", kind=t(f"notify.kind.{rule['kind']}")))
    with st.container(border=True, key="notify_platform_view"):
        platform_view(body)
    st.caption(t("notify.body_caption"))
    st.code(json.dumps(body, ensure_ascii=False, indent=2), language="json")


_MENTION = re.compile(r"<@([^>]+)>|<at id=([^>]+)></at>")


def _chat_markdown(text: str) -> str:
    """A robot's Markdown as Streamlit may show it: mentions as @id, no LaTeX. User text in
    it was made inert when the message was built (lib.notify.inert): it holds no markup of its own."""
    text = _MENTION.sub(lambda m: "@" + (m.group(1) or m.group(2)), text)
    return text.replace("$", "＄").replace("\n", "  \n")


def platform_view(body: dict[str, Any]) -> None:
    """The message roughly as the group sees it: Markdown rendered, buttons as buttons, cards with a header."""
    if "markdown" in body:
        md = body["markdown"]
        st.markdown(_chat_markdown(md.get("content") or md.get("text", "")))
    elif "actionCard" in body:
        card = body["actionCard"]
        st.markdown(_chat_markdown(card["text"]))
        for btn in card["btns"]:
            st.link_button(btn["title"], btn["actionURL"])
    elif "card" in body:
        card = body["card"]
        st.markdown("**" + _chat_markdown(card["header"]["title"]["content"]) + "**")
        for element in card["elements"]:
            if element["tag"] == "div":
                st.markdown(_chat_markdown(element["text"]["content"]))
            for action in element.get("actions", []):
                st.link_button(action["text"]["content"], action["url"])
    elif "text" in body:
        st.text(body["text"]["content"])
    else:
        st.json(body)


def sends_tab(user: CurrentUser) -> None:
    lang = current_language()
    open_rows = notify.recent(engine(), notify.OPEN)
    if open_rows:
        st.subheader(t("notify.open_sends", n=len(open_rows)))
    for row in open_rows:
        with st.container(border=True, key=f"nsend_{row['id']}"):
            message, status = t(f"notify.message.{row['message']}"), t(f"notify.status.{row['status']}")
            st.text(f"#{row['id']} {message} → {row['channel']} · {status} · {row['claimed_at']:%m-%d %H:%M}")
            st.code(row["answer"] or "—", language=None)
            if st.button(t("notify.send_again"), key=f"nsend_again_{row['id']}", icon=":material/replay:"):
                try:
                    _answer(notify.send_again(engine(), row["id"], user.username))
                except notify.NotifyError as exc:
                    st.error(exc.message(lang))
    st.subheader(t("notify.recent_sends"))
    show_table(notify.sends_frame(engine(), lang), width="stretch")


def people_tab(user: CurrentUser) -> None:
    lang = current_language()
    with engine().connect() as conn:
        kinds = sorted({r["kind"] for r in notify.list_channels(conn)} - {"webhook"})
    for kind in kinds:
        missing = notify.unmentionable(engine(), kind)
        if missing:
            st.warning(
                t(
                    "notify.cannot_at",
                    kind=t(f"notify.kind.{kind}"),
                    n=len(missing),
                    names="、".join(md_escape(n) for n in missing),
                )
            )
    show_table(cached(notify.people_frame, lang), width="stretch")
    people = dict(notify.people_choices(engine()))
    if not people:
        return
    pid = st.selectbox(t("notify.col.name"), list(people), format_func=people.__getitem__, key="npe_pick")
    current = notify.person_ids(engine(), pid)
    form = f"notify_person:{pid}"
    if not form_ui.closed(form, clear=("npe_",), label_key="forms.edit_again"):
        with st.form("npe_form"):
            mobile = st.text_input(t("notify.col.mobile"), value=current["mobile"] or "", key="npe_mobile")
            user_id = st.text_input(
                t("notify.col.user_id"), value=current["user_id"] or "", key="npe_user_id"
            )
            if st.form_submit_button(t("common.save"), type="primary"):
                _once(
                    form,
                    user,
                    lambda c: notify.set_chat_ids(c, pid, mobile, user_id, user.username),
                    "notify.saved",
                    ("npe_",),
                )


def weekly_tab(user: CurrentUser) -> None:
    """This week's report as PDF and XLSX, made on request (the PDF takes seconds: fonts and a chart)."""
    st.caption(t("notify.weekly.download"))
    if st.button(t("notify.weekly.make"), key="nwk_make", icon=":material/picture_as_pdf:"):
        lang = current_language()
        report = notify.weekly_report(engine(), clock.today(), user.role)
        name = f"weekly-{report.start}-{report.end}"
        try:
            st.download_button(
                t("notify.weekly.pdf"),
                notify.weekly_pdf(engine(), report, lang),
                f"{name}.pdf",
                key="nwk_pdf",
            )
        except notify.NotifyError as exc:
            st.error(exc.message(lang))
        st.download_button(
            t("notify.weekly.xlsx"), notify.weekly_xlsx(report, lang), f"{name}.xlsx", key="nwk_xlsx"
        )
