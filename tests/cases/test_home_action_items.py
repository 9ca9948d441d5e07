"""The home page lists the open action items of the person linked to the logged-in user, overdue first."""

from __future__ import annotations

import datetime as dt

from case_data import MANAGER, add_people, add_staff, case_input

from lib import cases as cs
from lib.core.db import now
from tests.conftest import app_test


def test_owner_sees_own_open_items_on_the_home_page(engine, users):
    people = add_people(engine)
    me = add_staff(engine, "xiaoyu", people["林晓雨"])
    today = now().date()
    items = (
        cs.ItemInput("<b>补货</b> 提醒脚本", people["林晓雨"], today - dt.timedelta(days=3)),
        cs.ItemInput("话术培训", people["林晓雨"], today + dt.timedelta(days=5)),
        cs.ItemInput("不是我的", people["王欣然"], today + dt.timedelta(days=1)),
    )
    case_id = cs.create_case(engine, me, case_input(action_items=items))
    at = app_test("pages/overview.py", "xiaoyu").run()
    assert not at.exception
    assert "我的行动项" not in "".join(m.value for m in at.markdown)  # a draft's items are not yet tasks
    cs.transition(engine, me, case_id, "submit")
    cs.transition(engine, MANAGER, case_id, "publish")
    at = app_test("pages/overview.py", "xiaoyu").run()
    assert not at.exception
    text = [m.value for m in at.markdown]
    head = next(v for v in text if "我的行动项" in v)
    assert "2 项未完成" in head and "1 项已逾期" in head
    lines = [v for v in text if v.startswith("- ")]
    assert len(lines) == 2 and "已逾期 3 天" in lines[0] and "话术培训" in lines[1]
    assert "\\<b\\>" in lines[0] or "&lt;b&gt;" in lines[0]  # user text shown as text, not HTML
    assert not any("不是我的" in v for v in text)
