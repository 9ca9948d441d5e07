"""Issue 25 item 12: text that looks like a URL (`http://evil.example`, `www.…`, `a@b.example`) in a case's
title, category, tags, body, action items or review comment is shown as text on the case pages, never
as a link: links are only where the product puts them (tests/foundation/links.py says what the browser's
Markdown would link)."""

from __future__ import annotations

from lib import cases as cs
from tests.cases.case_data import DAY, MANAGER, STAFF, add_people, add_session, case_input
from tests.foundation.links import markdown_links

URLISH = "http://evil.example/a WWW.evil.example b@evil.example"


def test_url_like_case_text_is_never_a_link(run_page, engine):
    people = add_people(engine)
    sid = add_session(engine, people["林晓雨"], "林晓雨", DAY, 85_000, 6000, 150)
    body = f"见 [这里](http://evil.example) 和 {URLISH}"
    case_id = cs.create_case(
        engine,
        STAFF._replace(person_id=people["林晓雨"]),  # the host links her session
        case_input(
            f"复盘 {URLISH}",
            category="www.cat.example",
            tags=("http://tag.example",),
            background=body,
            highlights=body,
            session_ids=(sid,),
            action_items=(cs.ItemInput(f"跟进 {URLISH}", people["林晓雨"]),),
        ),
    )
    cs.transition(engine, STAFF, case_id, "submit")
    cs.transition(engine, MANAGER, case_id, "send_back", f"请看 {URLISH}")
    cs.transition(engine, STAFF, case_id, "submit")
    cs.transition(engine, MANAGER, case_id, "publish")

    one = run_page("cases", "manager", query={"case": str(case_id)})
    assert not one.exception
    assert "evil" in one.title[0].value  # shown, as text
    assert markdown_links(one) == []

    library = run_page("cases", "staff")
    library.text_input(key="q").input("evil").run()
    assert not library.exception
    assert any("evil" in m.value for m in library.markdown)  # the hit is listed
    assert markdown_links(library) == []
    library.text_input(key="q").input("").run()
    library.radio(key="cases_view").set_value("browse").run()
    assert markdown_links(library) == []
