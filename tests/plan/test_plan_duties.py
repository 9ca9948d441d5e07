"""What the schedule asks of its people (lib/plan/duties.py): scripts missing today and tomorrow by
content owner on the schedule page; a planner's own overdue scripts (内容负责人) and missing forecasts
(运营负责人) on the home page's "what needs me now"; a login is its roster person (users.person_id)."""

import datetime as dt

import pytest
import sqlalchemy as sa

from lib import plan
from lib.core import db
from lib.core.models import User
from tests.conftest import app_test
from tests.plan.helpers import person, planned, when

NOW = "2026-11-05T09:00:00"  # a Thursday morning


def _week(engine) -> dict[str, int]:
    ids = {
        # today: script not reviewed (review due end of 11-03), no forecast (due end of 11-02)
        "today": planned(engine, "2026-11-05 19:00", content_owner="彭诗涵", ops_owner="吴昊"),
        # tomorrow: approved and forecast → nothing owed
        "approved": planned(
            engine,
            "2026-11-06 10:00",
            account="room-b",
            host="周俊杰",
            content_owner="彭诗涵",
            ops_owner="吴昊",
            forecast_gmv=50000,
            forecast_viewers=2000,
        ),
        # tomorrow evening: another content owner's script, submitted only
        "other": planned(engine, "2026-11-06 20:00", account="room-c", host="王欣然", content_owner="谢文博"),
        # next Monday: the draft was due 11-02 (late); the forecast is due only at the end of 11-06
        "monday": planned(engine, "2026-11-09 19:00", content_owner="彭诗涵", ops_owner="吴昊"),
        # cancelled: owes nothing
        "cancelled": planned(
            engine, "2026-11-05 21:30", account="room-d", host="赵一鸣", content_owner="彭诗涵"
        ),
    }
    with db.write(engine) as conn:
        plan.record_script(conn, ids["approved"], "approved", "t_manager")
        plan.record_script(conn, ids["other"], "submitted", "t_manager")
        plan.set_status(conn, ids["cancelled"], "cancelled", "t_manager")
    return ids


def _link(engine, username: str, name: str) -> int:
    pid = person(engine, name)
    with db.write(engine) as conn:
        conn.execute(sa.update(User).where(User.username == username).values(person_id=pid))
    return pid


def test_missing_scripts_and_each_planners_duties(engine, users, clock_at):
    clock_at(NOW)
    ids = _week(engine)
    now = when(NOW)
    missing = plan.duties.missing_scripts(engine, now.date(), now)
    assert {k: [r["id"] for r in v] for k, v in missing.items()} == {
        "彭诗涵": [ids["today"]],
        "谢文博": [ids["other"]],
    }
    content = plan.duties.duties_of(engine, _link(engine, "t_staff", "彭诗涵"), now)
    assert [r["id"] for r in content.scripts] == [ids["today"], ids["monday"]] and content.forecasts == []
    ops = plan.duties.duties_of(engine, _link(engine, "t_manager", "吴昊"), now)
    assert ops.scripts == [] and [r["id"] for r in ops.forecasts] == [ids["today"]]
    # Two days on the Monday session's forecast is due too; the Thursday one has started (not owed now).
    later = now + dt.timedelta(days=2)
    assert [r["id"] for r in plan.duties.duties_of(engine, _id(engine, "吴昊"), later).forecasts] == [
        ids["monday"]
    ]
    assert plan.duties.duties_of(engine, None, now).total == 0  # a login with no roster person


def _id(engine, name: str) -> int:
    from lib.core.models import Person

    with engine.connect() as conn:
        return conn.execute(sa.select(Person.id).where(Person.name == name)).scalar()


@pytest.mark.one_database
def test_home_needs_me_lists_the_planners_own_work(engine, users, clock_at, monkeypatch):
    from lib.core import auth

    monkeypatch.setattr(auth, "SECRETS_FILE", auth.SECRETS_FILE.parent / "no-such-secrets.toml")
    monkeypatch.setenv("LIVEOPS_COOKIE_KEY", "k" * 48)
    clock_at(NOW)
    _week(engine)
    _link(engine, "t_staff", "彭诗涵")
    _link(engine, "t_manager", "吴昊")
    at = app_test("app.py", users["staff"]).run()
    assert not at.exception, at.exception
    shown = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "**排期待办**：脚本逾期 2 场" in shown and "缺预估" not in shown
    assert "11-05 19:00–21:00 · 抖音 room-a · 林晓雨 · 脚本: 审核逾期" in shown
    assert "11-09 19:00–21:00 · 抖音 room-a · 林晓雨 · 脚本: 初稿逾期" in shown
    assert "今日缺脚本 1 场" in [c.value for c in at.caption]  # today's plan: the cancelled one left out
    at = app_test("app.py", users["manager"]).run()
    shown = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "**排期待办**：缺预估 1 场" in shown
    assert "11-05 19:00–21:00 · 抖音 room-a · 林晓雨 · 缺预估（GMV / 观看人数）" in shown
    at = app_test("app.py", users["admin"]).run()  # no roster person: no plan work card
    assert "排期待办" not in " ".join(m.value for m in at.markdown)


@pytest.mark.one_database
def test_schedule_page_lists_missing_scripts_for_their_owners(engine, run_page, clock_at):
    clock_at(NOW)
    _week(engine)
    _link(engine, "t_staff", "谢文博")
    at = run_page("schedule", "manager")  # every owner's, the user's own first
    assert not at.exception
    shown = [m.value.replace("\\", "") for m in at.markdown]
    assert "**彭诗涵：1 场**" in shown and "**谢文博：1 场**" in shown
    at = run_page("schedule", "staff")  # only their own, marked
    shown = [m.value.replace("\\", "") for m in at.markdown]
    assert "**谢文博（我）：1 场**" in shown and "**彭诗涵：1 场**" not in shown
    assert any("11-06 20:00–22:00 · 抖音 room-c · 王欣然 · 脚本: 审核逾期" in s for s in shown)
