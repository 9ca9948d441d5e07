"""The roster import carries each person's chat user id (for @-mentions) beside the mobile."""

from __future__ import annotations

from sqlalchemy import select

from lib import importing, notify
from lib.core.models import Person

ROSTER = "姓名,岗位,部门,小组,手机号,企业微信ID\n林晓雨,主播,主播部,A组,13812345678,linxiaoyu\n吴昊,运营,运营部,A组,13900000000,\n"


def test_roster_import_stores_the_chat_user_id(engine):
    report = importing.import_bytes(engine, ROSTER.encode(), "roster.csv", username="t", kind="roster")
    assert report.ok, report
    with engine.connect() as conn:
        rows = dict(conn.execute(select(Person.name, Person.chat_user_id)).all())
    assert rows == {"林晓雨": "linxiaoyu", "吴昊": None}
    assert notify.unmentionable(engine, "feishu") == ["吴昊"]
    assert notify.unmentionable(engine, "dingtalk") == []  # 吴昊 has a mobile
