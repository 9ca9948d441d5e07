"""The coarser roll-ups (per month x platform x room x host, per day x platform): kept equal to a fresh
GROUP BY of the raw sessions through random writes over several months, and the reader that puts the
whole months of a range on the month rows and the days around them on the day rows answers exactly what
lib.kpis `sums_query` answers over the raw sessions, on every database."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rollup_data import ACCOUNTS, HOSTS, assert_rollup_sums_equal_raw, csv_file, session_row

from lib import importing, rollups
from lib.core.metrics import SESSION_METRICS
from lib.core.models import LiveSession, SessionMonthRollup, SessionPlatformDayRollup
from lib.kpis import GROUPS, Filters
from lib.rollups.read import M, P, R, parts
from tests.conftest import wipe

ROSTER = "tests/samples/roster.csv"
DAY0 = dt.date(2026, 9, 20)  # the sessions run over ~3 months: whole months and the days around them
SPAN = 100
SETTINGS = settings(
    max_examples=30,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: a failure prints as found
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
METRIC_KEYS = tuple(m.key for m in SESSION_METRICS if m.inputs)
rows = st.lists(session_row(DAY0, SPAN), min_size=1, max_size=12, unique_by=lambda r: tuple(r.split(",")[:3]))


def _import(engine: sa.Engine, data: list[str], name: str) -> int | None:
    return importing.import_bytes(engine, csv_file(data), name, None).batch_id


operation = st.one_of(
    st.tuples(st.just("import"), rows),
    st.tuples(st.just("undo"), st.integers(0, 5)),
    st.tuples(st.just("alias"), st.sampled_from(HOSTS + ACCOUNTS)),
)


@SETTINGS
@given(ops=st.lists(operation, min_size=1, max_size=4))
def test_coarse_rollups_equal_a_fresh_computation_after_any_writes(engine, ops) -> None:
    wipe(engine)
    with open(ROSTER, "rb") as fh:
        batches = [importing.import_bytes(engine, fh.read(), "roster.csv", None).batch_id]
    for n, (kind, arg) in enumerate(ops):
        if kind == "import":
            batch = _import(engine, arg, f"douyin_coarse_{n}.csv")
            batches += [batch] if batch else []
        elif kind == "undo":
            try:
                importing.undo(engine, batches[arg % len(batches)], None)
            except importing.UndoError:
                pass  # refused (already undone, a later batch changed its rows): nothing changed
        else:
            with engine.connect() as conn:
                person = conn.execute(sa.select(sa.text("min(id)")).select_from(sa.text("people"))).scalar()
            try:
                importing.add_host_account(engine, person, "douyin", arg, None)
            except importing.ProfileError:
                pass  # the alias exists already
        assert rollups.check(engine) == [], (kind, arg)
    with engine.connect() as conn:  # not vacuous: the coarse rows hold every session
        raw = conn.execute(sa.select(sa.func.count()).select_from(LiveSession)).scalar()
        for table in (SessionMonthRollup, SessionPlatformDayRollup):
            assert (conn.execute(sa.select(sa.func.sum(table.c.sessions))).scalar() or 0) == raw


filters = st.builds(
    lambda start, length, platform, room, host, team: Filters(
        DAY0 + dt.timedelta(days=start), DAY0 + dt.timedelta(days=start + length), platform, room, team, host
    ),
    st.integers(-5, SPAN),
    st.integers(0, SPAN),
    st.sampled_from((None, "douyin", "kuaishou")),
    st.sampled_from((None, None, *ACCOUNTS, "nope")),
    st.sampled_from((None, None, *HOSTS, "nobody")),
    st.sampled_from((None, None, "A组", "no team")),
)


@SETTINGS
@given(
    data=rows,
    flt=filters,
    by=st.sampled_from([g for g in GROUPS if g != "session"] + ["all"]),
    keys=st.one_of(st.none(), st.lists(st.sampled_from(METRIC_KEYS), min_size=1, max_size=3, unique=True)),
    extras=st.booleans(),
)
def test_months_and_days_together_equal_the_raw_sums(engine, data, flt, by, keys, extras) -> None:
    assert_rollup_sums_equal_raw(engine, data, "douyin_coarse_read.csv", flt, by, keys, extras)


@given(start=st.integers(0, 400), length=st.integers(-2, 400), by=st.sampled_from(("host", "room", "day")))
def test_the_parts_cover_each_day_of_the_range_once(start, length, by) -> None:
    first = dt.date(2026, 1, 1) + dt.timedelta(days=start)
    last = first + dt.timedelta(days=length)
    flt = Filters(first, last, room="x")  # a room: not the platform-day roll-up's question
    covered: list[dt.date] = []
    for part in parts(flt, by, first, last):
        day = part.first
        while day <= part.last:
            if part.table is M:  # a month row holds each day of its month
                nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                covered += [day + dt.timedelta(days=i) for i in range((nxt - day).days)]
                day = nxt
            else:
                covered.append(day)
                day += dt.timedelta(days=1)
    expected = [first + dt.timedelta(days=i) for i in range(length + 1)]
    assert covered == expected


def test_which_rollup_answers_what() -> None:
    month = Filters(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert [p.table for p in parts(month, "host", month.date_from, month.date_to)] == [M]
    assert [p.table for p in parts(month, "day", month.date_from, month.date_to)] == [P]
    assert [p.table for p in parts(month, "all", month.date_from, month.date_to)] == [P]
    room = month._replace(room="x", date_from=dt.date(2026, 9, 20), date_to=dt.date(2026, 11, 3))
    assert [(p.table, p.first, p.last) for p in parts(room, "all", room.date_from, room.date_to)] == [
        (R, dt.date(2026, 9, 20), dt.date(2026, 9, 30)),
        (M, dt.date(2026, 10, 1), dt.date(2026, 10, 1)),
        (R, dt.date(2026, 11, 1), dt.date(2026, 11, 3)),
    ]
    assert [p.table for p in parts(room, "week", room.date_from, room.date_to)] == [R]
    short = Filters(dt.date(2026, 10, 3), dt.date(2026, 10, 30), host="x")
    assert [p.table for p in parts(short, "host", short.date_from, short.date_to)] == [R]


def test_check_reports_a_stale_month_row_and_rebuild_mends_it(engine) -> None:
    row = "林晓雨,xyjd2021,2026/10/02 20:00:00,2026/10/02 22:00:00,120,,3000,,,,,,,,,,,1000.50,30,,"
    assert _import(engine, [row], "douyin_stale.csv")
    assert rollups.check(engine) == []
    with engine.begin() as conn:  # a write that bypassed the maintained paths
        conn.execute(sa.update(SessionMonthRollup).values(sessions=5))
        conn.execute(sa.delete(SessionPlatformDayRollup))
    diffs = rollups.check(engine)
    assert {d["table"] for d in diffs} == {"session_month_rollups", "session_platform_day_rollups"}
    assert [d["sessions"] for d in diffs if d["table"] == "session_month_rollups"] == [[5, 1]]
    rollups.rebuild(engine)
    assert rollups.check(engine) == []
