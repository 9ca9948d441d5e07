"""Exports (Markdown, XLSX: formula-safe, HTML inert), safe Markdown for display, and the CLI."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from lib import cases as cs
from lib.cli import main
from lib.core.formatting import md_escape
from tests.cases.case_data import MANAGER, STAFF, add_people, case_input
from tests.foundation.links import ESCAPED, links_in

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def published(engine, users):
    people = add_people(engine)
    data = case_input(
        '=HYPERLINK("http://evil")',
        category="@SUM(A1)",
        background=HOSTILE,
        highlights="- **福利** 带动 UV",
        tags=("+1", "福利节奏"),
        action_items=(cs.ItemInput("-2+3 话术培训", people["林晓雨"]),),
    )
    case_id = cs.create_case(engine, STAFF, data)
    cs.transition(engine, STAFF, case_id, "submit")
    cs.transition(engine, MANAGER, case_id, "publish")
    return case_id


def test_xlsx_is_formula_safe(engine, published):
    case = cs.get_case(engine, STAFF, published)
    book = openpyxl.load_workbook(io.BytesIO(cs.cases_xlsx([case], "zh")))
    assert book.sheetnames == ["案例", "行动项"]
    cases_sheet = {c.value: i for i, c in enumerate(book["案例"][1])}
    row = [c for c in book["案例"][2]]
    assert row[cases_sheet["标题"]].value == '\'=HYPERLINK("http://evil")'
    assert row[cases_sheet["分类"]].value == "'@SUM(A1)"
    assert row[cases_sheet["背景"]].value == HOSTILE  # text, not a formula
    assert all(c.data_type != "f" for r in book["案例"].iter_rows() for c in r)
    item_row = [c.value for c in book["行动项"][2]]
    assert "'-2+3 话术培训" in item_row and "林晓雨" in item_row


def test_markdown_export_keeps_structure_and_escapes_html(engine, published):
    text = cs.case_markdown(cs.get_case(engine, STAFF, published), "zh")
    assert "## 亮点" in text and "- **福利** 带动 UV" in text and "## 行动项" in text
    assert "<script>" not in text and "&lt;script&gt;" in text and "<img" not in text
    assert "- [ ] -2+3 话术培训 · 林晓雨 · —" in text
    assert "## Highlights" in cs.case_markdown(cs.get_case(engine, STAFF, published), "en")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"),
        # No link, image or directive from user text (issue 25 item 12): brackets escaped, autolinks broken.
        ("![t](http://evil/p.png)", "!\\[t\\](http:\u2060//evil/p.png)"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("[ok](https://example.com)", "\\[ok\\](https:\u2060//example.com)"),
        ("见 www.evil.example 或 a@b.example", "见 www\u2060.evil.example 或 a@\u2060b.example"),
        (":red[红字]", ":red\\[红字\\]"),
        ("**粗体** & 列表", "**粗体** &amp; 列表"),
    ],
)
def test_safe_markdown(raw, shown):
    assert cs.safe_markdown(raw) == shown
    assert links_in(cs.safe_markdown(raw)) == []


@pytest.mark.parametrize(
    "raw",
    [
        "http://evil.example",
        "HTTPS://evil.example/x?y=1",
        "www.evil.example",
        "WwW.evil.example",
        "a.b@evil.example",
    ],
)
def test_md_escape_forms_no_link(raw):
    """The browser's Markdown links URLs after resolving escapes: md_escape breaks them with a word joiner
    (invisible: the text reads the same without it)."""
    assert links_in(raw) != []  # the check sees what the browser would link
    shown = md_escape(raw)
    assert links_in(shown) == []
    assert ESCAPED.sub(r"\1", shown).replace("\u2060", "") == raw


def test_the_two_escapers_have_two_jobs():
    """In an exported .md file the user's Markdown is the content (kept) and only HTML is made inert; on
    the page, other user text is escaped character by character (lib.core.formatting.md_escape)."""
    raw = "**粗体** <b>x</b> & [a](b)"
    assert cs.html_inert(raw) == "**粗体** &lt;b&gt;x&lt;/b&gt; &amp; [a](b)"
    assert cs.html_inert(None) == ""
    assert md_escape(raw).count("\\*") == 4 and "<" not in md_escape(raw).replace("\\<", "")


def test_cli_search_and_export(engine, published, tmp_path, capsys):
    draft = cs.create_case(engine, STAFF, case_input("草稿里的福利"))
    assert main(["cases", "search", "福利", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in out["rows"]] == [published] and out["total"] == 1
    assert main(["cases", "search", "福利", "--as", "t_manager", "--json"]) == 0
    assert {r["id"] for r in json.loads(capsys.readouterr().out)["rows"]} == {published, draft}
    target = tmp_path / "cases.md"
    assert main(["cases", "export", "--format", "md", "--out", str(target), "--tag", "福利节奏"]) == 0
    assert target.read_text(encoding="utf-8").count("## 改进措施") == 1
    xlsx = tmp_path / "one.xlsx"
    assert main(["cases", "export", "--id", str(published), "--format", "xlsx", "--out", str(xlsx)]) == 0
    assert openpyxl.load_workbook(xlsx)["案例"].max_row == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cases", "export", "--id", "999", "--format", "md", "--out", "x.md"], "no such case"),
        (["cases", "search", "--as", "nobody"], "no active user"),
        (["cases", "search", "--from", "2026-10-10", "--to", "2026-10-01"], "before"),
        (["cases", "export", "--format", "md", "--out", "/no/such/dir/x.md"], "does not exist"),
    ],
)
def test_cli_bad_arguments(engine, users, capsys, args, message):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_cli_bad_date_exits_2(engine, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["cases", "search", "--from", "10/01"])
    assert exc.value.code == 2
    assert "not a date" in capsys.readouterr().err
