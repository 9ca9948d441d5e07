"""The KPI page's view code too big for the page: the filter box (state in the URL) folded under a
one-line summary, tiles (two per row on a phone), the ranked table with links into each row's own view and
its downloads. Texts from lib.kpis take the session's language."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit

import pandas as pd
import streamlit as st

from lib import kpis
from lib import targets as tg
from lib.core import exports
from lib.core.bounds import MAX_DATE, MIN_DATE
from lib.core.formatting import format_change, md_escape, table_format
from lib.core.metrics import metric
from lib.web.i18n import current_language, t
from lib.web.layout import phone_grid
from lib.web.ui import figure_tile, select_from, show_table, with_language

BADGE: dict[str, Literal["green", "orange", "red", "gray"]]
BADGE = {"green": "green", "amber": "orange", "red": "red", "no_data": "gray"}
FILTER_KEYS = ("platform", "room", "team", "host")
TILES_PER_ROW = 4  # on a desktop; two on a phone (lib.web.layout.phone_grid)
# A ranking row opens the page filtered to that row, ranked one level across: a host's rooms, a room's hosts.
DRILL_BY = {"host": "room", "room": "host", "team": "host", "platform": "room"}


# Select boxes start from the link through lib.web.ui.select_from (never the Session State API).
SELECTS = ("preset", "platform", "room", "team", "host", "metric")
LINK = "kpis_link"


def state_from_link(today: dt.date) -> None:
    """On the first run, the page's widgets start from the link; a bad custom period says so."""
    if LINK in st.session_state:
        return
    linked = kpis.view_from_params(st.query_params.to_dict(), today)
    if st.query_params.get("preset") == "custom" and linked["preset"] != "custom":
        bad = {k: md_escape(st.query_params.get(k, "")[:40]) for k in ("from", "to")}
        st.session_state["kpis_bad_link"] = bad
    st.session_state[LINK] = {k: v for k, v in linked.items() if k in SELECTS}
    for key, value in linked.items():
        if key not in SELECTS:
            st.session_state[f"kpis_{key}"] = value


def current(key: str) -> Any:
    """A select box's value this run: its own state once drawn, the link's before."""
    name = f"kpis_{key}"
    return st.session_state[name] if name in st.session_state else st.session_state[LINK].get(key)


def _select(label: str, options: list[Any], key: str, **kw: Any) -> Any:
    return select_from(label, options, f"kpis_{key}", st.session_state[LINK].get(key), **kw)


def bad_link_warning() -> None:
    bad = st.session_state.pop("kpis_bad_link", None)
    if bad:
        st.warning(t("bounds.bad_period", start=bad["from"], end=bad["to"], min=MIN_DATE, max=MAX_DATE))


def filter_summary(today: dt.date) -> str:
    """What the filter box applies, in one line (its folded label): read from the widgets' state, which
    holds this run's values before the widgets draw."""
    lang = current_language()
    state = st.session_state
    preset = current("preset") or "this_month"
    if preset == "custom":
        start, end = state.get("kpis_from"), state.get("kpis_to")
    else:
        start, end = kpis.preset_range(preset, today)
    chosen = [md_escape(kpis.choice_label(k, current(k), lang)) for k in FILTER_KEYS if current(k)]
    return t(
        "kpis.filters_summary",
        preset=t(f"kpis.preset_{preset}"),
        start=start,
        end=end,
        filters=" · ".join(chosen) or t("kpis.filters_none"),
    )


def period_inputs(today: dt.date) -> tuple[str, dt.date, dt.date]:
    """Preset and both ends (custom: two date inputs); stops the page on a reversed range."""
    c = st.columns(3)
    with c[0]:
        preset = _select(
            t("kpis.preset"), list(kpis.PRESETS), "preset", format_func=lambda p: t(f"kpis.preset_{p}")
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
    return preset, start, end


def choice_inputs(options: dict[str, list[str]]) -> dict[str, str]:
    """Platform, room, team and host boxes (a linked value not in the range stays selectable)."""
    lang = current_language()
    choices = {}
    for col, key in zip(st.columns(4), FILTER_KEYS, strict=True):
        value = current(key) or ""
        values = ["", *options[key], *([value] if value and value not in options[key] else [])]
        with col:
            choices[key] = _select(
                t(f"kpis.{key}"), values, key, format_func=lambda v, k=key: kpis.choice_label(k, v, lang)
            )
    return choices


def view_inputs() -> dict[str, str]:
    """Trend granularity, what the ranking groups by, the trend's metric."""
    lang = current_language()
    g = st.columns(3)
    gran = g[0].segmented_control(
        t("kpis.granularity"),
        ("session", *kpis.TIME_GROUPS),
        key="kpis_gran",
        format_func=lambda v: t(f"kpis.gran.{v}"),
    )
    rank_by = g[1].segmented_control(
        t("kpis.rank_by"), kpis.RANK_GROUPS, key="kpis_by", format_func=lambda v: t(f"kpis.by.{v}")
    )
    with g[2]:
        trend_metric = _select(
            t("kpis.trend_metric"),
            list(kpis.TREND_METRICS),
            "metric",
            format_func=lambda k: metric(k).name(lang),
        )
    return {"gran": gran or "day", "by": rank_by or "host", "metric": trend_metric}


def sync_link(state: dict[str, Any]) -> None:
    """Keep the link in step with the widgets so it can be shared."""
    wanted = with_language(kpis.params_from_view(state))
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def tiles(view: kpis.KpiView) -> None:
    """The period's tiles, row by row (so a phone's two per row keep their order)."""
    lang = current_language()
    compared = view.compared  # kpi_view always sets it
    help_text = kpis.compare_text("kpis.mom_help", compared, view.compare_kind, lang) if compared else ""
    with phone_grid("kpis_tiles"):
        for i, tile in enumerate(view.tiles):
            if i % TILES_PER_ROW == 0:
                cols = st.columns(TILES_PER_ROW)
            tile_box(cols[i % TILES_PER_ROW], tile, lang, help_text)


def tile_box(col: Any, tile: dict[str, Any], lang: str, help_text: str) -> None:
    with col, st.container(border=True, key=f"kpis_tile_{tile['metric']}"):
        figure_tile(
            st,
            metric(tile["metric"]).name(lang),
            tile["metric"],
            tile["actual"],
            delta=format_change(tile["mom"]),
            help=f"{metric(tile['metric']).help(lang)}\n\n{help_text}",  # what it counts, then the span
        )
        st.caption(kpis.tile_caption(tile, lang))
        st.badge(tg.status_text(tile["status"], tile["target"], lang), color=BADGE[tile["status"]])


def drill_links(groups: pd.Series, rank_by: str, state: dict[str, Any]) -> list[str | None]:
    """Per ranking row, the KPI page's link filtered to that row (same period and filters) and ranked one
    level across; None for a row without a key (hosts without a team)."""
    links: list[str | None] = []
    # Every row's link differs only in its own key: the other parameters (and the language, which t() and
    # with_language read from the session) are encoded once, not once per row of a 2,500-host ranking.
    marker = "\x00group"
    shared = with_language(kpis.params_from_view({**state, rank_by: marker, "by": DRILL_BY[rank_by]}))
    encoded = [(k, None if v == marker else urlencode({k: v})) for k, v in shared.items()]
    key = quote_plus(rank_by)
    for group in groups:
        if group is None or group != group:
            links.append(None)
        elif str(group):
            own = f"{key}={quote_plus(str(group))}"  # urlencode of the one pair, without its per-call setup
            links.append("kpis?" + "&".join(own if part is None else part for _k, part in encoded))
        else:  # an empty key is left out of the query string: the whole view's link
            params = kpis.params_from_view({**state, rank_by: "", "by": DRILL_BY[rank_by]})
            links.append("kpis?" + urlencode(with_language(params)))
    return links


def pacing_columns() -> dict[str, Any]:
    """The ranking's GMV pacing columns: time gone as a percentage, the GMV needed a day in ¥."""
    return {
        t("targets.ranking.time_share"): st.column_config.NumberColumn(format="percent"),
        t("targets.ranking.needed_per_day"): st.column_config.NumberColumn(format=table_format("cny")),
    }


def open_tapped_row(event: Any, links: list[str | None]) -> None:
    """A tap on any cell of a ranking row opens that row's view in this tab (a link cell needed two taps
    on a phone: the first only selected it). The page's own widget state gives way to the row's link."""
    cells = (getattr(event, "selection", None) or {}).get("cells") or []
    row = cells[0][0] if cells else None
    link = links[row] if isinstance(row, int) and 0 <= row < len(links) else None
    if not link:
        return
    for key in [k for k in st.session_state if str(k).startswith("kpis_")]:  # LINK and the widgets
        del st.session_state[key]
    st.query_params.from_dict(dict(parse_qsl(urlsplit(link).query)))
    st.rerun()


def ranking_table(view: kpis.KpiView, rank_by: str, name: str, state: dict[str, Any]) -> None:
    """The ranked table (money and rates formatted; its first column opens a row's own view) and its
    CSV / XLSX downloads, built when clicked."""
    lang = current_language()
    table = kpis.ranking_for_export(view.ranking, rank_by, lang)
    open_col = t("kpis.drill_open")
    shown = table.copy()
    links = drill_links(view.ranking["group"], rank_by, state)
    drill_text = t("kpis.drill_text")  # once: t() reads the session's language on every call
    shown.insert(0, open_col, [drill_text if link else None for link in links])
    money, pct, count = (
        st.column_config.NumberColumn(format=table_format("cny")),
        st.column_config.NumberColumn(format="percent"),
        st.column_config.NumberColumn(format=table_format("count")),
    )
    by_unit = {"pct": pct, "cny": money, "count": count, "people": count}
    config = {metric(k).name(lang): by_unit.get(metric(k).unit) for k in kpis.RANK_COLUMNS}
    config[metric("gmv_mom").name(lang)] = pct
    config[t("kpis.achievement")] = pct
    config[metric("avg_watch_seconds").name(lang)] = st.column_config.NumberColumn(
        format=f"%.0f {t('common.unit.s')}"
    )
    config[metric("duration_hours").name(lang)] = st.column_config.NumberColumn(
        format=f"%.2f {t('common.unit.h')}"
    )
    config.update(pacing_columns())
    config[open_col] = st.column_config.TextColumn(pinned=True)
    config[t(f"kpis.by.{rank_by}")] = st.column_config.Column(pinned=True)  # names stay in view on a phone
    # the column the rows are sorted by stays in view beside the names while the rest scrolls sideways
    config[metric("gmv").name(lang)] = st.column_config.NumberColumn(format=table_format("cny"), pinned=True)
    event = show_table(
        shown,
        column_config={k: v for k, v in config.items() if v},
        hide_index=True,
        key="kpis_table",
        on_select="rerun",
        selection_mode="single-cell",
    )
    open_tapped_row(event, links)
    d1, d2 = st.columns(2)
    sheet, units = t("kpis.ranking"), kpis.ranking_export_units(lang)
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
