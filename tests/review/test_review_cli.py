"""`python -m lib.cli review --platform P --account A --start "YYYY-MM-DD HH:MM" --json`: one object with the
session's totals, minutes, retention, products, sources and incidents; bad arguments exit 2 with a message
in the chosen language."""

from __future__ import annotations

import json

import pytest

from lib.cli import main
from tests.review.review_data import CHEN_1102, XY_1102, load_review_week, truth, truth_of


def _review(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["review", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_review_json_matches_the_truth(engine, capsys):
    load_review_week(engine)
    code, out, err = _review(
        capsys, "--platform", "抖音", "--account", "xyjd2021", "--start", "2026-11-02 20:00", "--json"
    )
    assert code == 0, err
    review = json.loads(out)
    record = truth_of(XY_1102)
    s = record["session"]
    assert review["session"]["account"] == "xyjd2021" and review["session"]["host"] == "林晓雨"
    assert review["session"]["started_at"] == "2026-11-02 20:00"
    assert review["totals"]["gmv"] == pytest.approx(s["gmv"]) and review["totals"]["viewers"] == s["viewers"]
    assert review["minutes"] == {
        "count": len(record["minutes"]),
        "gmv": s["gmv"],
        "orders": s["orders"],
        "peak_online": max(m["online"] for m in record["minutes"]),
    }
    # retention: shares of seed 000 (person-minutes / visits / minutes on air); the old ratio apart
    minutes = record["minutes"]
    visits15 = minutes[0]["online"] + sum(m["entering"] for m in minutes[1:15])
    assert review["retention"]["first_15"] == pytest.approx(
        sum(m["online"] for m in minutes[:15]) / visits15 / 15
    )
    assert review["online_vs_opening"]["base"] == 112
    assert review["online_vs_opening"]["at_15"] == pytest.approx(276 / 112)
    products = {p["product_id"]: p for p in review["products"]}
    for x in record["products"]:
        got = products[x["product_id"]]
        wanted = {k: x[k] for k in ("exposure", "clicks", "orders", "units", "gmv", "refund")}
        assert {k: got[k] for k in wanted} == pytest.approx(wanted)
        assert got["name"] == x["product"]
    assert [p["gmv"] for p in review["products"]] == sorted(
        (x["gmv"] for x in record["products"]), reverse=True
    )
    assert {r["source"]: r["viewers"] for r in review["sources"]} == {
        x["source"]: x["viewers"] for x in record["sources"]
    }
    [incident] = review["incidents"]
    assert (incident["category"], incident["start_minute"], incident["end_minute"]) == ("违规预警", 148, 153)
    assert incident["gmv_at_risk"] > 0 and incident["detected_at"] == "2026-11-02 22:28"


def test_review_without_detail_rows_and_as_text(engine, capsys):
    load_review_week(engine, skip=(CHEN_1102,))
    code, out, _err = _review(
        capsys, "--platform", "douyin", "--account", "jjhw888", "--start", "2026-11-02 20:30", "--json"
    )
    review = json.loads(out)
    assert code == 0 and review["totals"]["gmv"] == pytest.approx(18652.8)
    assert review["minutes"] == {"count": 0, "gmv": None, "orders": None, "peak_online": None}
    assert set(review["retention"].values()) == {None}
    assert set(review["online_vs_opening"].values()) == {None}
    assert review["products"] == [] and review["sources"] == [] and review["incidents"] == []
    code, out, _err = _review(
        capsys, "--platform", "douyin", "--account", "xyjd2021", "--start", "2026-11-02 20:00"
    )
    assert code == 0 and out.splitlines()[0] == "2026-11-02 20:00\tdouyin\txyjd2021\t林晓雨"
    assert "minutes_count=253" in out and "incident\t" in out


def test_every_retention_figure_is_a_share(engine, capsys):
    """`review --json` for every sample session: each retention figure is a number between 0 and 1."""
    load_review_week(engine)
    for record in truth():
        s = record["session"]
        day, clock = s["start"].split("T")
        code, out, err = _review(
            capsys, "--platform", "douyin", "--account", s["account"], "--start", f"{day} {clock}", "--json"
        )
        assert code == 0, err
        retention = json.loads(out)["retention"]
        for key, share in retention.items():
            assert isinstance(share, float) and 0 <= share <= 1, (s, key, share)
        assert set(retention) == {"first_5", "first_15", "whole"}


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (
            ("--platform", "tiktok", "--account", "a", "--start", "2026-11-02 20:00"),
            "未知的平台“tiktok”",
            "unknown --platform “tiktok”",
        ),
        (
            ("--platform", "douyin", "--account", "a", "--start", "11/02 20:00"),
            "开播时间“11/02 20:00”格式不对",
            "is not YYYY-MM-DD HH:MM",
        ),
        (
            ("--platform", "douyin", "--account", "nobody", "--start", "2026-11-02 20:00"),
            "没有找到 douyin 账号 nobody 在 2026-11-02 20:00 开播的场次",
            "no douyin session of account nobody starting 2026-11-02 20:00",
        ),
    ],
)
def test_bad_arguments_exit_2_in_the_users_language(engine, capsys, args, zh, en):
    code, out, err = _review(capsys, *args)
    assert code == 2 and out == "" and err.startswith("错误：") and zh in err
    code, out, err = _review(capsys, *args, "--lang", "en")
    assert code == 2 and out == "" and err.startswith("error: ") and en in err


def test_missing_argument_is_a_usage_error(engine, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["review", "--platform", "douyin", "--account", "a"])
    assert exited.value.code == 2 and "--start" in capsys.readouterr().err
