"""Browser: a manager opens one person's scorecard and sees the rows it came from (their sessions)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lib.core.models import Person
from lib.importing.pipeline import import_bytes
from tests.e2e.conftest import ARTIFACTS, arrive_logged_in, go_to, no_exception, until_taken

pytestmark = pytest.mark.e2e
FILES = ("roster.csv", "taobao_2026-11-02_2026-11-08.csv", "manual_metrics_2026-10.csv")


def test_manager_opens_a_card_and_sees_its_source_rows(
    engine, database_url, users, samples, start_server, page
):
    for name in FILES:
        assert import_bytes(engine, (samples / name).read_bytes(), name, "t_manager").ok
    with engine.connect() as conn:
        pid = conn.execute(select(Person.id).where(Person.name == "孙佳怡")).scalar_one()
    server = start_server(
        database_url,
        # the samples are of November 2026: the card opens on the month before the team's "now"
        env={
            "LIVEOPS_COOKIE_KEY": "scorecards-e2e-cookie-key-0123456789abcdef",
            "LIVEOPS_TEST_NOW": "2026-11-20T10:00:00",
        },
    )
    arrive_logged_in(page, server, users["manager"])
    go_to(page, "岗位绩效考核")
    page.get_by_text("本月最佳协作小组", exact=False).first.wait_for()
    no_exception(page)
    # pick the person first (the month's table is done rendering), then the month: the pick is kept
    page.locator(".st-key-sc_person").wait_for()
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")

    def pick(box: str, typed: str, option: str, shown: str):
        def act() -> None:  # a rerun that lands while the list is open closes it (seen once in CI): again
            page.keyboard.press("Escape")
            page.locator(box).click()
            page.keyboard.type(typed)
            page.get_by_role("option", name=option).click(timeout=15_000)
            page.get_by_text(shown).wait_for(timeout=30_000)

        until_taken(page, act)

    pick(".st-key-sc_person", "孙佳怡", "孙佳怡 · 主播", "孙佳怡 · 2026-10 考核卡")
    page.get_by_text("计入的直播场次 (0)").wait_for()  # the October card has rendered to its end
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")
    pick(".st-key-sc_month", "2026-11", "2026-11", "孙佳怡 · 2026-11 考核卡")
    page.get_by_text("计入的直播场次 (7)").wait_for()
    page.wait_for_function(f"location.search.includes('person={pid}')")  # the card's URL can be shared
    no_exception(page)
    # the sessions table (the last grid on the card): its accessible cells carry the values
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    # the grid is a canvas; its accessible (hidden) table carries the cell values
    cells = grid.locator('td[role="gridcell"]').all_text_contents()
    starts = sorted(c for c in cells if c.startswith("2026-11-0"))
    assert len(starts) == 7 and starts[0] == "2026-11-02 10:00:00" and starts[-1] == "2026-11-08 19:30:00"
    assert "205253.24" in cells  # the session of 11-07, GMV as stored
    page.screenshot(path=str(ARTIFACTS / "scorecards_card.png"), full_page=True)
    grid.screenshot(path=str(ARTIFACTS / "scorecards_card_sessions.png"))
