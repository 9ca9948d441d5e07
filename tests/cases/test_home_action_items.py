"""The home page names the overdue action items of the person linked to the logged-in user (with how many
are open in all); items not yet due, and other people's, are not "needs me now"."""

from __future__ import annotations

import datetime as dt

from case_data import MANAGER, add_people, add_staff, case_input

from lib import cases as cs
from lib.core.db import now
from lib.core.i18n import translate
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
    assert "逾期行动项" not in "".join(m.value for m in at.markdown)  # a draft's items are not yet tasks
    cs.transition(engine, me, case_id, "submit")
    cs.transition(engine, MANAGER, case_id, "publish")
    at = app_test("pages/overview.py", "xiaoyu").run()
    assert not at.exception
    text = [m.value for m in at.markdown]
    assert translate("overview.items_head", "zh", n=1, open=2) in text
    (lines,) = [v for v in text if v.startswith("- ")]
    assert lines.count("\n- ") == 0 and "已逾期 3 天" in lines  # only the overdue one is named
    assert "\\<b\\>" in lines or "&lt;b&gt;" in lines  # user text shown as text, not HTML
    assert not any("话术培训" in v or "不是我的" in v for v in text)
