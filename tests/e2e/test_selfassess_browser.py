"""Browser: a staff member's card with their monthly self-assessment beside it and their manager's comment,
shown as typed (no Markdown, no HTML), on a phone and a desktop; screenshots of both sizes."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from lib.core import db
from lib.core.models import Person, SelfAssessment, User
from lib.importing.pipeline import import_bytes
from tests.e2e.conftest import ARTIFACTS, arrive_logged_in, go_to, no_exception

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LIVEOPS_SHOTS", ARTIFACTS))
TYPED = "<b>不加粗</b> **不是星号粗体**，开播准点 12 场"


def test_staff_card_with_the_self_assessment(engine, database_url, users, samples, start_server, sized):
    size, page = sized
    for name in ("roster.csv", "manual_metrics_2026-10.csv"):
        assert import_bytes(engine, (samples / name).read_bytes(), name, "t_manager").ok
    with db.write(engine) as conn:
        pid = conn.execute(select(Person.id).where(Person.name == "韩雪")).scalar_one()
        conn.execute(update(User).where(User.username == users["staff"]).values(person_id=pid))
        conn.execute(
            insert(SelfAssessment).values(
                person_id=pid,
                month="2026-10",
                strengths=TYPED,
                shortfalls="两次回复超过 30 秒",
                next_plan="高峰时段加一名客服\n常见问题做成快捷回复",
                written_by=users["staff"],
                written_at=dt.datetime(2026, 10, 31, 18, 30),
                manager_comment="快捷回复先覆盖退换货问题。",
                commented_by=users["manager"],
                commented_at=dt.datetime(2026, 11, 3, 9, 0),
                version=2,
            )
        )
    server = start_server(
        database_url,
        env={
            "LIVEOPS_COOKIE_KEY": "selfassess-e2e-cookie-key-0123456789abcdef",
            "LIVEOPS_TEST_NOW": "2026-11-05T10:00:00",
        },
    )
    arrive_logged_in(page, server, users["staff"])
    go_to(page, "岗位绩效考核")
    page.get_by_text("韩雪 · 2026-10 考核卡").wait_for()
    page.get_by_text("月度自评", exact=True).wait_for()
    page.get_by_text(TYPED).wait_for()  # the typed tags and asterisks shown as they were typed
    page.get_by_text("快捷回复先覆盖退换货问题。").wait_for()
    page.get_by_text("修改自评").wait_for()  # open until 2026-11-07
    no_exception(page)
    assert page.locator("b", has_text="不加粗").count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_text("韩雪 · 2026-10 考核卡").scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SHOTS / f"scorecard_card_{size}.png"))
    page.get_by_text("月度自评", exact=True).scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"scorecard_selfassess_{size}.png"))
    page.get_by_text("修改自评").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"scorecard_selfassess_comment_{size}.png"))
