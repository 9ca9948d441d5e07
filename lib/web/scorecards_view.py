"""The scorecards page's view code (pages/scorecards.py stays a thin script): a person's card with the rows
behind it, the month and quarter views for managers, the monthly figures form and the admin's editor."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from lib import scorecards as sc
from lib import settings, targets
from lib.core import forms
from lib.core.auth import CurrentUser
from lib.core.exports import to_xlsx_bytes
from lib.core.formatting import md_escape, stored_from_typed
from lib.web import form_ui, selfassess_view
from lib.web.i18n import t
from lib.web.ui import cached, cached_each, edit_table, engine, flash, month_picker, no_data, show_table

MANUAL_KEYS = ("sc_manual_month", "sc_manual_person", "sc_manual_metric", "sc_manual_value")
DEF_KEYS = ("sc_def_rows_", "sc_def_cap", "sc_def_band_", "sc_def_base")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def month_cards(month: str) -> list[sc.Card]:
    """Every card of `month`, scored once per data version."""
    cards: list[sc.Card] = cached(sc.score_month, month)
    return cards


def cards_of(months: Iterable[str]) -> dict[str, list[sc.Card]]:
    """The cards of each month, each month scored once per data version and read once per rerun: the
    month's tables, the trend, the quarters and the promotion flags share them instead of scoring again."""
    wanted = sorted(set(months))
    return dict(zip(wanted, cached_each(sc.score_month, [(m,) for m in wanted]), strict=True))


def show_card(month: str, person_id: int, lang: str, cards: list[sc.Card]) -> None:
    """One person's card (from the month's `cards`): every KPI and the rows it came from."""
    card = next((c for c in cards if c.person_id == person_id), None)
    if card is None:
        no_data("scorecards.no_card")
        return
    rows = cached(sc.card_rows, month, person_id, tuple(k["metric"] for k in card.kpis))
    st.subheader(t("scorecards.card_title", person=md_escape(card.person), month=month))
    position, team = sc.position_name(card.position, lang), md_escape(card.team or "—")
    st.caption(t("scorecards.card_caption", position=position, team=team, since=card.definition_from))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("scorecards.col.total"), "—" if card.total is None else f"{card.total:.2f}")
    c2.metric(t("scorecards.col.grade"), card.grade or "—")
    c3.metric(t("scorecards.col.rank"), "—" if card.rank is None else str(card.rank))
    if card.total is None:
        st.info(t("scorecards.all_no_data"), icon=":material/info:")
    elif card.rescaled:
        used = sum(k["weight"] for k in card.kpis if k["points"] is not None)
        st.info(t("scorecards.rescaled", used=f"{used:g}"), icon=":material/info:")
    show_table(sc.card_frame(card, lang), hide_index=True, key="sc_card_kpis")
    for kind, frame in rows.items():
        st.markdown(f"**{t(sc.ROW_LABELS[kind])}** ({len(frame)})")
        if frame.empty:
            no_data()
        else:
            show_table(sc.card_rows_frame(kind, frame, lang), hide_index=True, key=f"sc_rows_{kind}")
    if any(k["source"] == "survey" for k in card.kpis):
        st.caption(t("scorecards.rows.survey"))


def staff_view(user: CurrentUser, months: list[str], default_month: str, lang: str) -> None:
    """Staff: their own card and team score only; a link to someone else's card shows nothing of it."""
    month = st.selectbox(t("scorecards.month"), months, index=months.index(default_month), key="sc_month")
    asked = st.query_params.get("person")
    if asked and asked != str(user.person_id):
        st.warning(t("scorecards.only_own"))
    if user.person_id is None:
        st.info(t("scorecards.not_linked"), icon=":material/link_off:")
        return
    cards = month_cards(month)
    show_card(month, user.person_id, lang, cards)
    selfassess_view.section(user, month, user.person_id, user.display_name, lang)
    mine = next((c for c in cards if c.person_id == user.person_id), None)
    if mine is not None and mine.team:
        teams = sc.team_scores(cards)
        row = teams[teams["team"] == mine.team]
        if not row.empty:
            st.metric(
                t("scorecards.my_team", team=md_escape(mine.team)), f"{float(row.iloc[0]['score']):.2f}"
            )


def show_promotion(quarter: str, lang: str, by_month: dict[str, list[sc.Card]]) -> None:
    """People at or above the promotion bar in this quarter and the one before (`by_month`: at least
    `sc.promotion_months(quarter)`)."""
    bar = cached(sc.promotion_bar)
    st.subheader(t("scorecards.promotion", bar=f"{bar:g}"))
    flags = sc.promotion_flags_of(quarter, by_month, cached(sc.load_definitions), bar)
    if flags.empty:
        no_data("scorecards.no_promotion")
    else:
        show_table(sc.promotion_table(flags, lang), hide_index=True, key="sc_promotion")


def quarter_view(months: list[str], lang: str) -> None:
    quarters = list(dict.fromkeys(sc.quarter_of(m) for m in months))
    quarter = st.selectbox(t("scorecards.quarter"), quarters, key="sc_quarter")
    by_month = cards_of(sc.promotion_months(quarter))  # the quarter's and the one before's
    frame = sc.quarter_scores_of(quarter, by_month, cached(sc.load_definitions))
    if frame.empty:
        no_data()
    for pos in sc.POSITIONS:
        part = frame[frame["position"] == pos]
        if not part.empty:
            st.subheader(sc.position_name(pos, lang))
            show_table(sc.quarter_table(part, lang), hide_index=True, key=f"sc_q_{pos}")
    show_promotion(quarter, lang, by_month)


def position_tables(by_month: dict[str, list[sc.Card]], month: str, lang: str) -> None:
    """Each position's table (numbers formatted by unit) and its members' trend. Who is where first (name,
    total, grade, rank, change against last month, team); every KPI's columns on demand."""
    cards = by_month[month]
    trend = sc.trend_of({m: by_month[m] for m in sc.trend_months(month)})
    previous = {c.person_id: c.total for c in by_month[sc.shift_month(month, -1)]}
    detail = st.toggle(t("scorecards.show_detail"), key="sc_detail")
    for pos in sc.POSITIONS:
        group = [c for c in cards if c.position == pos]
        if not group:
            continue
        st.subheader(sc.position_name(pos, lang))
        table = sc.position_frame(group, lang, previous)
        formats = {
            c: st.column_config.NumberColumn(format=f) for c, f in sc.table_formats(group, lang).items()
        }
        formats[t("scorecards.col.person")] = st.column_config.TextColumn(pinned=True)
        show_table(
            table,
            hide_index=True,
            key=f"sc_table_{pos}",
            column_config=formats,
            column_order=None if detail else sc.lead_columns(table, lang),
        )
        lines = trend[(trend["position"] == pos) & trend["total"].notna()]
        if not lines.empty:
            st.altair_chart(sc.trend_chart(lines, lang), width="stretch")


def team_section(cards: list[sc.Card], lang: str) -> None:
    st.subheader(t("scorecards.teams"))
    best = sc.best_group(cards)
    if best is not None:
        text = t("scorecards.best_group", team=md_escape(best[0]), score=f"{best[1]:.2f}")
        st.success(text, icon=":material/star:")
    show_table(sc.team_table(sc.team_scores(cards), lang), hide_index=True, key="sc_teams")


def person_picker(cards: list[sc.Card], lang: str) -> int:
    """The person whose card is shown, kept in the URL."""
    names = {c.person_id: f"{c.person} · {sc.position_name(c.position, lang)}" for c in cards}
    asked = st.query_params.get("person", "")
    options = list(names)
    if "sc_person" not in st.session_state:
        st.session_state["sc_person"] = int(asked) if asked.isdigit() and int(asked) in names else options[0]
    person_id = st.selectbox(
        t("scorecards.pick_person"), options, key="sc_person", format_func=names.__getitem__
    )
    if str(person_id) != asked:
        st.query_params["person"] = str(person_id)
    return person_id


def month_view(user: CurrentUser, months: list[str], default_month: str, raw_month: str, lang: str) -> None:
    month = st.selectbox(t("scorecards.month"), months, index=months.index(default_month), key="sc_month")
    if month != raw_month:
        st.query_params["month"] = month
    quarter = sc.quarter_of(month)
    by_month = cards_of([*sc.trend_months(month), sc.shift_month(month, -1), *sc.promotion_months(quarter)])
    cards = by_month[month]
    if not cards:
        no_data()
        return
    st.download_button(
        t("common.download_xlsx"),
        lambda: to_xlsx_bytes(sc.export_sheets(cards, lang), sc.export_units(cards, lang)),
        f"scorecards_{month}.xlsx",
        mime=XLSX_MIME,
        key="sc_xlsx",
    )
    position_tables(by_month, month, lang)
    team_section(cards, lang)
    show_promotion(quarter, lang, by_month)
    st.divider()
    person_id = person_picker(cards, lang)
    show_card(month, person_id, lang, cards)
    person = next(c.person for c in cards if c.person_id == person_id)
    selfassess_view.section(user, month, person_id, person, lang)
    with st.expander(t("scorecards.manual.title"), icon=":material/edit_note:"):
        st.caption(t("scorecards.manual.caption"))
        if not form_ui.closed("manual_metric", clear=MANUAL_KEYS):
            manual_form(user, month, lang)


def manual_form(user: CurrentUser, month: str, lang: str) -> None:
    """A manager enters or corrects one monthly figure (percentages typed in %)."""
    everyone = {p.id: p.name for p in cached(sc.people)}
    with st.form("sc_manual_form"):
        f1, f2 = st.columns(2)
        m_month = month_picker(t("scorecards.month"), "sc_manual_month", month, ahead=0, container=f1)
        m_person = f2.selectbox(
            t("scorecards.col.person"),
            list(everyone),
            format_func=everyone.__getitem__,
            key="sc_manual_person",
        )
        g1, g2 = st.columns(2)
        m_metric = g1.selectbox(
            t("scorecards.col.kpi"),
            sc.MANUAL_KPIS,
            format_func=lambda k: sc.kpi_name(k, lang),
            key="sc_manual_metric",
        )
        m_value = g2.number_input(
            t("scorecards.manual.value"), value=None, format="%.4f", key="sc_manual_value"
        )
        st.caption(t("scorecards.manual.pct_hint"))
        if st.form_submit_button(t("common.save"), type="primary"):
            save_manual(user, m_month, m_person, m_metric, m_value, everyone, lang)


def save_manual(
    user: CurrentUser,
    month: str,
    person_id: int,
    metric: str,
    typed: float | None,
    everyone: dict[int, str],
    lang: str,
) -> None:
    """Save one monthly figure (a percentage typed in %); a refusal names the field."""
    value = stored_from_typed(typed, sc.SC_KPIS[metric].unit)
    try:
        form_ui.submit(
            "manual_metric",
            lambda token: sc.save_manual_metric(
                engine(), user.username, month, person_id, metric, value, token=token
            ),
            lambda _r: t("scorecards.manual.saved", person=md_escape(everyone[person_id]), month=month),
            MANUAL_KEYS,
        )
    except sc.ManualEntryError as exc:
        st.error(sc.error_text(exc, lang))
    else:
        st.rerun()


def admin_section(user: CurrentUser, this_month: str, lang: str) -> None:
    """Admins: the definitions (versioned by month) and the promotion bar."""
    st.divider()
    st.header(t("scorecards.admin.title"))
    st.caption(t("scorecards.admin.caption"))
    a1, a2 = st.columns(2)
    offered = cached(settings.active_position_keys)  # a retired position gets no new definition
    position = a1.selectbox(
        t("scorecards.admin.position"),
        [p for p in sc.POSITIONS if p in offered],
        format_func=lambda p: sc.position_name(p, lang),
        key="sc_def_pos",
    )
    # a definition starts this month or later (a month already scored keeps its definition)
    month_from = month_picker(
        t("scorecards.admin.month_from"), "sc_def_month", this_month, back=0, container=a2
    )
    if not form_ui.closed("scorecard_def", clear=DEF_KEYS, label_key="forms.edit_again"):
        definition_editor(user, position, month_from, this_month, lang)
    bar = st.number_input(t("scorecards.admin.bar"), value=cached(sc.promotion_bar), step=1.0, key="sc_bar")
    if st.button(t("scorecards.admin.save_bar"), key="sc_bar_save"):
        try:
            sc.set_promotion_bar(engine(), user.username, bar)
        except sc.ScorecardError as exc:
            st.error(sc.error_text(exc, lang))
        else:
            flash("scorecards.admin.bar_saved", bar=f"{bar:g}")


def definition_editor(user: CurrentUser, position: str, month_from: str, this_month: str, lang: str) -> None:
    # The version of this position's definition for this month when the editor loaded: a save by someone
    # else in between is refused instead of silently replaced.
    def_key = (position, month_from.strip())
    fresh_form = "sc_def_cap" not in st.session_state  # a new visit: nothing typed yet
    if fresh_form or st.session_state.get("sc_def_base", (None,))[0] != def_key:
        st.session_state["sc_def_base"] = (def_key, sc.definition_version(engine(), *def_key))
    base = st.session_state["sc_def_base"][1]
    shown_month = month_from if sc.MONTH_RE.match(month_from) else this_month
    current = sc.definition_for(cached(sc.load_definitions), position, shown_month)
    st.caption(
        t(
            "scorecards.admin.in_force",
            since=current.month_from,
            by=md_escape(current.set_by) if current.set_by else t("scorecards.admin.set_by_default"),
        )
    )
    edited = edit_table(
        sc.definition_table(current, lang),
        num_rows="dynamic",
        hide_index=True,
        key=f"sc_def_rows_{position}_{current.month_from}",
        column_config=editor_columns(lang),
    )
    st.caption(t("scorecards.admin.metrics_hint"))
    bands = dict(current.bands)
    b = st.columns(5)
    cap = b[0].number_input(t("scorecards.admin.cap"), value=current.cap * 100, step=5.0, key="sc_def_cap")
    band_values = {
        g: b[i + 1].number_input(
            t("scorecards.admin.band", grade=g), value=bands[g], step=1.0, key=f"sc_def_band_{g}"
        )
        for i, g in enumerate(sc.GRADES[:-1])
    }
    weights = pd.to_numeric(edited["weight"]).fillna(0).sum()
    st.caption(t("scorecards.admin.weights_now", total=f"{weights:g}"))
    if st.button(t("scorecards.admin.save"), type="primary", key="sc_def_save"):
        rows = edited.to_dict("records")
        save_definition(user, position, month_from, rows, cap, band_values, base, lang)


def editor_columns(lang: str) -> dict:
    """KPIs and target kinds picked by name; targets typed as the targets page takes them (3 = 3 %)."""
    return {
        "metric": st.column_config.SelectboxColumn(
            t("scorecards.col.kpi"),
            options=list(sc.SC_KPIS),
            format_func=lambda k: sc.kpi_name(str(k), lang),
            required=True,
        ),
        "unit": st.column_config.TextColumn(t("scorecards.admin.unit"), disabled=True),
        "weight": st.column_config.NumberColumn(t("scorecards.col.weight"), min_value=0, max_value=100),
        "kind": st.column_config.SelectboxColumn(
            t("scorecards.admin.target_kind"),
            options=list(targets.KINDS),
            format_func=lambda k: t(f"kpis.kind.{k}"),
        ),
        "value": st.column_config.NumberColumn(t("scorecards.admin.target_value"), format="%g"),
        "value_high": st.column_config.NumberColumn(t("scorecards.admin.target_high"), format="%g"),
    }


def save_definition(
    user: CurrentUser,
    position: str,
    month_from: str,
    rows: list[dict],
    cap: float,
    band_values: dict[str, float],
    base: int,
    lang: str,
) -> None:
    """Save the editor's definition; a refusal or a save by someone since the editor loaded is shown."""
    try:
        new = sc.definition_from_rows(position, month_from, rows, cap, band_values)
        form_ui.submit(
            "scorecard_def",
            lambda token: sc.save_definition(engine(), user.username, new, version=base, token=token),
            lambda _r: t(
                "scorecards.admin.saved", position=sc.position_name(position, lang), month=month_from.strip()
            ),
            DEF_KEYS,
        )
    except sc.ScorecardError as exc:
        st.error(sc.error_text(exc, lang))
    except forms.StaleEdit as exc:
        st.session_state.pop("sc_def_base", None)  # saving again is a deliberate replacement
        st.error(form_ui.stale_message(exc))
    else:
        st.rerun()
