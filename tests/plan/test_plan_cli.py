"""`schedule import FILE`, `schedule list --from --to --json`, `schedule compare`, `schedule undo`."""

import json


def test_import_list_compare_undo(engine, samples, cli_here, clock_at):
    clock_at("2026-11-20T09:00:00")
    path = samples / "schedule_2026-11-02_2026-11-08.csv"
    dry = cli_here("schedule", "import", str(path), "--dry-run")
    assert dry.returncode == 0 and json.loads(dry.stdout)["committed"] is False
    assert (
        json.loads(
            cli_here("schedule", "list", "--from", "2026-11-02", "--to", "2026-11-08", "--json").stdout
        )
        == []
    )
    done = cli_here("schedule", "import", str(path), "--user", "planner")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["rows"] == 29 and report["committed"]
    listed = json.loads(
        cli_here("schedule", "list", "--from", "2026-11-07", "--to", "2026-11-07", "--json").stdout
    )
    assert [(r["host_name"], r["starts_at"], r["minutes"]) for r in listed][:2] == [
        ("赵一鸣", "2026-11-07 10:00", 180),
        ("陈子墨", "2026-11-07 10:30", 240),
    ]
    assert {"review_due", "draft_due", "script_status", "ops_owner", "floor_manager"} <= listed[0].keys()
    compared = json.loads(
        cli_here("schedule", "compare", "--from", "2026-11-02", "--to", "2026-11-08", "--json").stdout
    )
    assert (compared["planned"], compared["held_as_planned"], compared["unmatched_held"]) == (29, 0, [])
    assert compared["scripts_due"] == 29 and compared["script_timeliness"] == 0  # none approved
    undone = cli_here("schedule", "undo", report["import_ref"])
    assert undone.returncode == 0 and json.loads(undone.stdout)["removed"] == 29


def test_a_bad_file_reports_rows_and_writes_nothing(engine, cli_here, tmp_path):
    bad = tmp_path / "plan.csv"
    bad.write_text("日期,开始时间,时长,平台,直播间,主播\n2026-11-02,19:00,0,抖音,a,甲\n", encoding="utf-8")
    out = cli_here("schedule", "import", str(bad), "--lang", "en")
    report = json.loads(out.stdout)
    assert out.returncode == 1 and report["committed"] is False
    assert report["errors"][0]["row"] == 2 and report["errors"][0]["column"] == "时长"
    assert report["errors"][0]["message"].startswith("Length “0”")
    assert cli_here("schedule", "import", str(tmp_path)).returncode == 2
