"""岗位绩效考核: managers see every position's table (month or quarter), trends, team scores, the best
collaboration group, promotion flags and any person's card; staff see only their own card and team score.
Admins edit the scorecard definitions and the promotion bar at the bottom."""

import streamlit as st

from lib.web import clock
from lib.web.ui import guard

user = guard("scorecards")


import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402

from lib import scorecards as sc  # noqa: E402
from lib import scorecards_sources as scs  # noqa: E402
from lib.kpis import choice_label  # noqa: E402
from lib.targets import KINDS, month_of  # noqa: E402
from lib.web import (  # noqa: E402
    MAX_DATE,
    MIN_DATE,
    form_ui,  # noqa: E402
    forms,  # noqa: E402
    md_escape,  # noqa: E402
    month_ok,
    to_xlsx_bytes,  # noqa: E402
)
from lib.web.i18n import current_language, t  # noqa: E402
from lib.web.ui import cached, engine, flash, no_data, show_flash  # noqa: E402

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


def position_name(key: str) -> str:
    return t(f"scorecards.position.{key}")


def show_card(month: str, person_id: int) -> None:
    """One person's card: every KPI and the rows it came from."""
    data = cached(sc.card_for, month, person_id)
    if data is None:
        no_data("scorecards.no_card")
        return
    card = data["card"]
    st.subheader(t("scorecards.card_title", person=md_escape(card.person), month=month))
    st.caption(
        t(
            "scorecards.card_caption",
            position=position_name(card.position),
            team=md_escape(card.team or "—"),
            since=card.definition_from,
        )
    )
    c1, c2, c3 = st.columns(3)
    c1.metric(t("scorecards.col.total"), "—" if card.total is None else f"{card.total:.2f}")
    c2.metric(t("scorecards.col.grade"), card.grade or "—")
    c3.metric(t("scorecards.col.rank"), "—" if card.rank is None else str(card.rank))
    if card.total is None:
        st.info(t("scorecards.all_no_data"), icon=":material/info:")
    elif card.rescaled:
        used = sum(k["weight"] for k in card.kpis if k["points"] is not None)
        st.info(t("scorecards.rescaled", used=f"{used:g}"), icon=":material/info:")
    st.dataframe(sc.card_frame(card, lang), hide_index=True, key="sc_card_kpis")
    labels = {
        "sessions": "scorecards.rows.sessions",
        "incidents": "scorecards.rows.incidents",
        "manual": "scorecards.rows.manual",
    }
    for kind, frame in data["rows"].items():
        st.markdown(f"**{t(labels[kind])}** ({len(frame)})")
        if frame.empty:
            no_data()
        else:
            if kind == "manual":
                frame = frame.assign(metric=frame["metric"].map(lambda m: sc.kpi_name(m, lang)))
            if kind == "sessions":  # platforms by name, money and averages to cents as elsewhere
                frame = frame.assign(
                    platform=frame["platform"].map(lambda p: choice_label("platform", p, lang))
                )
                numbers = frame.select_dtypes("number").columns
                frame[numbers] = frame[numbers].round(2)
            if kind == "incidents":
                frame = frame.assign(severity=frame["severity"].map(lambda v: t(f"incidents.severity.{v}")))
            prefix = "incidents.field" if kind == "incidents" else "scorecards.field"
            frame = frame.rename(columns={c: t(f"{prefix}.{c}") for c in frame.columns})
            st.dataframe(frame, hide_index=True, key=f"sc_rows_{kind}")
    if any(k["source"] == "survey" for k in card.kpis):
        st.caption(t("scorecards.rows.survey"))


if not is_manager:
    # Staff: their own card only; a link to someone else's card shows nothing of it.
    month = st.selectbox(t("scorecards.month"), months, index=months.index(default_month), key="sc_month")
    asked = st.query_params.get("person")
    if asked and asked != str(user.person_id):
        st.warning(t("scorecards.only_own"))
    if user.person_id is None:
        st.info(t("scorecards.not_linked"), icon=":material/link_off:")
        st.stop()
    show_card(month, user.person_id)
    cards = cached(sc.score_month, month)
    mine = next((c for c in cards if c.person_id == user.person_id), None)
    if mine is not None and mine.team:
        teams = sc.team_scores(cards)
        row = teams[teams["team"] == mine.team]
        if not row.empty:
            st.metric(t("scorecards.my_team", team=mine.team), f"{float(row.iloc[0]['score']):.2f}")
    st.stop()


# How a KPI's actual and target show, by unit (the table keeps numbers, so it sorts and exports as numbers).
UNIT_FORMATS = {
    "pct": "percent",
    "cny": "¥%.2f",
    "s": "%.0f s",
    "h": "%.1f h",
    "min": "%.1f min",
    "score": "%.2f",
    "per10": "%.2f",
}


def table_formats(group: list, table: pd.DataFrame) -> dict:
    """column_config for a position table: each KPI's actual/target in its unit, achievement in %."""
    out = {
        c: st.column_config.NumberColumn(format="%.2f")
        for c in table.columns
        if c.endswith(t("scorecards.col.points")) or c == t("scorecards.col.total")
    }
    for k in group[0].kpis:
        name = sc.kpi_name(k["metric"], lang)
        unit = sc.SC_KPIS[k["metric"]].unit if k["metric"] in sc.SC_KPIS else "score"
        fmt = UNIT_FORMATS.get(unit, "%.0f")
        for col in ("actual", "target"):
            out[f"{name} · {t(f'scorecards.col.{col}')}"] = st.column_config.NumberColumn(format=fmt)
        out[f"{name} · {t('scorecards.col.achievement')}"] = st.column_config.NumberColumn(format="percent")
    return out


def show_promotion(quarter: str) -> None:
    """People at or above the promotion bar in this quarter and the one before."""
    st.subheader(t("scorecards.promotion", bar=f"{cached(sc.promotion_bar):g}"))
    flags = cached(sc.promotion_flags, quarter)
    if flags.empty:
        no_data("scorecards.no_promotion")
    else:
        flags = flags.assign(position=flags["position"].map(position_name)).drop(columns=["person_id"])
        st.dataframe(flags.round(2), hide_index=True, key="sc_promotion")


def quarter_view() -> None:
    quarters = list(dict.fromkeys(sc.quarter_of(m) for m in months))
    quarter = st.selectbox(t("scorecards.quarter"), quarters, key="sc_quarter")
    frame = cached(sc.quarter_scores, quarter)
    if frame.empty:
        no_data()
    for pos in sc.POSITIONS:
        part = frame[frame["position"] == pos].sort_values("rank", na_position="last")
        if part.empty:
            continue
        st.subheader(position_name(pos))
        shown = part.drop(columns=["person_id", "position"]).rename(
            columns={
                "person": t("scorecards.col.person"),
                "team": t("scorecards.col.team"),
                "quarter": t("scorecards.col.quarter"),
                "grade": t("scorecards.col.grade"),
                "rank": t("scorecards.col.rank"),
            }
        )
        st.dataframe(shown.round(2), hide_index=True, key=f"sc_q_{pos}")
    show_promotion(quarter)


def month_view() -> None:
    month = st.selectbox(t("scorecards.month"), months, index=months.index(default_month), key="sc_month")
    if month != raw_month:
        st.query_params["month"] = month
    cards = cached(sc.score_month, month)
    if not cards:
        no_data()
        return

    st.download_button(
        t("common.download_xlsx"),
        lambda: to_xlsx_bytes(sc.export_sheets(cards, lang), sc.export_units(cards, lang)),
        f"scorecards_{month}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="sc_xlsx",
    )
    trend = cached(sc.trend, month)
    for pos in sc.POSITIONS:
        group = [c for c in cards if c.position == pos]
        if not group:
            continue
        st.subheader(position_name(pos))
        table = sc.position_frame(group, lang)
        st.dataframe(table, hide_index=True, key=f"sc_table_{pos}", column_config=table_formats(group, table))
        lines = trend[(trend["position"] == pos) & trend["total"].notna()]
        if not lines.empty:
            chart = (
                alt.Chart(lines, title=t("scorecards.trend"))
                .mark_line(point=True)
                .encode(
                    x=alt.X("month:O", title=t("scorecards.month")),
                    y=alt.Y("total:Q", title=t("scorecards.col.total")),
                    color=alt.Color("person:N", title=t("scorecards.col.person")),
                    tooltip=["month", "person", alt.Tooltip("total:Q", format=".2f")],
                )
                .properties(height=220)
            )
            st.altair_chart(chart, width="stretch")

    st.subheader(t("scorecards.teams"))
    teams = sc.team_scores(cards)
    best = sc.best_group(cards)
    if best is not None:
        st.success(
            t("scorecards.best_group", team=md_escape(best[0]), score=f"{best[1]:.2f}"),
            icon=":material/star:",
        )
    st.dataframe(
        teams.round(2).rename(
            columns={
                "team": t("scorecards.col.team"),
                "members": t("scorecards.col.members"),
                "score": t("scorecards.col.team_score"),
            }
        ),
        hide_index=True,
        key="sc_teams",
    )

    quarter = sc.quarter_of(month)
    show_promotion(quarter)

    st.divider()
    names = {c.person_id: f"{c.person} · {position_name(c.position)}" for c in cards}
    asked = st.query_params.get("person", "")
    options = list(names)
    if "sc_person" not in st.session_state:
        st.session_state["sc_person"] = int(asked) if asked.isdigit() and int(asked) in names else options[0]
    person_id = st.selectbox(t("scorecards.pick_person"), options, key="sc_person", format_func=names.get)
    if str(person_id) != asked:
        st.query_params["person"] = str(person_id)
    show_card(month, person_id)

    with st.expander(t("scorecards.manual.title"), icon=":material/edit_note:"):
        st.caption(t("scorecards.manual.caption"))
        everyone = {p.id: p.name for p in cached(scs.people)}
        MANUAL_KEYS = ("sc_manual_month", "sc_manual_person", "sc_manual_metric", "sc_manual_value")
        if not form_ui.closed("manual_metric", clear=MANUAL_KEYS):
            with st.form("sc_manual_form"):
                f1, f2 = st.columns(2)
                m_month = f1.text_input(t("scorecards.month"), month, max_chars=7, key="sc_manual_month")
                m_person = f2.selectbox(
                    t("scorecards.col.person"),
                    list(everyone),
                    format_func=everyone.get,
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
                    is_pct = sc.SC_KPIS[m_metric].unit == "pct"
                    value = None if m_value is None else (m_value / 100 if is_pct else m_value)
                    try:
                        form_ui.submit(
                            "manual_metric",
                            lambda token: scs.save_manual_metric(
                                engine(),
                                user.username,
                                m_month.strip(),
                                m_person,
                                m_metric,
                                value,
                                token=token,
                            ),
                            lambda _r: t(
                                "scorecards.manual.saved",
                                person=md_escape(everyone[m_person]),
                                month=m_month.strip(),
                            ),
                            MANUAL_KEYS,
                        )
                    except scs.ManualEntryError as exc:
                        params = {k: md_escape(v) for k, v in exc.params.items()}
                        st.error(t(f"scorecards.manual.error.{exc.code}", **params))
                    else:
                        st.rerun()


mode = st.radio(
    t("scorecards.mode"),
    ("month", "quarter"),
    horizontal=True,
    key="sc_mode",
    format_func=lambda m: t(f"scorecards.mode_{m}"),
)
quarter_view() if mode == "quarter" else month_view()

if user.role != "admin":
    st.stop()

# --- admin: definitions (versioned by month) and the promotion bar ----------------------------------------
st.divider()
st.header(t("scorecards.admin.title"))
st.caption(t("scorecards.admin.caption"))
a1, a2 = st.columns(2)
edit_pos = a1.selectbox(
    t("scorecards.admin.position"), sc.POSITIONS, format_func=position_name, key="sc_def_pos"
)
month_from = a2.text_input(t("scorecards.admin.month_from"), this_month, max_chars=7, key="sc_def_month")


def definition_editor() -> None:
    # The version of this position's definition for this month when the editor loaded: a save by someone
    # else in between is refused instead of silently replaced.
    def_key = (edit_pos, month_from.strip())
    fresh_form = "sc_def_cap" not in st.session_state  # a new visit: nothing typed yet
    if fresh_form or st.session_state.get("sc_def_base", (None,))[0] != def_key:
        st.session_state["sc_def_base"] = (def_key, sc.definition_version(engine(), *def_key))
    base = st.session_state["sc_def_base"][1]
    current = sc.definition_for(
        cached(sc.load_definitions), edit_pos, month_from if sc.MONTH_RE.match(month_from) else this_month
    )
    st.caption(
        t("scorecards.admin.in_force", since=current.month_from, by=md_escape(current.set_by or "SPEC"))
    )
    rows = pd.DataFrame(
        [
            {
                "metric": k.metric,
                "weight": k.weight,
                "kind": k.target[0] if k.target else None,
                "value": k.target[1] if k.target else None,
                "value_high": k.target[2] if k.target else None,
            }
            for k in current.kpis
        ],
        columns=["metric", "weight", "kind", "value", "value_high"],
    )
    edited = st.data_editor(
        rows,
        num_rows="dynamic",
        hide_index=True,
        key=f"sc_def_rows_{edit_pos}_{current.month_from}",
        column_config={
            "metric": st.column_config.SelectboxColumn(
                t("scorecards.col.kpi"), options=list(sc.SC_KPIS), required=True
            ),
            "weight": st.column_config.NumberColumn(t("scorecards.col.weight"), min_value=0, max_value=100),
            "kind": st.column_config.SelectboxColumn(t("scorecards.admin.target_kind"), options=list(KINDS)),
            "value": st.column_config.NumberColumn(t("scorecards.admin.target_value"), format="%.4f"),
            "value_high": st.column_config.NumberColumn(t("scorecards.admin.target_high"), format="%.4f"),
        },
    )
    st.caption(t("scorecards.admin.metrics_hint", keys=", ".join(sc.SC_KPIS)))
    bands = dict(current.bands)
    b = st.columns(5)
    cap = b[0].number_input(t("scorecards.admin.cap"), value=current.cap * 100, step=5.0, key="sc_def_cap")
    band_values = {
        g: b[i + 1].number_input(
            t("scorecards.admin.band", grade=g), value=bands[g], step=1.0, key=f"sc_def_band_{g}"
        )
        for i, g in enumerate(sc.GRADES[:-1])
    }
    st.caption(
        t("scorecards.admin.weights_now", total=f"{pd.to_numeric(edited['weight']).fillna(0).sum():g}")
    )
    if st.button(t("scorecards.admin.save"), type="primary", key="sc_def_save"):
        try:
            kpis = []
            for i, r in enumerate(edited.to_dict("records"), start=1):
                if not r.get("metric"):
                    raise sc.ScorecardError("metric", row=i, value="")
                kind = r.get("kind") if isinstance(r.get("kind"), str) and r.get("kind") else None
                value = None if pd.isna(r.get("value")) else float(r["value"])
                high = None if pd.isna(r.get("value_high")) else float(r["value_high"])
                if kind and value is None:
                    raise sc.ScorecardError("target", row=i, value=kind)
                weight = 0.0 if pd.isna(r.get("weight")) else float(r["weight"])
                kpis.append(sc.KpiDef(r["metric"], weight, (kind, value, high) if kind else None))
            new = sc.Definition(
                edit_pos,
                month_from.strip(),
                tuple(kpis),
                cap / 100,
                tuple((g, float(band_values[g])) for g in sc.GRADES[:-1]),
            )
            form_ui.submit(
                "scorecard_def",
                lambda token: sc.save_definition(engine(), user.username, new, version=base, token=token),
                lambda _r: t(
                    "scorecards.admin.saved", position=position_name(edit_pos), month=month_from.strip()
                ),
                DEF_KEYS,
            )
        except sc.ScorecardError as exc:
            st.error(t(f"scorecards.error.{exc.code}", **{k: md_escape(v) for k, v in exc.params.items()}))
        except forms.StaleEdit as exc:
            st.session_state.pop("sc_def_base", None)  # saving again is a deliberate replacement
            st.error(form_ui.stale_message(exc))
        else:
            st.rerun()


DEF_KEYS = ("sc_def_rows_", "sc_def_cap", "sc_def_band_", "sc_def_base")
if not form_ui.closed("scorecard_def", clear=DEF_KEYS, label_key="forms.edit_again"):
    definition_editor()

bar = st.number_input(t("scorecards.admin.bar"), value=cached(sc.promotion_bar), step=1.0, key="sc_bar")
if st.button(t("scorecards.admin.save_bar"), key="sc_bar_save"):
    try:
        sc.set_promotion_bar(engine(), user.username, bar)
    except sc.ScorecardError as exc:
        st.error(t(f"scorecards.error.{exc.code}", **{k: md_escape(v) for k, v in exc.params.items()}))
    else:
        flash("scorecards.admin.bar_saved", bar=f"{bar:g}")
