"""Search: Chinese and English words, full-width forms, several words, ranking, every filter, no match,
LIKE wildcards taken literally, and highlighting that never turns user text into markup."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from lib import cases as cq
from lib import cases as cs
from tests.cases.case_data import DAY, MANAGER, STAFF, add_people, add_session, case_input


@pytest.fixture
def library(engine, users):
    """Four published cases and one draft; returns {name: id}."""
    people = add_people(engine)
    s1 = add_session(engine, people["林晓雨"], "林晓雨", DAY, 90_000, 5000, 150)
    s2 = add_session(engine, None, "外部达人", DAY, 50_000, 3000, 60, platform="kuaishou")
    rows = {
        "uv": case_input("福利秒杀带动 UV 提升 30%", session_ids=(s1,)),
        "price": case_input(
            "价格异常的快速处理",
            category="问题处理",
            tags=("价格异常", "协作"),
            platform="kuaishou",
            highlights="场控 3 分钟内发现价格异常并下架。",
            shortcomings="品牌方确认耗时。",
            improvements="提前确认价格底线。",
            case_date=DAY - dt.timedelta(days=30),
            session_ids=(s2,),
        ),
        "script": case_input(
            "Script timing for new hosts",
            category="主播成长",
            tags=("新人培养",),
            highlights="The opening SCRIPT was tight; 福利 came late.",
            shortcomings="Too long.",
            improvements="Countdown reminders.",
            case_date=DAY - dt.timedelta(days=60),
        ),
        "wide": case_input(
            "ＧＭＶ 达成复盘",
            category="促单技巧",
            tags=("达成",),
            highlights="100% 达成，uv 价值 ¥18。",
            case_date=DAY - dt.timedelta(days=90),
        ),
    }
    ids = {}
    author = STAFF._replace(person_id=people["林晓雨"])  # linking the sessions is a manager's choice:
    for name, data in rows.items():  # written by staff, their links set by the manager who publishes
        links = data.session_ids
        ids[name] = cs.create_case(
            engine, author, dataclasses.replace(data, session_ids=()) if links else data
        )
        if links:
            version = cs.get_case(engine, MANAGER, ids[name])["version"]
            cs.update_case(engine, MANAGER, ids[name], data, version=version)
        cs.transition(engine, STAFF, ids[name], "submit")
        cs.transition(engine, MANAGER, ids[name], "publish")
    ids["draft"] = cs.create_case(engine, MANAGER, case_input("经理的福利草稿"))
    return ids


def found(engine, query: cq.CaseQuery, viewer=STAFF) -> list[int]:
    return [r["id"] for r in cq.search(engine, viewer, query)["rows"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("福利", ["uv", "script"]),  # two Chinese characters, title hit ranks first
        ("价格", ["price"]),
        ("异常 价格", ["price"]),  # every word must match, in any order
        ("script", ["script"]),  # English, any case
        ("SCRIPT", ["script"]),
        ("gmv", ["wide"]),  # full-width ＧＭＶ in the title
        ("ＵＶ", ["uv", "wide"]),  # full-width query finds half-width text
        ("30%", ["uv"]),  # % is a character, not a wildcard
        ("%", ["uv", "wide"]),
        ("_", []),
        ("直播带货", []),
    ],
)
def test_words(engine, library, text, expected):
    assert found(engine, cq.CaseQuery(text)) == [library[n] for n in expected]


def test_ranking_title_then_occurrences(engine, library):
    rows = cq.search(engine, STAFF, cq.CaseQuery("福利"))["rows"]
    assert rows[0]["score"] >= cq.TITLE_WEIGHT > rows[1]["score"] > 0


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (dict(category="问题处理"), ["price"]),
        (dict(tag="新人培养"), ["script"]),
        (dict(platform="kuaishou"), ["price"]),
        (dict(host="林晓雨"), ["uv"]),
        (dict(host="外部达人"), ["price"]),  # a host not on the roster, by exported name
        (dict(date_from=DAY - dt.timedelta(days=45)), ["uv", "price"]),
        (dict(date_from=DAY - dt.timedelta(days=70), date_to=DAY - dt.timedelta(days=50)), ["script"]),
        (dict(status="published", category="促单技巧"), ["uv", "wide"]),
        (dict(text="福利", category="主播成长"), ["script"]),
        (dict(category="不存在的分类"), []),
    ],
)
def test_filters(engine, library, filters, expected):
    assert found(engine, cq.CaseQuery(**filters)) == [library[n] for n in expected]


def test_drafts_only_for_author_and_managers(engine, library):
    assert library["draft"] not in found(engine, cq.CaseQuery("福利"))
    assert library["draft"] in found(engine, cq.CaseQuery("福利"), MANAGER)
    assert found(engine, cq.CaseQuery(status="draft")) == []
    assert cq.search(engine, STAFF, cq.CaseQuery())["total"] == 4
    assert cq.search(engine, MANAGER, cq.CaseQuery())["total"] == 5


def test_snippet_and_title_highlight_are_escaped_text(engine, library):
    [row] = cq.search(engine, STAFF, cq.CaseQuery("script"))["rows"]
    assert ("SCRIPT", True) in row["snippet"]
    assert cq.highlight_spans(row["title"], ["script"]) == [
        ("Script", True),
        (" timing for new hosts", False),
    ]
    pieces = cq.highlight_spans("<b>福利</b>", ["福利"])
    assert pieces == [("<b>", False), ("福利", True), ("</b>", False)]


def test_facets_and_options(engine, library):
    facets = cq.facets(engine, STAFF)
    assert facets["categories"][0] == ("促单技巧", 2)
    assert ("价格异常", 1) in facets["tags"]
    options = cq.filter_options(engine, STAFF)
    assert options["hosts"] == ["外部达人", "林晓雨"] or options["hosts"] == ["林晓雨", "外部达人"]
    assert set(options["platforms"]) == {"douyin", "kuaishou"}


def test_search_text_is_rebuilt_on_edit(engine, library):
    case = cs.get_case(engine, MANAGER, library["price"])
    cs.update_case(
        engine,
        MANAGER,
        case["id"],
        case_input("库存预警复盘", highlights="补货及时"),
        version=case["version"],
    )
    assert found(engine, cq.CaseQuery("价格")) == []
    assert found(engine, cq.CaseQuery("补货")) == [library["price"]]
