"""Issue 11 item 7: for the same scope and period every place that shows a figure shows the same number,
and each equals a plain-Python computation from the stored rows.

Random sessions (hypothesis) with missing fields, on several platforms, from roster hosts (one exported
under two nicknames) and a host not on the roster, in October and November 2026. Checked: the home page
(lib.kpis.overview), the KPI page view (tiles, ranking by host and platform, a platform filter), the `kpi`
command's JSON, the scorecard sources (a host's month sums and the card's session rows), the case card's
comparison with the host's previous sessions, and the KPI ranking's CSV and XLSX downloads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from lib import cases, cli, kpis, rollups
from lib import scorecards as src
from lib.core import exports
from lib.core.db import write
from lib.core.i18n import translate
from lib.core.metrics import METRICS
from lib.core.models import LiveSession, Person, Target
from lib.kpis import overview
from tests.conftest import wipe

NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
TODAY = dt.datetime(2026, 12, 1, 9)  # the home page's default period is then all of November, against October
PLATFORMS = ("douyin", "kuaishou", "taobao")
ROSTER = ("林晓雨", "王欣然")
# (exported host name, roster name or None): 林晓雨 also exports as 小雨; 路人甲 is not on the roster
HOSTS = (("林晓雨", "林晓雨"), ("小雨", "林晓雨"), ("王欣然", "王欣然"), ("路人甲", None))
REL = 1e-9

money = st.one_of(st.none(), st.integers(0, 30_000_000).map(lambda cents: cents / 100))
count = st.one_of(st.none(), st.integers(0, 20_000))
session = st.fixed_dictionaries(
    {
        "platform": st.sampled_from(PLATFORMS),
        "host": st.sampled_from(HOSTS),
        "day": st.one_of(st.dates(*NOV), st.dates(*OCT)),
        "gmv": money,
        "viewers": count,
        "buyers": st.one_of(st.none(), st.integers(0, 600)),
    }
)


# --- the plain-Python reference ----------------------------------------------------------------------


def total(rows: Iterable[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r[key] is not None]
    return sum(values) if values else None


def per_session(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r[key] is not None]
    return sum(values) / len(values) if values else None


def conversion(rows: Iterable[dict]) -> float | None:
    both = [r for r in rows if r["buyers"] is not None and r["viewers"] is not None]
    viewers = sum(r["viewers"] for r in both)
    return sum(r["buyers"] for r in both) / viewers if both and viewers else None


def host_of(row: dict) -> str:
    return row["host"][1] or row["host"][0]


def in_range(rows: list[dict], period: tuple[dt.date, dt.date]) -> list[dict]:
    return [r for r in rows if period[0] <= r["day"] <= period[1]]


def value_of(cell: object) -> float | None:
    """A frame cell as a number (NaN and None are no data)."""
    return None if cell is None or cell != cell else float(cell)


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == pytest.approx(b, rel=REL, abs=1e-9)


def check(where: str, shown: float | None, expected: float | None) -> None:
    assert same(shown, expected), f"{where}: shows {shown!r}, rows give {expected!r}"


# --- loading -------------------------------------------------------------------------------------------


def load(engine, rows: list[dict], gmv_target: float | None) -> dict[str, int]:
    wipe(engine)
    with write(engine) as conn:
        if gmv_target is not None:  # replaces the seeded default for November on
            conn.execute(
                insert(Target).values(
                    metric="gmv",
                    scope_kind="all",
                    scope_value="",
                    month_from="2026-11",
                    kind="at_least",
                    value=gmv_target,
                    period="session",
                    set_by="t",
                    set_at=dt.datetime(2026, 11, 1),
                )
            )
        for name in ROSTER:
            conn.execute(insert(Person).values(name=name, active=True))
        people = dict(conn.execute(select(Person.name, Person.id)).all())
        for i, r in enumerate(rows):
            started = dt.datetime.combine(r["day"], dt.time(8)) + dt.timedelta(minutes=i)  # distinct, ordered
            r["started_at"] = started
            r["id"] = conn.execute(
                insert(LiveSession).values(
                    platform=r["platform"],
                    account=f"acc_{r['platform']}",
                    room=f"{r['platform']} 直播间",
                    host_name=r["host"][0],
                    host_person_id=people.get(r["host"][1]),
                    started_at=started,
                    started_on=r["day"],
                    gmv=r["gmv"],
                    viewers=r["viewers"],
                    buyers=r["buyers"],
                )
            ).inserted_primary_key[0]
        # rows written straight into the table, as no import would: their roll-ups too (lib.rollups)
        rollups.rebuild_connection(conn)
    return people


def run_cli(capsys, *argv: str) -> object:
    assert cli.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def number(cell: object) -> float | None:
    """A downloaded cell as a number, whatever text format the file gives it ("" = no data)."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).replace(",", "").replace("¥", "").strip()
    if text.endswith("%"):
        return float(text[:-1]) / 100
    try:
        return float(text)
    except ValueError:
        return None  # "无数据" and the like


def downloads(table) -> list[list[dict]]:
    """The ranking's CSV and XLSX downloads read back as records (header -> cell)."""
    text = exports.to_csv_bytes(table).decode("utf-8-sig")
    from_csv = list(csv.DictReader(io.StringIO(text)))
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx_bytes({"s": table})), read_only=True)["s"]
    values = list(sheet.iter_rows(values_only=True))
    from_xlsx = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    return [from_csv, from_xlsx]


# --- the property --------------------------------------------------------------------------------------


# SQLite explores the data; PostgreSQL and MariaDB check their SQL dialects on fewer examples (CI time).
EXAMPLES = {"sqlite": 25}
SERVER_EXAMPLES = 8


def test_every_place_shows_the_same_figure(engine, capsys):
    examples = EXAMPLES.get(engine.dialect.name, SERVER_EXAMPLES)

    @settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        rows=st.lists(session, min_size=1, max_size=14),
        gmv_target=st.one_of(st.none(), st.integers(1, 200_000)),
    )
    def every_place(rows, gmv_target):
        same_figure_everywhere(engine, capsys, rows, gmv_target)

    every_place()


def same_figure_everywhere(engine, capsys, rows, gmv_target):
    people = load(engine, rows, gmv_target)
    nov, oct_ = in_range(rows, NOV), in_range(rows, OCT)

    # The home page: November against October.
    home = {t.metric: t for t in overview.overview_tiles(engine, TODAY)}
    for key, fn in (("gmv", total), ("viewers", total)):
        check(f"home {key}", home[key].actual, fn(nov, key))
        check(f"home {key} before", home[key].previous, fn(oct_, key))
    check("home sessions", home["sessions"].actual, len(nov))
    check("home conversion", home["conversion_rate"].actual, conversion(nov))
    check("home conversion before", home["conversion_rate"].previous, conversion(oct_))
    per_session_target = 100_000 if gmv_target is None else gmv_target  # the seeded default, else ours
    check("home gmv target", home["gmv"].target, per_session_target * len(nov))
    achieved = (
        None if not nov or total(nov, "gmv") is None else total(nov, "gmv") / (per_session_target * len(nov))
    )
    check("home gmv achievement", home["gmv"].achievement, achieved)

    # The KPI page for the same period: its tiles carry the same figures and targets.
    view = kpis.kpi_view(engine, kpis.Filters(*NOV), "day", "host")
    tiles = {t["metric"]: t for t in view.tiles}
    assert view.sessions == len(nov)
    for key in ("gmv", "viewers", "conversion_rate"):
        check(f"kpi tile {key}", tiles[key]["actual"], home[key].actual)
        target = tiles[key]["target"]
        check(f"kpi tile {key} target", None if target is None else target["value"], home[key].target)
        check(f"kpi tile {key} achievement", tiles[key]["achievement"], home[key].achievement)
    gmv_mom = None
    if total(nov, "gmv") is not None and total(oct_, "gmv"):
        gmv_mom = (total(nov, "gmv") - total(oct_, "gmv")) / total(oct_, "gmv")
    check("kpi tile gmv_mom", tiles["gmv_mom"]["actual"], gmv_mom)
    check("home gmv change", home["gmv"].change, gmv_mom)
    check("kpi tile gmv change", tiles["gmv"]["mom"], gmv_mom)

    # The `kpi` command: the month as one group, and per platform.
    [month] = run_cli(
        capsys, "kpi", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "month", "--json"
    ) or [None]
    if nov:
        check("kpi --json gmv", month["gmv"], total(nov, "gmv"))
        check("kpi --json conversion", month["conversion_rate"], conversion(nov))
        assert month["sessions"] == len(nov)
    by_platform = run_cli(
        capsys, "kpi", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "platform", "--json"
    )
    assert {p["group"] for p in by_platform} == {r["platform"] for r in nov}
    for p in by_platform:
        mine = [r for r in nov if r["platform"] == p["group"]]
        check(f"kpi --json {p['group']} gmv", p["gmv"], total(mine, "gmv"))
        check(f"kpi --json {p['group']} conversion", p["conversion_rate"], conversion(mine))
    if by_platform:  # the KPI page filtered to one platform agrees with the command's group
        p = by_platform[0]
        filtered = kpis.kpi_view(engine, kpis.Filters(*NOV, platform=p["group"]), "day", "platform")
        ftiles = {t["metric"]: t for t in filtered.tiles}
        check(f"kpi page {p['group']} gmv", ftiles["gmv"]["actual"], p["gmv"])
        check(f"kpi page {p['group']} conversion", ftiles["conversion_rate"]["actual"], p["conversion_rate"])

    # The ranking by host, and what its CSV and XLSX downloads hold.
    ranking = {g: r for g, r in zip(view.ranking["group"], view.ranking.to_dict("records"), strict=True)}
    assert set(ranking) == {host_of(r) for r in nov}
    for host, rec in ranking.items():
        mine = [r for r in nov if host_of(r) == host]
        check(f"ranking {host} gmv", value_of(rec["gmv"]), total(mine, "gmv"))
        check(f"ranking {host} conversion", value_of(rec["conversion_rate"]), conversion(mine))
    table = kpis.ranking_for_export(view.ranking, "host", "zh")
    host_col, gmv_col = translate("kpis.by.host", "zh"), METRICS["gmv"].name("zh")
    conv_col, n_col = METRICS["conversion_rate"].name("zh"), METRICS["sessions"].name("zh")
    for kind, records in zip(("csv", "xlsx"), downloads(table), strict=True):
        assert len(records) == len(ranking)
        for rec in records:
            mine = [r for r in nov if host_of(r) == rec[host_col]]
            check(f"{kind} {rec[host_col]} gmv", number(rec[gmv_col]), total(mine, "gmv"))
            check(f"{kind} {rec[host_col]} conversion", number(rec[conv_col]), conversion(mine))
            check(f"{kind} {rec[host_col]} sessions", number(rec[n_col]), len(mine))

    # The scorecard's sources for each roster host: the month's sums and the rows the card lists.
    facts = src.month_facts(engine, "2026-11", [])
    for name, pid in people.items():
        mine = [r for r in nov if r["host"][1] == name]
        person = src.PersonRow(pid, name, "host", None, None, None, None)
        card = src.card_sessions(engine, "2026-11", person).to_dict("records")
        card = [{k: value_of(v) for k, v in rec.items() if k in ("gmv", "viewers", "buyers")} for rec in card]
        assert len(card) == len(mine)
        sums = facts.person_sums.get(pid)
        for key, expected in (
            ("gmv", per_session(mine, "gmv")),
            ("viewers", per_session(mine, "viewers")),
            ("conversion_rate", conversion(mine)),
        ):
            shown = None if sums is None else src.session_actual(sums, key)
            check(f"scorecard {name} {key}", shown, expected)
            from_card = per_session(card, key) if key != "conversion_rate" else conversion(card)
            check(f"scorecard card rows {name} {key}", from_card, expected)

    # The case card: the latest session of each host against that host's previous five, per session.
    for host in {host_of(r) for r in rows}:
        mine = sorted((r for r in rows if host_of(r) == host), key=lambda r: r["started_at"])
        latest, before = mine[-1], mine[-1 - cases.PREVIOUS_SESSIONS : -1]
        [card] = cases.linked_sessions(engine, (latest["id"],))
        assert card["previous_count"] == len(before)
        check(f"case {host} gmv", card["metrics"]["gmv"], latest["gmv"])
        prev = {
            "gmv": per_session(before, "gmv"),
            "viewers": per_session(before, "viewers"),
            "conversion_rate": conversion(before),
        }
        for key, expected in prev.items():
            check(f"case {host} previous {key}", card["previous"][key], expected)
        old = prev["gmv"]
        change = None if old in (None, 0) or latest["gmv"] is None else (latest["gmv"] - old) / old
        check(f"case {host} gmv change", card["change"]["gmv"], change)
