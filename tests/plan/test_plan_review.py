"""A session's review page shows its plan beside what happened (lib/plan/session_plan.py): the same
matching as the schedule's figures, the verdict, forecast error, theme and owners; "no plan" when none."""

import pytest

from lib import plan
from lib.core.formatting import format_value
from tests.plan.helpers import held, planned, when

NOW = "2026-11-06T09:00:00"


def _plan_and_held(engine):
    late = planned(
        engine,
        "2026-11-05 19:00",
        180,
        theme="宠粉福利夜",
        products="空气炸锅",
        ops_owner="吴昊",
        content_owner="彭诗涵",
        floor_manager="何佳琪",
        forecast_gmv=120000,
        forecast_viewers=4000,
    )
    held_late = held(engine, "2026-11-05 19:25", 150, host="林晓雨", gmv=100000, viewers=5000)
    on_time = planned(engine, "2026-11-05 10:00", 120, account="room-b", host="周俊杰")
    held_on_time = held(engine, "2026-11-05 10:05", 125, account="room-b", host="周俊杰")
    unplanned = held(engine, "2026-11-05 14:00", 60, account="room-c")
    return late, held_late, on_time, held_on_time, unplanned


def test_a_session_gets_the_plan_the_schedule_figures_matched(engine, clock_at):
    clock_at(NOW)
    late, held_late, on_time, held_on_time, unplanned = _plan_and_held(engine)
    now = when(NOW)
    week = plan.compare(engine, when("2026-11-02 00:00").date(), when("2026-11-08 00:00").date(), now)
    by_held = {m.held.id: m for m in week.matches}
    for session_id, planned_id in ((held_late, late), (held_on_time, on_time)):
        sp = plan.plan_of_session(engine, session_id, now)
        assert sp is not None and sp.planned["id"] == planned_id == by_held[session_id].planned.id
        assert (sp.match.as_planned, sp.match.reasons) == (
            by_held[session_id].as_planned,
            by_held[session_id].reasons,
        )
    sp = plan.plan_of_session(engine, held_late, now)
    assert sp.match.reasons == ["late", "short"] and sp.match.start_delta_minutes == 25
    assert sp.error("gmv") == pytest.approx(0.2) and sp.error("viewers") == pytest.approx(-0.2)
    # The week's MAPE averages the absolute per-session errors shown on the review pages.
    assert week.mape("forecast_gmv", "gmv") == pytest.approx(abs(sp.error("gmv")))
    assert plan.plan_of_session(engine, unplanned, now) is None
    assert plan.plan_of_session(engine, 999_999, now) is None


@pytest.mark.one_database
def test_review_page_shows_the_plan_block(engine, run_page, clock_at):
    clock_at(NOW)
    _late, held_late, _on_time, held_on_time, unplanned = _plan_and_held(engine)
    at = run_page("session_detail", "manager", query={"session": str(held_late)})
    assert not at.exception
    assert "排期对照" in [s.value for s in at.subheader]
    assert any(m.value.startswith("未按计划：开播晚了、时长不足") for m in at.markdown)
    table = next(d.value for d in at.dataframe if "排期 / 预估" in d.value.columns).set_index("项目")
    assert table.loc["开播时间"].tolist() == ["11-05 19:00", "11-05 19:25", "+25 分钟"]
    assert table.loc["时长"].tolist() == ["180 分钟", "150 分钟", "-30 分钟"]
    assert table.loc["GMV"].tolist() == [
        format_value(120000, "cny", "zh"),
        format_value(100000, "cny", "zh"),
        "+20.0%",
    ]
    assert table.loc["观看人数"].tolist() == ["4,000", "5,000", "-20.0%"]
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "主题：宠粉福利夜 · 空气炸锅" in captions
    assert "运营负责人 吴昊 · 内容负责人 彭诗涵 · 场控 何佳琪" in captions

    at = run_page("session_detail", "manager", query={"session": str(held_on_time)}, lang="en")
    assert any(m.value.startswith("Held as planned") for m in at.markdown)
    at = run_page("session_detail", "manager", query={"session": str(unplanned)})
    assert not at.exception
    assert any(c.value.startswith("这一场没有对应的排期") for c in at.caption)
