"""Percentiles and the resolve-time histogram read from the roll-ups' duration histograms equal today's raw
computation (window functions over every duration, the raw 1-minute binning): for random incidents with
second-level durations across every kind of bin, ties, open and unanswered incidents, any filter and group
the roll-ups serve, on every database; and by hand for the edge cases."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import incidents as inc
from lib.core.models import IncidentRollup
from tests.conftest import wipe
from tests.incidents.incidents_testdata import add, dept_ids

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DAY0 = dt.datetime(2026, 11, 2)
CATEGORIES = ("网络中断", "价格异常", "负面评论/舆情")
# bin edges and their neighbours (10 s bins to 10 min, 1 min bins to an hour, one bin above)
EDGES = (0, 1, 9, 10, 11, 59, 60, 61, 599, 600, 601, 659, 660, 3599, 3600, 3601, 7200, 86400)
# days from DAY0 on either side of a month's first day (Oct 31, Nov 1, Nov 30, Dec 1): the month roll-up's edges
MONTH_EDGE_DAYS = (-2, -1, 28, 29)
seconds = st.one_of(st.sampled_from(EDGES), st.integers(0, 900), st.integers(0, 5000))


@st.composite
def incident(draw) -> dict:
    day = draw(st.one_of(st.integers(0, 9), st.sampled_from(MONTH_EDGE_DAYS)))
    detected = DAY0 + dt.timedelta(days=day, seconds=draw(st.integers(0, 86399)))
    respond = draw(st.one_of(st.none(), seconds))
    resolve = None if respond is None else draw(st.one_of(st.none(), seconds))
    responded = None if respond is None else detected + dt.timedelta(seconds=respond)
    resolved = None if resolve is None or responded is None else responded + dt.timedelta(seconds=resolve)
    return {
        "category": draw(st.sampled_from(CATEGORIES)),
        "severity": draw(st.sampled_from(inc.SEVERITIES)),
        "detected_at": detected,
        "responded_at": responded,
        "resolved_at": resolved,
        "dept": draw(st.integers(0, 2)),
        "handler_name": "吴昊",
    }


def _store(engine, rows: list[dict]) -> None:
    ids = sorted(dept_ids(engine).values())
    add(
        engine,
        [
            {**{k: v for k, v in r.items() if k != "dept"}, "owner_department_id": ids[r["dept"]]}
            for r in rows
        ],
    )


def _raw_percentiles(engine, flt: inc.ReportFilter, by: str | None) -> dict:
    q = inc.IncidentQuery(inc.dialect_of(engine))
    keys = [q.group_expr(by)] if by else []
    with engine.connect() as conn:
        return inc.sql_percentiles(
            conn, q, q.where(flt), keys, {"respond": q.respond_s, "resolve": q.resolve_s}
        )


def _from_bins(engine, flt: inc.ReportFilter, by: str | None) -> dict | None:
    q = inc.IncidentQuery(inc.dialect_of(engine))
    with engine.connect() as conn:
        return inc.rollup_percentiles(conn, q, flt, by)


def _without_histograms(monkeypatch, call):
    rollup = importlib.import_module("lib.incidents.rollup")
    with monkeypatch.context() as patched:
        patched.setattr(rollup, "serves_histograms", lambda *_: False)
        return call()


@PROPERTY
@given(
    rows=st.lists(incident(), min_size=0, max_size=40),
    ties=st.lists(st.sampled_from(EDGES[:8]), max_size=8),
    start=st.one_of(st.integers(0, 9), st.sampled_from((-32, -1))),  # from Oct 1 or Nov 1: whole months
    length=st.one_of(st.integers(0, 9), st.sampled_from((29, 30, 60))),
    cats=st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True),
    sevs=st.lists(st.sampled_from(inc.SEVERITIES), max_size=2, unique=True),
    dept=st.booleans(),
    by=st.sampled_from((None, "category", "severity", "department", "week")),
)
def test_percentiles_from_the_histograms_equal_the_raw_ranking(
    engine, monkeypatch, rows, ties, start, length, cats, sevs, dept, by
) -> None:
    wipe(engine)
    # many equal durations in one group, so ranks fall inside runs of ties
    tied = [_one(DAY0 + dt.timedelta(hours=1), s, 2 * s) for s in ties]
    _store(engine, rows + tied)
    first = (DAY0 + dt.timedelta(days=start)).date()
    flt = inc.ReportFilter(
        first,
        first + dt.timedelta(days=length),
        categories=tuple(cats),
        severities=tuple(sevs),
        department_ids=(sorted(dept_ids(engine).values())[0],) if dept else (),
    )
    expected = _raw_percentiles(engine, flt, by)
    got = _from_bins(engine, flt, by)
    assert got is not None
    # the same groups with a value, the same floats (None for a measure a group has no value of)
    assert {k: v for k, v in got.items() if any(x is not None for m in v.values() for x in m)} == expected
    assert inc.report(engine, flt, by) == _without_histograms(
        monkeypatch, lambda: inc.report(engine, flt, by)
    )
    histogram = inc.resolve_distribution(engine, flt)
    raw = _without_histograms(monkeypatch, lambda: inc.resolve_distribution(engine, flt))
    assert histogram.to_dict("records") == raw.to_dict("records")
    resolved_in = sum(1 for r in rows + tied if r["resolved_at"] is not None and _matches(r, flt, engine))
    assert int(histogram["count"].sum()) == resolved_in  # not vacuous: every resolved incident is binned


def _matches(row: dict, flt: inc.ReportFilter, engine) -> bool:
    ids = sorted(dept_ids(engine).values())
    return (
        flt.date_from <= row["detected_at"].date() <= flt.date_to
        and (not flt.categories or row["category"] in flt.categories)
        and (not flt.severities or row["severity"] in flt.severities)
        and (not flt.department_ids or ids[row["dept"]] in flt.department_ids)
    )


def _one(detected: dt.datetime, respond_s: int | None, resolve_s: int | None, **kw) -> dict:
    responded = None if respond_s is None else detected + dt.timedelta(seconds=respond_s)
    return {
        "category": "网络中断",
        "severity": "simple",
        "detected_at": detected,
        "responded_at": responded,
        "resolved_at": None if resolve_s is None else detected + dt.timedelta(seconds=resolve_s),
        "dept": 0,
        "handler_name": "吴昊",
        **kw,
    }


DAY = DAY0.date()


def test_an_empty_period_has_no_percentiles(engine) -> None:
    _store(engine, [_one(DAY0, 30, 90)])
    later = inc.ReportFilter(DAY + dt.timedelta(days=5), DAY + dt.timedelta(days=6))
    assert _from_bins(engine, later, None) == {} == _raw_percentiles(engine, later, None)
    assert inc.report(engine, later) == []
    assert inc.resolve_distribution(engine, later).empty


def test_one_incident_is_its_own_median_and_p90(engine) -> None:
    _store(engine, [_one(DAY0, 125, 4000)])
    got = _from_bins(engine, inc.ReportFilter(DAY, DAY), None)
    assert got == {(): {"respond": [125.0, 125.0], "resolve": [4000.0, 4000.0]}}


def test_ties_and_open_incidents(engine) -> None:
    # resolve [61, 61, 61, 61, 700] (two open incidents left out): p50 61, p90 at rank 3.6 -> 61 + 0.6 * 639
    rows = [_one(DAY0 + dt.timedelta(minutes=i), 5, 61) for i in range(4)]
    rows += [_one(DAY0, 5, 700), _one(DAY0, 5, None), _one(DAY0, None, None)]
    got = _from_bins(engine, inc.ReportFilter(DAY, DAY), None) if not _store(engine, rows) else None
    assert got is not None
    assert got[()]["resolve"] == [61.0, pytest.approx(61 + 0.6 * 639)]
    assert got[()]["respond"] == [5.0, 5.0]  # six answered incidents, the open one among them
    assert got == _raw_percentiles(engine, inc.ReportFilter(DAY, DAY), None)


def test_resolve_minutes_fall_in_their_minute_and_the_last_bin_is_open(engine) -> None:
    durations = (0, 59, 60, 599, 600, 3599, 3600, 3 * 3600)
    _store(engine, [_one(DAY0, 0, s) for s in durations])
    dist = inc.resolve_distribution(engine, inc.ReportFilter(DAY, DAY))
    assert dict(zip(dist["minute"], dist["count"], strict=True)) == {0: 2, 1: 1, 9: 1, 10: 1, 59: 1, 60: 2}
    assert set(dist["sla_minutes"]) == {5.0}  # the generic simple SLA


@pytest.mark.parametrize(
    "changed",
    [("resolve_b020",), ("resolve_b020", "resolve_c02")],
    ids=["bin without its bucket", "bin and bucket without the raw row"],
)
def test_a_histogram_out_of_step_falls_back_to_the_raw_ranking(engine, changed) -> None:
    _store(engine, [_one(DAY0, 30, s) for s in (100, 200, 300)])
    flt = inc.ReportFilter(DAY, DAY)
    expected = _raw_percentiles(engine, flt, None)
    assert _from_bins(engine, flt, None) == expected
    with engine.begin() as conn:  # as if a write committed between two reads: one more around 200 s
        conn.execute(sa.update(IncidentRollup).values({c: IncidentRollup.c[c] + 1 for c in changed}))
    assert _from_bins(engine, flt, None) is None
    rows = inc.report(engine, flt)
    assert rows[0]["resolve_p50"] == round(expected[()]["resolve"][0] / 60, 2)
