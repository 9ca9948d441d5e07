"""The incident texts, tables and charts are built for the language passed in (no Streamlit session)."""

from __future__ import annotations

import datetime as dt

import pytest

from lib import incidents as inc
from tests.incidents.incidents_testdata import T0, add, known_rows


def refusal(engine, data: inc.IncidentInput) -> inc.IncidentError:
    with pytest.raises(inc.IncidentError) as caught:
        inc.create_incident(engine, data, "t_staff", as_of=T0)
    return caught.value


def test_refusals_name_the_field_and_column_in_the_language(engine):
    future = inc.IncidentInput(category="设备故障", severity="simple", detected_at=T0 + dt.timedelta(hours=1))
    exc = refusal(engine, future)
    assert inc.present.error_text(exc, "en").startswith(
        "Detected at is 2026-11-10 21:00, which is in the future"
    )
    assert inc.present.error_text(exc, "zh").startswith("发现时间 为 2026-11-10 21:00，晚于当前时间")
    with pytest.raises(inc.IncidentError) as caught:
        inc.save_slas(engine, [{"severity": "simple", "respond_minutes": -1}], "t_admin")
    assert inc.present.error_text(caught.value, "en") == (
        "Row 1, Respond within (min): limit -1.0 must be greater than 0."
    )


def test_sla_hints_and_headline_in_the_language():
    hints = inc.present.sla_hints(inc.Sla(10, 5, 30), "en")
    assert hints == [
        "SLA: respond within 10 min, resolve within 5 min",
        "Major incident: hold a meeting within 30 min",
    ]
    assert inc.present.sla_hints(inc.Sla(None, 2.5, None), "zh") == ["SLA：0 分钟内响应，2.5 分钟内解决"]
    total = {"count": 8, "open": 1, "resolve_p50": None, "sla_attainment": 71.428}
    assert inc.present.headline(total, "en") == [
        ("Incidents", "8"),
        ("Open", "1"),
        ("Median time to resolve", "No data"),
        ("SLA attainment", "71.4%"),
    ]
    assert inc.present.headline({**total, "resolve_p50": 4.0}, "zh")[:3] == [
        ("问题数", "8"),
        ("未解决", "1"),
        ("解决用时中位数", "4.0 分钟"),
    ]


def test_figures_and_lists_labelled_in_the_language(engine):
    rows = known_rows(engine)
    add(engine, [*rows, {**rows[0], "owner_department_id": None}])
    flt = inc.ReportFilter(T0.date(), T0.date())
    by_severity = inc.present.figures_table(inc.report_frame(engine, flt, "severity"), "severity", "en")
    assert list(by_severity["Group"]) == ["Complex", "Simple"]
    by_department = inc.present.figures_table(inc.report_frame(engine, flt, "department"), "department", "zh")
    assert sorted(by_department["分组"]) == sorted(["技术部", "客服部", "运营部", "（无）"])
    tables = inc.present.list_tables(
        inc.breaches(engine, flt),
        inc.breaches(engine, flt, True),
        inc.open_incidents(engine, flt, T0 + dt.timedelta(hours=2)),
        "en",
    )
    assert [(name, len(frame)) for _, frame, name in tables] == [
        ("breaches", 2),
        ("missing_reasons", 1),
        ("open", 1),
    ]
    breaches = tables[0][1]
    assert set(breaches["Severity"]) == {"Simple"}
    units = inc.present.export_units("en")
    assert [units.get(c) for c in tables[2][1].columns if c in units][:2] == ["int", "min"]


def test_charts_take_the_language(engine):
    add(engine, known_rows(engine))
    flt = inc.ReportFilter(T0.date(), T0.date())
    for lang, severity, week in (("en", "Severity", "Week"), ("zh", "严重程度", "周")):
        spec = inc.charts.resolve_distribution(inc.resolve_distribution(engine, flt), lang).to_dict()
        assert spec["spec"]["layer"][0]["encoding"]["color"]["title"] == severity
        trend = inc.charts.weekly_trend(inc.report_frame(engine, flt, "week"), lang).to_dict()
        assert trend["encoding"]["x"]["title"] == week
