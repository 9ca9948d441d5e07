"""Value parsing as the platforms export values: one parametrised table per parser."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lib.importing import values as v
from lib.importing.columns import parse_datetime_column, parse_numeric_column


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.2万", 12000),
        ("3.5w", 35000),
        ("3.5W", 35000),
        ("84,600.73", 84600.73),
        ("¥3,456.00", 3456.0),
        ("￥1,000", 1000.0),
        ("1.5亿", 150_000_000),
        ("  42 ", 42.0),
        (17, 17.0),
        (2.5, 2.5),
        ("-3", -3.0),
        ("1,234,567", 1234567.0),
        ("100元", 100.0),
        ("2.5万元", 25000.0),
        ("-", None),
        ("--", None),
        ("", None),
        (None, None),
        (float("nan"), None),
        ("N/A", None),
    ],
)
def test_parse_number(raw, expected):
    assert v.parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "12a", "1.2.3", "万", "¥", True])
def test_parse_number_refuses(raw):
    with pytest.raises(v.ValueParseError) as exc:
        v.parse_number(raw)
    assert exc.value.code == "bad_number"


@pytest.mark.parametrize(
    ("raw", "expected", "code"),
    [
        ("1.2万", 12000, None),
        ("3314", 3314, None),
        (3314.0, 3314, None),
        ("-5", None, "negative"),
        ("2.5", None, "not_whole"),
        ("--", None, None),
        ("1.23456万", 12346, None),
    ],
)
def test_parse_count(raw, expected, code):
    if code:
        with pytest.raises(v.ValueParseError) as exc:
            v.parse_count(raw)
        assert exc.value.code == code
    else:
        assert v.parse_count(raw) == expected


@pytest.mark.parametrize(
    ("raw", "percent_unit", "expected"),
    [
        ("12.34%", False, 0.1234),
        ("0.0344", False, 0.0344),
        (0.0344, False, 0.0344),
        ("96%", False, 0.96),
        ("12.34", True, 0.1234),
        ("５%", False, 0.05),
        ("12.34％", False, 0.1234),
    ],
)
def test_parse_ratio(raw, percent_unit, expected):
    assert v.parse_ratio(raw, percent_unit) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("raw", "code"), [("abc%", "bad_percent"), ("x", "bad_percent"), ("-5%", "negative")]
)
def test_parse_ratio_refuses(raw, code):
    with pytest.raises(v.ValueParseError) as exc:
        v.parse_ratio(raw)
    assert exc.value.code == code
    assert v.parse_ratio("-") is None and v.parse_ratio("--") is None


@pytest.mark.parametrize(
    ("raw", "unit", "seconds"),
    [
        ("2小时13分", "min", 7980),
        ("1分35秒", "s", 95),
        ("01:45:12", "min", 6312),
        ("01:47:00", "min", 6420),
        (253, "min", 15180),
        ("1.53", "min", 91.8),
        (171, "s", 171),
        ("1:35", "s", 95),
        ("2:13", "min", 7980),
        ("3.5h", "min", 12600),
        ("90秒", "s", 90),
        ("2小时", "min", 7200),
        ("45分钟", "min", 2700),
        (dt.time(1, 2, 3), "s", 3723),
        ("--", "s", None),
    ],
)
def test_parse_duration(raw, unit, seconds):
    result = v.parse_duration_seconds(raw, unit)
    assert result == pytest.approx(seconds) if seconds is not None else result is None


@pytest.mark.parametrize("raw", ["2小时abc", "1:75", "abc", "1::2", "分钟"])
def test_parse_duration_refuses(raw):
    with pytest.raises(v.ValueParseError) as exc:
        v.parse_duration_seconds(raw, "min")
    assert exc.value.code == "bad_duration"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026/11/02 20:00:00", dt.datetime(2026, 11, 2, 20, 0)),
        ("2026/11/02 20:00", dt.datetime(2026, 11, 2, 20)),
        ("2026-11-02 20:30:15", dt.datetime(2026, 11, 2, 20, 30, 15)),
        ("2026-11-02T20:30", dt.datetime(2026, 11, 2, 20, 30)),
        ("2026年11月2日 20:00", dt.datetime(2026, 11, 2, 20)),
        ("2026/11/2 9:05", dt.datetime(2026, 11, 2, 9, 5)),
        (46328.8333333333, dt.datetime(2026, 11, 2, 20, 0)),
        ("46328.5", dt.datetime(2026, 11, 2, 12, 0)),
        (dt.datetime(2026, 11, 2, 20, 0, 0, 600_000), dt.datetime(2026, 11, 2, 20, 0, 1)),
        (pd.Timestamp("2026-11-02 20:00"), dt.datetime(2026, 11, 2, 20)),
        ("-", None),
        ("", None),
    ],
)
def test_parse_datetime(raw, expected):
    assert v.parse_datetime(raw) == expected


@pytest.mark.parametrize("raw", ["2026/13/02 20:00", "yesterday", "12", "2026/11/02 25:00"])
def test_parse_datetime_refuses(raw):
    with pytest.raises(v.ValueParseError) as exc:
        v.parse_datetime(raw)
    assert exc.value.code == "bad_datetime"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-10", "2026-10"),
        ("2026/10", "2026-10"),
        ("2026年10月", "2026-10"),
        ("202610", "2026-10"),
        (dt.date(2026, 10, 1), "2026-10"),
        ("2026-10-01", "2026-10"),
    ],
)
def test_parse_month(raw, expected):
    assert v.parse_month(raw) == expected


def test_numeric_column_fast_and_slow_paths_agree():
    series = pd.Series(["1,200", "1.2万", "-", "3.5w", "", "7"], dtype="str")
    out, errors = parse_numeric_column(series, v.parse_count, "count")
    assert out == [1200, 12000, None, 35000, None, 7]
    assert errors == {}
    out, errors = parse_numeric_column(pd.Series(["5", "-2", "x"], dtype="str"), v.parse_count, "count")
    assert out[0] == 5 and errors == {1: "negative", 2: "bad_number"}


def test_datetime_column_mixed_formats():
    series = pd.Series(["2026/11/02 20:00:00", "2026-11-03 10:00", "--", "bad"], dtype="str")
    out, errors = parse_datetime_column(series)
    assert out[:3] == [dt.datetime(2026, 11, 2, 20), dt.datetime(2026, 11, 3, 10), None]
    assert errors == {3: "bad_datetime"}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("inf", "not_finite"),
        ("-inf", "not_finite"),
        ("Infinity", "not_finite"),
        ("NaN", "not_finite"),
        ("nan", "not_finite"),
        (float("inf"), "not_finite"),
        (float("-inf"), "not_finite"),
        ("1e308", "too_large"),
        ("99999999999999999999999", "too_large"),
        (1e308, "too_large"),
        ("1e300万", "too_large"),
    ],
)
def test_impossible_numbers_refused(raw, code):
    for parser in (v.parse_number, v.parse_count, v.parse_money):
        with pytest.raises(v.ValueParseError) as exc:
            parser(raw)
        assert exc.value.code == code


@pytest.mark.parametrize("raw", ["inf", "NaN", "1e308", float("inf")])
def test_impossible_durations_refused(raw):
    with pytest.raises(v.ValueParseError):
        v.parse_duration_seconds(raw, "min")


def test_numeric_column_never_wraps_int64():
    """`99999999999999999999999` once became -9,223,372,036,854,775,808 viewers."""
    series = pd.Series(["12", "99999999999999999999999", "1e308", "inf", "NaN", "-"], dtype="str")
    out, errors = parse_numeric_column(series, v.parse_count, "count")
    assert out == [12, None, None, None, None, None]
    assert errors == {1: "too_large", 2: "too_large", 3: "not_finite", 4: "not_finite"}
    floats = pd.Series([1.0, float("inf"), 1e308, float("nan")])
    out, errors = parse_numeric_column(floats, v.parse_count, "count")
    assert out == [1, None, None, None] and errors == {1: "not_finite", 2: "too_large"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("林\u200b晓雨", "林晓雨"),
        (" 林晓雨\u3000", "林晓雨"),
        ("\u202e林晓雨\u202c", "林晓雨"),
        ("xyjd\u20662021\u2069", "xyjd2021"),
        ("ｘｙｊｄ２０２１", "xyjd2021"),
        ("\ufeff主播部", "主播部"),
        ("a\u200db", "ab"),
        ("林晓雨", "林晓雨"),
    ],
)
def test_normalise_name(raw, expected):
    assert v.normalise_name(raw) == expected
