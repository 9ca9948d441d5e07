"""Issue 20, comparisons that compare like with like: a period to date is compared with the same elapsed part
of the period before (whole days through yesterday against the same days, today's part against the same
hours; a session counts by its start), complete periods with the whole earlier period, yesterday with the
same weekday last week. At several moments of the team's clock the spans and figures of the home page, the
KPI page, `overview --json` and `kpi --json` all equal a plain-Python computation over the stored sessions.
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from sqlalchemy import insert

from lib import cli, rollups
from lib.core.dates import Span, comparison_span, period_span
from lib.core.db import write
from lib.core.formatting import format_change, format_metric_compact
from lib.core.models import LiveSession
from lib.kpis import PRESET_KINDS, preset_range

T = dt.datetime.fromisoformat


def _span(start: str, end: str) -> Span:
    return Span(T(start), T(end))


# --- the written rule (lib.core.dates.comparison_span) ----------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "preset", "counted", "compared"),
    [
        # a 1st at 00:05: this month is five minutes old, compared with the same five minutes of November
        ("2026-12-01T00:05", "this_month", ("12-01 00:00", "12-01 00:05"), ("11-01 00:00", "11-01 00:05")),
        # the morning: 12-01 00:00 – 12-07 08:30 against 11-01 00:00 – 11-07 08:30 (not 11-01…11-07)
        ("2026-12-07T08:30:41", "this_month", ("12-01 00:00", "12-07 08:30"), ("11-01 00:00", "11-07 08:30")),
        ("2026-12-07T23:00", "this_month", ("12-01 00:00", "12-07 23:00"), ("11-01 00:00", "11-07 23:00")),
        # a 31st against a 30-day month: the whole of November, never past its end
        ("2026-12-31T23:00", "this_month", ("12-01 00:00", "12-31 23:00"), ("11-01 00:00", "11-30 23:59:59")),
        # 29th-31st March against February: its end (non-leap and leap); the 28th keeps its time
        ("2027-03-31T08:30", "this_month", ("03-01 00:00", "03-31 08:30"), ("02-01 00:00", "02-28 23:59:59")),
        ("2027-03-29T00:10", "this_month", ("03-01 00:00", "03-29 00:10"), ("02-01 00:00", "02-28 23:59:59")),
        ("2027-03-28T23:50", "this_month", ("03-01 00:00", "03-28 23:50"), ("02-01 00:00", "02-28 23:50")),
        ("2028-03-30T08:30", "this_month", ("03-01 00:00", "03-30 08:30"), ("02-01 00:00", "02-29 23:59:59")),
        ("2028-03-29T08:30", "this_month", ("03-01 00:00", "03-29 08:30"), ("02-01 00:00", "02-29 08:30")),
        # 1 March: this month (a Monday in 2027) against 1 February; last month whole against January whole
        ("2027-03-01T00:20", "this_month", ("03-01 00:00", "03-01 00:20"), ("02-01 00:00", "02-01 00:20")),
        (
            "2027-03-01T00:20",
            "last_month",
            ("02-01 00:00", "02-28 23:59:59"),
            ("01-01 00:00", "01-31 23:59:59"),
        ),
        (
            "2028-03-01T00:20",
            "last_month",
            ("02-01 00:00", "02-29 23:59:59"),
            ("01-01 00:00", "01-31 23:59:59"),
        ),
        (
            "2026-12-01T00:05",
            "last_month",
            ("11-01 00:00", "11-30 23:59:59"),
            ("10-01 00:00", "10-31 23:59:59"),
        ),
        # weeks: this week to date against last week through the same weekday and time; last week whole
        ("2026-12-07T08:30", "this_week", ("12-07 00:00", "12-07 08:30"), ("11-30 00:00", "11-30 08:30")),
        ("2026-12-10T23:00", "this_week", ("12-07 00:00", "12-10 23:00"), ("11-30 00:00", "12-03 23:00")),
        (
            "2026-12-10T23:00",
            "last_week",
            ("11-30 00:00", "12-06 23:59:59"),
            ("11-23 00:00", "11-29 23:59:59"),
        ),
        # yesterday, whole, against the same weekday last week
        (
            "2026-12-07T08:30",
            "yesterday",
            ("12-06 00:00", "12-06 23:59:59"),
            ("11-29 00:00", "11-29 23:59:59"),
        ),
        (
            "2027-03-01T00:20",
            "yesterday",
            ("02-28 00:00", "02-28 23:59:59"),
            ("02-21 00:00", "02-21 23:59:59"),
        ),
        # quarters: three months back, the same month-end rule
        ("2026-12-07T08:30", "this_quarter", ("10-01 00:00", "12-07 08:30"), ("07-01 00:00", "09-07 08:30")),
        (
            "2027-05-31T10:00",
            "this_quarter",
            ("04-01 00:00", "05-31 10:00"),
            ("01-01 00:00", "02-28 23:59:59"),
        ),
        ("2027-06-30T10:00", "this_quarter", ("04-01 00:00", "06-30 10:00"), ("01-01 00:00", "03-30 10:00")),
        # a rolling window: the same number of days just before, cut alike
        ("2026-12-07T08:30", "last_90_days", ("09-09 00:00", "12-07 08:30"), ("06-11 00:00", "09-08 08:30")),
    ],
)
def test_comparison_span_rule(moment, preset, counted, compared):
    now = T(moment)
    first, last = preset_range(preset, now.date())
    span = period_span(first, last, now)
    previous = comparison_span(span, PRESET_KINDS[preset])

    def at(text: str) -> dt.datetime:  # the spans above are all in the moment's year
        day, time = text.split(" ")
        return dt.datetime.fromisoformat(f"{now.year}-{day}T{time}")

    assert (span.start, span.end) == (at(counted[0]), at(counted[1]))
    assert (previous.start, previous.end) == (at(compared[0]), at(compared[1]))
    assert previous.end < span.start  # never overlapping what it is compared with


def test_whole_quarter_and_custom_month_end():
    q2 = _span("2027-04-01T00:00", "2027-06-30T23:59:59")
    assert comparison_span(q2, "quarter") == _span("2027-01-01T00:00", "2027-03-31T23:59:59")
    nov = _span("2026-10-15T00:00", "2026-11-30T23:59:59")
    assert comparison_span(nov, "other") == _span("2026-09-15T00:00", "2026-10-31T23:59:59")
    # any other range (a custom one): the same days one month earlier, cut alike
    custom = _span("2026-11-20T00:00", "2026-12-07T08:30")
    assert comparison_span(custom, "other") == _span("2026-10-20T00:00", "2026-11-07T08:30")
    with pytest.raises(ValueError):
        comparison_span(nov, "year")


# --- every place at several moments, against the stored sessions --------------------------------------

TIMES = ("00:03", "00:05", "00:21", "08:30", "08:31", "20:00", "23:00", "23:01")  # around every cut below

# moment -> (month block: counted, compared), (yesterday: compared), (KPI page "this month": counted,
# compared, the comparison span as the screen says it)
MOMENTS = {
    "2026-12-01T00:05": (
        ("2026-11-01T00:00", "2026-11-30T23:59:59", "2026-10-01T00:00", "2026-10-31T23:59:59"),
        ("2026-11-23T00:00", "2026-11-23T23:59:59"),
        ("2026-12-01T00:00", "2026-12-01T00:05", "2026-11-01T00:00", "2026-11-01T00:05"),
        "11-01 00:00 – 11-01 00:05",
    ),
    "2026-12-07T08:30": (
        ("2026-12-01T00:00", "2026-12-07T08:30", "2026-11-01T00:00", "2026-11-07T08:30"),
        ("2026-11-29T00:00", "2026-11-29T23:59:59"),
        ("2026-12-01T00:00", "2026-12-07T08:30", "2026-11-01T00:00", "2026-11-07T08:30"),
        "11-01 00:00 – 11-07 08:30",
    ),
    "2026-12-07T23:00": (
        ("2026-12-01T00:00", "2026-12-07T23:00", "2026-11-01T00:00", "2026-11-07T23:00"),
        ("2026-11-29T00:00", "2026-11-29T23:59:59"),
        ("2026-12-01T00:00", "2026-12-07T23:00", "2026-11-01T00:00", "2026-11-07T23:00"),
        "11-01 00:00 – 11-07 23:00",
    ),
    "2026-12-31T23:00": (
        ("2026-12-01T00:00", "2026-12-31T23:00", "2026-11-01T00:00", "2026-11-30T23:59:59"),
        ("2026-12-23T00:00", "2026-12-23T23:59:59"),
        ("2026-12-01T00:00", "2026-12-31T23:00", "2026-11-01T00:00", "2026-11-30T23:59:59"),
        "2026-11-01 – 2026-11-30",
    ),
    "2027-03-01T00:20": (
        ("2027-02-01T00:00", "2027-02-28T23:59:59", "2027-01-01T00:00", "2027-01-31T23:59:59"),
        ("2027-02-21T00:00", "2027-02-21T23:59:59"),
        ("2027-03-01T00:00", "2027-03-01T00:20", "2027-02-01T00:00", "2027-02-01T00:20"),
        "02-01 00:00 – 02-01 00:20",
    ),
    "2028-03-01T00:20": (
        ("2028-02-01T00:00", "2028-02-29T23:59:59", "2028-01-01T00:00", "2028-01-31T23:59:59"),
        ("2028-02-22T00:00", "2028-02-22T23:59:59"),
        ("2028-03-01T00:00", "2028-03-01T00:20", "2028-02-01T00:00", "2028-02-01T00:20"),
        "02-01 00:00 – 02-01 00:20",
    ),
    "2027-03-31T08:30": (
        ("2027-03-01T00:00", "2027-03-31T08:30", "2027-02-01T00:00", "2027-02-28T23:59:59"),
        ("2027-03-23T00:00", "2027-03-23T23:59:59"),
        ("2027-03-01T00:00", "2027-03-31T08:30", "2027-02-01T00:00", "2027-02-28T23:59:59"),
        "2027-02-01 – 2027-02-28",
    ),
}


def _store(engine, moment: dt.datetime) -> list[dict]:
    """Sessions at TIMES on every day from the 1st two months before the moment's month through the moment's
    day (later today too: the cut must leave them out), with figures that tell any two spans apart."""
    rng = random.Random(moment.toordinal())
    first = (moment.date().replace(day=1) - dt.timedelta(days=45)).replace(day=1)
    rows = []
    day = first
    while day <= moment.date():
        for i, hhmm in enumerate(TIMES):
            started = dt.datetime.combine(day, dt.time.fromisoformat(hhmm))
            viewers = rng.randint(500, 9_000)
            rows.append(
                {
                    "platform": "douyin",
                    "account": "acc",
                    "room": "直播间",
                    "host_name": f"主播{i % 3}",
                    "started_at": started,
                    "started_on": day,
                    "gmv": rng.randint(1_000, 200_000_00) / 100,
                    "viewers": viewers,
                    "buyers": rng.randint(0, viewers // 10),
                }
            )
        day += dt.timedelta(days=1)
    with write(engine) as conn:
        conn.execute(insert(LiveSession), rows)
        rollups.refresh_days(conn, {r["started_on"] for r in rows})  # straight into the table: roll-ups too
    return rows


def _figures(rows: list[dict], start: str, end: str) -> dict[str, float | None]:
    """The plain-Python reference: the sessions that started in [start, end]."""
    inside = [r for r in rows if T(start) <= r["started_at"] <= T(end)]
    viewers = sum(r["viewers"] for r in inside)
    return {
        "gmv": round(sum(r["gmv"] for r in inside), 2) if inside else None,
        "sessions": len(inside),
        "viewers": viewers if inside else None,
        "conversion_rate": sum(r["buyers"] for r in inside) / viewers if viewers else None,
    }


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or not before else (now - before) / before


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_every_place_agrees_at_the_moment(engine, users, run_page, clock_at, capsys, moment):
    clock_at(moment)
    rows = _store(engine, T(moment))
    month, yesterday_before, this_month, compare_text = MOMENTS[moment]
    day_before = T(moment).date() - dt.timedelta(days=1)
    yesterday = (f"{day_before}T00:00", f"{day_before}T23:59:59", *yesterday_before)

    # overview --json at the clock's moment
    assert cli.main(["overview", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for block, spans in ((dict(out["period"], tiles=out["tiles"]), month), (out["yesterday"], yesterday)):
        got = [block[k] for k in ("start_at", "end_at", "previous_start", "previous_end")]
        assert [T(v) for v in got] == [T(v) for v in spans]
        now, before = _figures(rows, *spans[:2]), _figures(rows, *spans[2:])
        for tile in block["tiles"]:
            key = tile["metric"]
            assert tile["actual"] == pytest.approx(now[key]), (block["label"], key)
            assert tile["previous"] == pytest.approx(before[key]), (block["label"], key)
            assert tile["change"] == pytest.approx(_change(now[key], before[key]))

    # kpi --json: the KPI page's "this month" as one object, and the same span given by dates
    assert cli.main(["kpi", "--preset", "this_month", "--by", "all", "--json"]) == 0
    [whole] = json.loads(capsys.readouterr().out)
    assert [T(whole[k]) for k in ("start", "end", "previous_start", "previous_end")] == [
        T(v) for v in this_month
    ]
    now, before = _figures(rows, *this_month[:2]), _figures(rows, *this_month[2:])
    for key in ("gmv", "viewers", "conversion_rate"):
        assert whole[key] == pytest.approx(now[key]) and whole["previous"][key] == pytest.approx(before[key])
    assert whole["sessions"] == now["sessions"] and whole["gmv_mom"] == pytest.approx(
        _change(now["gmv"], before["gmv"])
    )
    first, last = this_month[0][:10], this_month[1][:10]
    assert cli.main(["kpi", "--from", first, "--to", last, "--by", "month", "--json"]) == 0
    [by_month] = json.loads(capsys.readouterr().out)
    assert by_month["gmv"] == pytest.approx(now["gmv"])  # a range ending today runs to the same minute
    assert [T(by_month["previous_start"]), T(by_month["previous_end"])] == [T(v) for v in this_month[2:]]

    # the KPI page on "this month": the spans said on screen, the tiles' figures and 环比
    kpi = run_page("kpis", "manager", query={"preset": "this_month"})
    assert not kpi.exception
    captions = [c.value for c in kpi.caption]
    assert any(f"对比 {compare_text}（上月同期）" in c for c in captions), captions
    tiles = {m.label: m for m in kpi.metric}
    assert tiles["成交金额"].value == format_metric_compact("gmv", now["gmv"], "zh")
    assert tiles["成交金额"].delta == format_change(_change(now["gmv"], before["gmv"]))
    assert tiles["场观"].value == format_metric_compact("viewers", now["viewers"], "zh")

    # the home page: yesterday's tiles, then the month's, each with its span on screen
    home = run_page("overview", "manager")
    assert not home.exception
    shown = [m for m in home.metric if m.label == "成交金额"]
    assert len(shown) == 2
    for metric_shown, spans in zip(shown, (yesterday, month), strict=True):
        now, before = _figures(rows, *spans[:2]), _figures(rows, *spans[2:])
        assert metric_shown.value == format_metric_compact("gmv", now["gmv"], "zh")
        assert metric_shown.delta == format_change(_change(now["gmv"], before["gmv"]))
    captions = " ".join(c.value for c in home.caption)
    assert f"对比 {yesterday_before[0][:10]}（上周同日）" in captions
    month_compare = compare_text if month == this_month else f"{month[2][:10]} – {month[3][:10]}"
    assert f"对比 {month_compare}（上月同期）" in captions


def test_kpi_page_yesterday_preset(engine, users, run_page, clock_at):
    clock_at("2026-12-07T08:30")
    rows = _store(engine, T("2026-12-07T08:30"))
    at = run_page("kpis", "manager")
    assert at.selectbox(key="kpis_preset").options[0] == "昨日"  # the first preset offered
    at = run_page("kpis", "manager", query={"preset": "yesterday"})
    assert not at.exception and at.selectbox(key="kpis_preset").value == "yesterday"
    now = _figures(rows, "2026-12-06T00:00", "2026-12-06T23:59:59")
    before = _figures(rows, "2026-11-29T00:00", "2026-11-29T23:59:59")
    captions = [c.value for c in at.caption]
    assert any("2026-12-06 至 2026-12-06（含）· 8 场直播" in c for c in captions), captions
    assert any("对比 2026-11-29（上周同日）" in c for c in captions), captions
    gmv = next(m for m in at.metric if m.label == "成交金额")
    assert gmv.value == format_metric_compact("gmv", now["gmv"], "zh")
    assert gmv.delta == format_change(_change(now["gmv"], before["gmv"]))
