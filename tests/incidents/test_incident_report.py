"""Durations, percentiles (numpy 'linear'), SLA attainment and lists, against hand-computed answers."""

from __future__ import annotations

import datetime as dt

import pytest

from lib import incidents as inc
from tests.incidents.incidents_testdata import T0, add, dept_ids, known_rows

DAY = T0.date()


def flt(**kw) -> inc.ReportFilter:
    return inc.ReportFilter(kw.pop("date_from", DAY), kw.pop("date_to", DAY), **kw)


def test_report_by_category_known_answers(engine):
    add(engine, known_rows(engine))
    rows = {r["group"]: r for r in inc.report(engine, flt(), by="category")}
    assert rows["网络中断"] == {
        "group": "网络中断",
        "count": 5,
        "open": 1,
        # respond [1, 2, 2, 2, 12]: p50 2, p90 at rank 3.6 -> 2 + 0.6 * 10 = 8.0
        "respond_p50": 2.0,
        "respond_p90": 8.0,
        # resolve [4, 4, 5, 14] (the open one left out): p50 4.5, p90 at rank 2.7 -> 5 + 0.7 * 9 = 11.3
        "resolve_p50": 4.5,
        "resolve_p90": 11.3,
        "resolve_max": 14.0,
        "sla_attainment": 75.0,
        "breaches": 1,
    }
    assert rows["负面评论/舆情"] == {
        "group": "负面评论/舆情",
        "count": 2,
        "open": 0,
        "respond_p50": 0.75,
        "respond_p90": 0.95,
        "resolve_p50": 3.25,
        "resolve_p90": 3.85,
        "resolve_max": 4.0,
        "sla_attainment": 50.0,
        "breaches": 1,
    }
    assert rows["价格异常"]["sla_attainment"] == 100.0  # 25 min is within the category's 30, not 10
    assert rows["价格异常"]["breaches"] == 0


def test_report_total_and_other_groupings(engine):
    add(engine, known_rows(engine))
    (total,) = inc.report(engine, flt())
    assert (total["group"], total["count"], total["open"], total["breaches"]) == ("all", 8, 1, 2)
    assert total["sla_attainment"] == round(100 * 5 / 7, 2)  # 5 met of 7 resolved
    # respond [0.5, 1, 1, 2, 2, 2, 5, 12]: p50 2, p90 at rank 6.3 -> 5 + 0.3 * 7 = 7.1
    assert (total["respond_p50"], total["respond_p90"]) == (2.0, 7.1)
    by_dept = {r["group"]: r["sla_attainment"] for r in inc.report(engine, flt(), by="department")}
    assert by_dept == {"技术部": 75.0, "客服部": 50.0, "运营部": 100.0}
    by_handler = {r["group"]: r["count"] for r in inc.report(engine, flt(), by="handler")}
    assert by_handler == {"邓浩然": 5, "罗晨": 2, "吴昊": 1}
    (week,) = inc.report(engine, flt(), by="week")
    assert week["group"] == "2026-11-09"  # Monday of the week of Tuesday 2026-11-10
    sev = {r["group"]: r["count"] for r in inc.report(engine, flt(), by="severity")}
    assert sev == {"complex": 1, "simple": 7}


def test_filters_and_inclusive_dates(engine):
    rows = known_rows(engine)
    rows[0]["detected_at"] = dt.datetime(2026, 11, 12, 23, 59, 59)  # last second of date_to: in
    rows[0]["responded_at"] = rows[0]["resolved_at"] = None
    rows[1]["detected_at"] = dt.datetime(2026, 11, 13, 0, 0, 0)  # next day: out
    rows[1]["responded_at"] = rows[1]["resolved_at"] = None
    add(engine, rows)
    (total,) = inc.report(engine, flt(date_to=dt.date(2026, 11, 12)))
    assert total["count"] == 7
    assert inc.report(engine, flt(rooms=("佳怡生活馆",)))[0]["count"] == 2
    assert inc.report(engine, flt(handlers=("罗晨",), severities=("simple",)))[0]["count"] == 2
    assert inc.report(engine, flt(department_ids=(dept_ids(engine)["运营部"],)))[0]["count"] == 1
    assert inc.report(engine, flt(categories=("其他",))) == []


def test_breach_lists_and_open_ages(engine):
    add(engine, known_rows(engine))
    breaches = inc.breaches(engine, flt())
    assert sorted(breaches["category"]) == ["网络中断", "负面评论/舆情"]
    missing = inc.breaches(engine, flt(), without_reason=True)
    assert list(missing["category"]) == ["负面评论/舆情"]
    assert list(missing["resolve_minutes"]) == [4.0]
    assert list(missing["resolve_sla"]) == [3.0]
    opened = inc.open_incidents(engine, flt(), as_of=T0 + dt.timedelta(minutes=45, seconds=30))
    assert list(opened["age_minutes"]) == [15.5]  # detected at +30 min


def test_distribution_has_category_sla(engine):
    add(engine, known_rows(engine))
    dist = inc.resolve_distribution(engine, flt())
    net = dist[dist["category"] == "网络中断"].set_index("minute")["count"].to_dict()
    assert net == {4: 2, 5: 1, 14: 1}
    assert set(dist[dist["category"] == "负面评论/舆情"]["sla_minutes"]) == {3.0}


def test_scorecard_feeds(engine):
    add(engine, known_rows(engine))
    handlers = inc.handler_monthly(engine, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    deng = handlers[handlers["handler"] == "邓浩然"].iloc[0]
    assert (deng["month"], deng["handled"], deng["within_sla_share"]) == ("2026-11", 5, 0.75)
    assert deng["median_resolve_minutes"] == 4.5
    depts = inc.department_response_monthly(engine, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert depts.set_index("department")["median_respond_minutes"].to_dict() == {
        "技术部": 2.0,
        "客服部": 0.75,
        "运营部": 5.0,
    }


def test_bad_group_refused(engine):
    with pytest.raises(inc.IncidentError) as err:
        inc.report(engine, flt(), by="host")
    assert err.value.code == "bad_group"


def test_breach_export_is_formula_safe(engine):
    from lib.core.exports import to_csv_bytes, to_xlsx_bytes

    rows = known_rows(engine)
    rows[2]["overtime_reason"] = '=HYPERLINK("http://evil","x")'
    add(engine, rows)
    frame = inc.breaches(engine, flt())
    csv = to_csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv
    assert '"=HYPERLINK' not in csv and ",=HYPERLINK" not in csv
    assert to_xlsx_bytes({"breaches": frame})[:2] == b"PK"


def test_lists_by_name_are_the_first_rows_of_the_whole_list(engine):
    add(engine, known_rows(engine))
    as_of = T0 + dt.timedelta(hours=2)
    whole = {
        "breaches": inc.breaches(engine, flt()),
        "missing_reasons": inc.breaches(engine, flt(), without_reason=True),
        "open": inc.open_incidents(engine, flt(), as_of),
    }
    for name, frame in whole.items():
        assert inc.report_list(engine, name, flt(), as_of).equals(frame), name
        first = inc.report_list(engine, name, flt(), as_of, limit=1)
        # the same values (a one-row frame may infer another dtype for a column of missing values)
        assert _records(first) == _records(frame.head(1)), name
    with pytest.raises(inc.IncidentError) as err:
        inc.report_list(engine, "closed", flt(), as_of)
    assert err.value.code == "bad_list"


def _records(frame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")
