"""The roll-up read answers what lib.kpis `sums_query` answers over the raw sessions, for random periods,
filters, groups and metric subsets (and declines a per-session question)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rollup_data import ACCOUNTS, HOSTS, assert_rollup_sums_equal_raw, session_row

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


def test_a_per_session_question_is_not_the_rollups(engine) -> None:
    f = Filters(DAY0, DAY0)
    assert rollups.sums_query(f, "session", kpis.Roster()) is None
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SessionRollup)).scalar() == 0
