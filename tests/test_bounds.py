"""Crafted ids and dates (URL parameters, CLI arguments) get a message, never an overflow or a traceback."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib.cli import main
from lib.core import bounds

ROOT = Path(__file__).resolve().parents[1]
HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("1", 1),
        ("2147483647", 2147483647),
        ("2147483648", None),
        (HUGE, None),
        ("0", None),
        ("-5", None),
        ("1e3", None),
        ("١٢", None),
        ("", None),
        (None, None),
        (" 42 ", 42),
        ("9" * 5000, None),
    ],
)
def test_parse_id(raw, parsed):
    assert bounds.parse_id(raw) == parsed


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("2026-11-02", dt.date(2026, 11, 2)),
        ("2000-01-01", dt.date(2000, 1, 1)),
        ("2099-12-31", dt.date(2099, 12, 31)),
        ("1999-12-31", None),
        ("0001-01-01", None),
        ("9999-12-31", None),
        ("2026-02-30", None),
        ("x", None),
        (None, None),
    ],
)
def test_parse_date(raw, parsed):
    assert bounds.parse_date(raw) == parsed


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("2026-11", True),
        ("2000-01", True),
        ("2099-12", True),
        ("9999-12", False),
        ("0000-01", False),
        ("1999-12", False),
        ("2026-13", False),
        ("", False),
    ],
)
def test_month_ok(raw, ok):
    assert bounds.month_ok(raw) is ok


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    """Exit status and stderr of `python -m lib.cli ARGV` run in-process (argparse exits via SystemExit)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


@pytest.mark.one_database  # refused by the parser before any query: the same on every database
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["incidents", "--from", "2026-11-01", "--to", "9999-12-31"],
            "argument --to: 9999-12-31 is outside 2000-01-01..2099-12-31",
        ),
        (
            ["incidents", "--from", "0001-01-01", "--to", "2026-11-30"],
            "argument --from: 0001-01-01 is outside",
        ),
        (
            ["incidents", "--from", "2026-11-30", "--to", "2026-11-01"],
            "--to 2026-11-01 is before --from 2026-11-30",
        ),
        (
            ["kpi", "--from", "0001-01-01", "--to", "2026-11-30", "--by", "month"],
            "argument --from: 0001-01-01 is outside",
        ),
        (["kpi", "--from", "2026-11-01", "--to", "9999-12-31"], "argument --to: 9999-12-31 is outside"),
        (
            ["kpi", "--from", "2026-11-30", "--to", "2026-11-01"],
            "--to 2026-11-01 is before --from 2026-11-30",
        ),
        (
            ["kpi", "--from", "2026-11-31", "--to", "2026-12-01"],
            "argument --from: not a date (YYYY-MM-DD): '2026-11-31'",
        ),
        (
            ["cases", "export", "--id", HUGE, "--format", "md", "--out", "x.md"],
            f"argument --id: not an id in 1..2147483647: '{HUGE}'",
        ),
        (
            ["cases", "export", "--id", "2147483648", "--format", "xlsx", "--out", "x.xlsx"],
            "not an id in 1..2147483647",
        ),
        (
            ["cases", "export", "--id", "0", "--format", "md", "--out", "x.md"],
            "not an id in 1..2147483647: '0'",
        ),
        (["cases", "search", "--limit", HUGE], "argument --limit: not a number in 1..1000"),
        (["cases", "search", "--to", "9999-12-31"], "argument --to: 9999-12-31 is outside"),
        (
            ["cases", "search", "--from", "2026-11-30", "--to", "2026-11-01"],
            "--to 2026-11-01 is before --from 2026-11-30",
        ),
        (["scorecard", "--month", "9999-12"], "argument --month: 9999-12 is outside 2000-01..2099-12"),
        (["scorecard", "--month", "0000-01"], "argument --month: 0000-01 is outside"),
        (["scorecard", "--month", "2026-13"], "argument --month: not a month (YYYY-MM): '2026-13'"),
        (["demo", "--sessions", HUGE], "argument --sessions: not a number in 1..100000"),
    ],
)
def test_cli_refuses_out_of_range_arguments_in_one_line(engine, capsys, argv, message):
    code, err = run_cli(argv, capsys)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_accepts_the_edges_of_the_range(engine, capsys):
    assert main(["incidents", "--from", "2000-01-01", "--to", "2099-12-31"]) == 0
    assert main(["kpi", "--from", "2000-01-01", "--to", "2099-12-31", "--by", "month", "--json"]) == 0
    assert main(["scorecard", "--month", "2000-01"]) == 0
    assert main(["cases", "export", "--id", "2147483647", "--format", "md", "--out", "x.md"]) == 2
    assert "no such case" in capsys.readouterr().err


@pytest.mark.one_database  # the process's exit and its one line, before any query
def test_cli_process_has_no_traceback(engine):
    result = subprocess.run(
        [sys.executable, "-m", "lib.cli", "incidents", "--from", "2026-11-01", "--to", "9999-12-31"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "python -m lib.cli incidents: error: argument --to: 9999-12-31 is outside 2000-01-01..2099-12-31 (see --help)"
    ]


@pytest.mark.parametrize(
    ("page", "query", "kind", "text"),
    [
        ("cases", {"case": HUGE}, "warning", f"案例 {HUGE} 不存在，或您无权查看。"),
        ("cases", {"case": "2147483648"}, "warning", "案例 2147483648 不存在，或您无权查看。"),
        ("cases", {"edit": HUGE}, "warning", f"案例 {HUGE} 不存在，或您无权查看。"),
        ("cases", {"new_from_session": HUGE}, "warning", f"场次 {HUGE} 不存在。"),
        ("cases", {"case": "abc"}, "error", "链接中的编号“abc”不是数字。"),
        (
            "session_detail",
            {"session": HUGE},
            "error",
            f"链接中的场次编号“{HUGE}”无效（参数 session），所以没有打开任何场次。请在下面选择一场。",
        ),
        (
            "session_detail",
            {"session": "-5"},
            "error",
            "链接中的场次编号“\\-5”无效（参数 session），所以没有打开任何场次。请在下面选择一场。",
        ),
        (
            "kpis",
            {"preset": "custom", "from": "0001-01-01", "to": "9999-12-31", "gran": "month"},
            "warning",
            "链接中的时段 0001\\-01\\-01 至 9999\\-12\\-31 无效",
        ),
        ("scorecards", {"month": "9999-12"}, "warning", "链接中的月份“9999\\-12”无效"),
    ],
)
def test_pages_answer_crafted_links_with_a_message(run_page, page, query, kind, text):
    at = run_page(page, "manager", query=query)
    assert not at.exception
    shown = [e.value for e in getattr(at, kind)]
    assert any(s.startswith(text) for s in shown), shown
