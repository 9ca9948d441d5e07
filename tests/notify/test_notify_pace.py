"""The "pace" notice (docs/extending.md, example 3): period targets falling behind their pacing, as the
home page's month block shows them (the same tiles and the same caption), told once a day while behind,
to any audience; the CLI and the admin page's rule form offer it."""

from __future__ import annotations

import json

from lib import kpis, notify
from lib import targets as tg
from lib.cli import main
from lib.core import clock
from lib.core.formatting import format_metric
from lib.core.metrics import metric
from tests.kpis.truth_data import load_roster, load_truth_sessions
from tests.notify.notify_testdata import channel, rule


def _week(engine, samples) -> None:
    """The sample week (2026-11-02 .. 08, about 3.06 M GMV); a GMV target far ahead of it, a viewers
    target already met."""
    load_truth_sessions(engine, samples, load_roster(engine, samples))
    tg.set_period_target(engine, "t", "gmv", "2026-11", "all", "", 10_000_000)
    tg.set_period_target(engine, "t", "viewers", "2026-11", "all", "", 10_000)


def test_behind_targets_are_told_once_a_day_in_the_home_pages_words(engine, samples, robot, clock_at):
    clock_at("2026-11-20T10:00:00")
    _week(engine, samples)
    rule(engine, "pace", channel(engine, robot, "webhook"), audience="staff")
    [sent] = notify.run_due(engine)
    assert (sent["status"], sent["items"]) == ("sent", 1)
    body = robot.delivered("webhook")[0].body
    tiles = {t.metric: t for t in kpis.overview_tiles(engine, clock.now())}  # the home page's own tiles
    gmv = tiles["gmv"]
    assert gmv.status == "red" and tiles["viewers"].status == "green"  # the page: GMV behind, viewers not
    caption = tg.target_caption("gmv", gmv.detail, "zh")  # the tile's caption on the home page
    assert body["lines"] == [
        f"{metric('gmv').name('zh')} {format_metric('gmv', gmv.actual, 'zh')} · {caption}"
    ]
    assert "每天还需" in caption and body["title"] == "1 项周期目标进度落后于时间进度"
    clock_at("2026-11-20T16:00:00")
    assert notify.run_due(engine) == []  # told once that day
    clock_at("2026-11-21T10:00:00")
    [again] = notify.run_due(engine)  # still behind the next day: told again
    assert again["items"] == 1 and len(robot.delivered("webhook")) == 2


def test_a_finished_period_or_a_target_on_pace_is_not_news(engine, samples, robot, clock_at):
    clock_at("2026-12-03T10:00:00")  # early in December the home page's block is the whole of November
    _week(engine, samples)
    rule(engine, "pace", channel(engine, robot, "webhook"))
    assert notify.run_due(engine) == []
    clock_at("2026-11-08T23:00:00")  # 3.06 M of 10 M (31 %) with 27 % of the month gone: on pace
    assert notify.run_due(engine) == []
    clock_at("2026-11-12T10:00:00")  # no more sessions and 37 % of the month gone: behind
    assert [r["items"] for r in notify.run_due(engine)] == [1]


def test_cli_and_the_admin_form_offer_it(engine, robot, run_page, capsys):
    name = channel(engine, robot, "feishu")
    assert main(["notify", "rule", "add", "--message", "pace", "--channel", name, "--audience", "staff"]) == 0
    at = run_page("notify", "admin")
    assert not at.exception
    assert at.selectbox(key="nru_message").options[-1] == "周期目标进度落后"
    at.selectbox(key="nru_message").set_value("pace")
    at.selectbox(key="nru_audience").set_value("manager")
    at.button(key="FormSubmitter:nru_add_form-添加规则").click().run()
    assert not at.exception and not at.error
    assert main(["notify", "rule", "list", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert [(r["message"], r["audience"]) for r in got] == [("pace", "staff"), ("pace", "manager")]


def test_every_event_message_has_a_builder_and_a_page():
    """The two registries a new event message goes in (model.EVENTS, events.SOURCES / PAGES) agree."""
    from lib.notify.events import PAGES

    assert set(notify.EVENTS) == set(notify.EVENT_SOURCES) == set(PAGES)
