"""The KPI figures read the roll-ups: `kpis.sums_by` (every tile, trend, ranking, comparison and the home
page's figures go through it) answers whole days from session_rollups, and the last day of a to-date period
(cut at a minute) from the raw rows; the sum of both equals the raw-table statement for any cut, group,
filter and metric subset."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rollup_data import ACCOUNTS, HOSTS, csv_file, same_value, session_row

from lib import importing, kpis
from lib.core.models import LiveSession
from lib.kpis import GROUPS, Filters, load_roster

ROSTER = "tests/samples/roster.csv"
DAY0 = dt.date(2026, 11, 2)
SETTINGS = settings(
    max_examples=25,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _raw(engine: sa.Engine, query) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame([tuple(r) for r in result.all()], columns=list(result.keys()))


def _records(frame: pd.DataFrame) -> list[dict]:
    keys = [c for c in frame.columns if c.startswith("k_")]
    rows = frame.to_dict("records")
    return sorted(rows, key=lambda r: tuple(str(None if pd.isna(r[k]) else r[k]) for k in keys))


cuts = st.builds(
    lambda start, length, hour, minute: (start, length, None if hour is None else dt.time(hour, minute)),
    st.integers(0, 3),
    st.integers(0, 3),
    st.one_of(st.none(), st.sampled_from((0, 9, 20, 23))),
    st.sampled_from((0, 15, 30, 59)),
)


@SETTINGS
@given(
    data=st.lists(session_row(), min_size=1, max_size=10, unique_by=lambda r: tuple(r.split(",")[:3])),
    cut=cuts,
    scope=st.tuples(
        st.sampled_from((None, "douyin")),
        st.sampled_from((None, *ACCOUNTS)),
        st.sampled_from((None, *HOSTS)),
        st.sampled_from((None, "A组")),
    ),
    by=st.sampled_from([g for g in GROUPS if g != "session"] + ["all"]),
    keys=st.sampled_from((None, ("gmv",), kpis.FLAG_SUMS, kpis.TILE_SUMS)),
    extras=st.booleans(),
)
def test_sums_by_equals_the_raw_statement_for_any_cut(
    engine, users, data, cut, scope, by, keys, extras
) -> None:
    from tests.conftest import wipe

    wipe(engine)
    with open(ROSTER, "rb") as fh:
        importing.import_bytes(engine, fh.read(), "roster.csv", None)
    importing.import_bytes(engine, csv_file(data), "douyin_wired.csv", None)
    start, length, at = cut
    last = DAY0 + dt.timedelta(days=start + length)
    until = None if at is None else dt.datetime.combine(last, at)
    platform, room, host, team = scope
    flt = Filters(DAY0 + dt.timedelta(days=start), last, platform, room, team, host, until=until)
    roster = load_roster(engine)
    got = _records(kpis.sums_by(engine, flt, by, roster, metric_keys=keys, extras=extras))
    want = _records(_raw(engine, kpis.sums_query(flt, by, roster, metric_keys=keys, extras=extras)))
    if by in kpis.TIME_GROUPS:  # the raw statement has no row for a day without sessions, nor has sums_by
        got = [r for r in got if r["sessions"]]
        want = [r for r in want if r["sessions"]]
    assert len(got) == len(want), (got, want)
    for g, w in zip(got, want, strict=True):
        assert set(g) == set(w)
        bad = {k: (g[k], w[k]) for k in w if not same_value(g[k], w[k])}
        assert not bad, bad


def test_whole_days_come_from_the_rollups_and_the_cut_day_from_raw_rows(engine, users) -> None:
    """A write that bypasses the maintained paths shows which source answers: the whole day keeps the
    roll-up's figure, the day cut at a minute shows the raw rows."""
    rows = [
        "林晓雨,xyjd2021,2026/11/02 20:00:00,2026/11/02 22:00:00,120,,3000,,,,,,,,,,,1000.50,30,,",
        "林晓雨,xyjd2021,2026/11/03 09:00:00,2026/11/03 10:00:00,60,,2000,,,,,,,,,,,500.00,20,,",
        "林晓雨,xyjd2021,2026/11/03 20:00:00,2026/11/03 21:00:00,60,,2000,,,,,,,,,,,700.00,20,,",
    ]
    importing.import_bytes(engine, csv_file(rows), "douyin_src.csv", users["admin"])
    with engine.begin() as conn:
        conn.execute(sa.update(LiveSession).values(gmv=1.0))
    roster = load_roster(engine)
    whole = kpis.sums_by(
        engine, Filters(DAY0, DAY0 + dt.timedelta(days=1)), "all", roster, metric_keys=("gmv",)
    )
    assert whole["gmv__gmv"].iloc[0] == 2200.5  # both whole days: the roll-ups (stale on purpose here)
    cut = Filters(DAY0, DAY0 + dt.timedelta(days=1), until=dt.datetime(2026, 11, 3, 12))
    part = kpis.sums_by(engine, cut, "all", roster, metric_keys=("gmv",))
    assert part["gmv__gmv"].iloc[0] == 1000.5 + 1.0  # 11-02 rolled up, 11-03 to 12:00 from the raw row
    assert part["sessions"].iloc[0] == 2
