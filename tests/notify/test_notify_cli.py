"""`python -m lib.cli notify ...`: channels (masked), rules, `--due --json`, and two processes at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from lib import notify
from tests.notify.notify_testdata import breach, person

ROOT = Path(__file__).resolve().parents[2]
MORNING = "2026-12-07T09:40:00"


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_channel_and_rule_commands_mask_secrets(engine, robot, cli_here, clock_at):
    clock_at(MORNING)
    url = robot.url("dingtalk", "tok-abcdef-9876")
    done = cli_here(
        "notify", "channel", "add", "运营群", "--kind", "dingtalk", "--url", url, "--secret", "SECxyz-4321"
    )
    assert done.returncode == 0, done.stderr
    listed = cli_here("notify", "channel", "list", "--json")
    [row] = json.loads(listed.stdout)
    assert (row["name"], row["kind"], row["url"], row["secret"]) == ("运营群", "dingtalk", "…9876", "…4321")
    assert "tok-abcdef" not in listed.stdout and "SECxyz" not in listed.stdout
    robot.secrets["dingtalk"] = "SECxyz-4321"
    tested = cli_here("notify", "channel", "test", "运营群")
    assert tested.returncode == 0 and json.loads(tested.stdout)["status"] == "sent"
    assert robot.hits[-1].signed_ok is True
    added = cli_here("notify", "rule", "add", "--message", "brief", "--channel", "运营群", "--at", "09:30")
    assert added.returncode == 0, added.stderr
    [r] = json.loads(cli_here("notify", "rule", "list", "--json").stdout)
    assert (r["message"], r["channel"], r["at_time"], r["audience"]) == (
        "brief",
        "运营群",
        "09:30",
        "manager",
    )
    bad = cli_here("notify", "rule", "add", "--message", "brief", "--channel", "运营群", "--at", "9.30")
    assert bad.returncode == 2 and "HH:MM" in bad.stderr
    dry = _lines(cli_here("notify", "--due", "--dry-run", "--json").stdout)
    assert [d["status"] for d in dry] == ["dry_run"] and len(robot.delivered()) == 1
    first = _lines(cli_here("notify", "--due", "--json").stdout)
    second = _lines(cli_here("notify", "--due", "--json").stdout)
    assert [(d["status"], d["attempts"]) for d in first] == [("sent", 1)]
    assert [d["status"] for d in second] == ["already_sent"] and second[0]["key"] == first[0]["key"]
    assert set(first[0]) >= {"rule", "channel", "key", "status", "attempts", "answer"}
    assert '"errcode": 0' in first[0]["answer"] or '"errcode":0' in first[0]["answer"]


def test_channel_test_shows_the_platforms_error_code(engine, robot, cli_here):
    cli_here(
        "notify",
        "channel",
        "add",
        "feishu",
        "--kind",
        "feishu",
        "--url",
        robot.url("feishu"),
        "--secret",
        "nope",
    )
    done = cli_here("notify", "channel", "test", "feishu")
    assert done.returncode == 1 and "19021" in json.loads(done.stdout)["answer"]


def test_two_processes_at_once_send_each_message_once(engine, robot, cli_here, clock_at, database_url):
    clock_at("2026-12-07T14:00:00")
    for kind in ("wecom", "dingtalk", "feishu", "webhook"):
        assert (
            cli_here(
                "notify",
                "channel",
                "add",
                kind,
                "--kind",
                kind,
                "--url",
                robot.url(kind),
                *(("--secret", robot.secrets[kind]) if kind in robot.secrets else ()),
            ).returncode
            == 0
        )
        cli_here("notify", "rule", "add", "--message", "brief", "--channel", kind, "--at", "09:30")
        cli_here("notify", "rule", "add", "--message", "sla", "--channel", kind, "--audience", "staff")
    handler = person(engine, "张三", user_id="zhangsan")
    for _ in range(3):
        breach(engine, handler)
    env = {**os.environ, "DATABASE_URL": database_url, "LIVEOPS_TEST_NOW": "2026-12-07T14:00:00"}
    env.update(LIVEOPS_TESTING="1", LIVEOPS_NOTIFY_BACKOFF="0.01")
    cmd = [sys.executable, "-m", "lib.cli", "notify", "--due", "--json"]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=240) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    results = [r for out, _ in outs for r in _lines(out)]
    sent = [r["key"] for r in results if r["status"] == "sent"]
    assert len(sent) == len(set(sent)) == 8  # 4 briefs + 4 folded SLA messages, each by one process
    assert len(robot.hits) == 8 and len(robot.delivered()) == 8
    assert all(h.signed_ok is not False for h in robot.hits)


def test_a_sender_killed_between_send_and_mark_never_sends_twice(
    engine, robot, cli_here, clock_at, database_url
):
    clock_at(MORNING)
    cli_here("notify", "channel", "add", "wecom", "--kind", "wecom", "--url", robot.url("wecom"))
    cli_here("notify", "rule", "add", "--message", "brief", "--channel", "wecom", "--at", "09:30")
    robot.script["wecom"] = ["slow"]
    env = {**os.environ, "DATABASE_URL": database_url, "LIVEOPS_TEST_NOW": MORNING, "LIVEOPS_TESTING": "1"}
    cmd = [sys.executable, "-m", "lib.cli", "notify", "--due", "--json"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert robot.arrived.wait(120), "the sender never posted"
    proc.kill()  # the robot has the message; the sender dies before it records the answer
    proc.wait(30)
    assert len(robot.hits) == 1
    again = _lines(cli_here("notify", "--due", "--json").stdout)
    assert [d["status"] for d in again] == ["already_sent"]  # claimed: not sent a second time
    [stranded] = notify.recent(engine, notify.OPEN)
    assert stranded["status"] == "sending"
    try:
        notify.send_again(engine, stranded["id"], "t_admin")  # it may still be on its way: not yet
        raise AssertionError("sent while possibly in flight")
    except notify.NotifyError as exc:
        assert exc.code == "in_flight"
    clock_at("2026-12-07T09:50:00")
    assert notify.send_again(engine, stranded["id"], "t_admin").status == "sent"  # the admin decides
    assert len(robot.hits) == 2
