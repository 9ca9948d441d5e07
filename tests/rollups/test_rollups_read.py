"""The roll-up read answers what lib.kpis `sums_query` answers over the raw sessions, for random periods,
filters, groups and metric subsets (and declines a per-session question)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rollup_data import ACCOUNTS, HOSTS, assert_rollup_sums_equal_raw, load_rows, same_value, session_row

from lib import kpis, rollups
from lib.core.metrics import SESSION_METRICS
from lib.core.models import SESSION_ROLLUP_MEASURES, SessionRollup
from lib.kpis import GROUPS, Filters, sum_columns

SETTINGS = settings(
    max_examples=40,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: a failure prints as found
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DAY0 = dt.date(2026, 11, 1)
METRIC_KEYS = tuple(m.key for m in SESSION_METRICS if m.inputs)


def test_the_rollup_table_has_every_kpi_sum() -> None:
    labels = [c.name for c in sum_columns(None, True)]
    assert (
        list(SESSION_ROLLUP_MEASURES) == labels
    )  # a new catalogue sum needs a roll-up column (and migration)
    assert [m.name for m in rollups.measures_of_sessions()] == labels


filters = st.builds(
    lambda start, length, platform, room, host, team: Filters(
        DAY0 + dt.timedelta(days=start), DAY0 + dt.timedelta(days=start + length), platform, room, team, host
    ),
    st.integers(0, 6),
    st.integers(0, 6),
    st.sampled_from((None, "douyin", "kuaishou")),
    st.sampled_from((None, *ACCOUNTS, "nope")),
    st.sampled_from((None, *HOSTS, "nobody")),
    st.sampled_from((None, "A组", "B组", "no team")),
)


@SETTINGS
@given(
    data=st.lists(session_row(), min_size=1, max_size=10, unique_by=lambda r: tuple(r.split(",")[:3])),
    flt=filters,
    by=st.sampled_from([g for g in GROUPS if g != "session"] + ["all"]),
    keys=st.one_of(st.none(), st.lists(st.sampled_from(METRIC_KEYS), min_size=1, max_size=3, unique=True)),
    extras=st.booleans(),
)
def test_rollup_sums_equal_kpis_sums_query(engine, users, data, flt, by, keys, extras) -> None:

    assert_rollup_sums_equal_raw(engine, data, "douyin_read.csv", flt, by, keys, extras)


@SETTINGS
@given(
    data=st.lists(session_row(), min_size=1, max_size=10, unique_by=lambda r: tuple(r.split(",")[:3])),
    start=st.integers(0, 6),
    length=st.integers(0, 35),  # a month and more: whole months come from the month roll-up
    keys=st.one_of(st.none(), st.lists(st.sampled_from(METRIC_KEYS), min_size=1, max_size=3, unique=True)),
)
def test_person_sums_are_the_raw_host_sums_of_roster_hosts(engine, users, data, start, length, keys) -> None:
    """by="person" (the scorecards' month sums, unfiltered): one row per roster person holding the raw
    host sums of that person added up, and no row for an exported host name that is not on the roster."""
    roster = load_rows(engine, data, "douyin_read.csv")
    flt = Filters(DAY0 + dt.timedelta(days=start), DAY0 + dt.timedelta(days=start + length))
    metric_keys = tuple(keys) if keys is not None else None
    with engine.connect() as conn:
        result = conn.execute(kpis.sums_query(flt, "host", roster, metric_keys=metric_keys))
        raw = pd.DataFrame([tuple(r) for r in result.all()], columns=list(result.keys()))
    raw = raw[raw["k_person"].notna()].drop(columns=["k_host_name"])
    for name in kpis.sum_names(raw):
        raw[name] = pd.to_numeric(raw[name]).astype("float64")
    expected = kpis.rollup(raw.astype({"k_person": int}), ["k_person"]) if not raw.empty else raw
    got = rollups.sums_frame(engine, flt, "person", roster, metric_keys=metric_keys)
    assert sorted(got.columns) == sorted(expected.columns)
    assert got["k_person"].notna().all()
    assert sorted(int(p) for p in got["k_person"]) == sorted(int(p) for p in expected["k_person"])
    by_person = {int(r["k_person"]): r for r in got.to_dict("records")}
    for row in expected.to_dict("records"):
        mine = by_person[int(row["k_person"])]
        bad = {k: (v, mine[k]) for k, v in row.items() if k != "k_person" and not same_value(v, mine[k])}
        assert not bad, bad


def test_a_per_session_question_is_not_the_rollups(engine) -> None:
    f = Filters(DAY0, DAY0)
    assert rollups.sums_query(f, "session", kpis.Roster()) is None
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SessionRollup)).scalar() == 0
