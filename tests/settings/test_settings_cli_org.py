"""`python -m lib.cli settings list|set`, and departments, teams and positions (add, rename, retire:
history kept)."""

import json

import pytest
import sqlalchemy as sa

from lib import settings
from lib.core.models import AuditLog, Person, Position, SettingValue


def test_cli_list_and_set(engine, cli_here, clock_at):
    clock_at("2026-12-10T12:00")
    listed = json.loads(cli_here("settings", "list", "--json").stdout)
    by_key = {i["key"]: i for i in listed["settings"]}
    assert (
        by_key["plan.match_window_minutes"]["value"] == 30 and by_key["plan.review_days_before"]["value"] == 2
    )
    assert {"category", "severity", "respond_minutes", "resolve_minutes"} <= listed["incident_slas"][0].keys()
    done = cli_here("settings", "set", "plan.length_tolerance_minutes", "20", "--from", "2027-01")
    assert done.returncode == 0, done.stderr
    again = {i["key"]: i for i in json.loads(cli_here("settings", "list", "--json").stdout)["settings"]}
    assert again["plan.length_tolerance_minutes"]["value"] == 15  # in force now: January is still to come
    assert again["plan.length_tolerance_minutes"]["versions"][0] | {"set_at": None} == {
        "month_from": "2027-01",
        "value": 20,
        "set_by": "cli",
        "set_at": None,
    }


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("plan.on_time_minutes", "soon"), "On-time tolerance (minutes): 'soon' is not a whole number"),
        (("plan.match_window_minutes", "-5"), "Match window (minutes): -5 is outside 1 to 240"),
        (("plan.draft_days_before", "9", "--from", "2026-11"), "In force from: 2026-11 is in the past"),
        (("team.timezone", "Europe/Atlantis"), "Team time zone: 'Europe/Atlantis' is not a known time zone"),
        (("sla.major", "3"), "There is no setting called 'sla.major'"),
    ],
)
def test_cli_bad_input_exit_2_and_nothing_stored(engine, cli_here, clock_at, args, said):
    clock_at("2026-12-10T12:00")
    done = cli_here("settings", "set", *args)
    assert done.returncode == 2 and said in done.stderr, done.stderr
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SettingValue)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(AuditLog)).scalar() == 0


def test_cli_error_in_chinese(engine, cli_here):
    done = cli_here("settings", "set", "plan.on_time_minutes", "x", "--lang", "zh")
    assert done.returncode == 2 and "准时容差（分钟）：「x」不是整数。" in done.stderr


def test_departments_and_teams_add_and_rename(engine):
    team = settings.add_named(engine, "team", "  直播 A 组 ", "t_admin")
    settings.rename_named(engine, "team", team, "直播一组", "t_admin")
    assert [r["name"] for r in settings.named_rows(engine, "team")] == ["直播一组"]
    with pytest.raises(settings.SettingsError) as caught:
        settings.add_named(engine, "department", "运营部", "t_admin")  # seeded
    assert caught.value.code == "name_taken" and "「运营部」已被使用" in caught.value.message("zh")
    with pytest.raises(settings.SettingsError) as caught:
        settings.rename_named(engine, "team", team, " ", "t_admin")
    assert caught.value.message("en").startswith("Name: '' must not be empty")
    history = settings.org_history(engine)
    assert [(h["action"], h.get("old"), h.get("new") or h.get("name")) for h in history] == [
        ("org_renamed", "直播 A 组", "直播一组"),
        ("org_added", None, "直播 A 组"),
    ]
    assert all(h["username"] == "t_admin" and h["at"] is not None for h in history)


def test_position_add_rename_retire_keeps_history(engine):
    pid = settings.add_position(engine, "floor_lead", "场控组长", "Floor lead", "t_admin")
    with engine.begin() as conn:
        conn.execute(sa.insert(Person).values(name="周场控", position_id=pid, active=True))
    settings.rename_position(engine, pid, "场控主管", "Floor supervisor", "t_admin")
    settings.set_position_active(engine, pid, False, "t_admin")
    assert "floor_lead" not in settings.active_position_keys(engine)  # not offered for new ones
    row = next(r for r in settings.position_rows(engine) if r["id"] == pid)
    assert (row["key"], row["name_zh"], row["active"], row["people"]) == ("floor_lead", "场控主管", False, 1)
    with engine.connect() as conn:  # the person keeps the retired position
        assert conn.execute(sa.select(Person.position_id).where(Person.name == "周场控")).scalar() == pid
    renamed = next(h for h in settings.org_history(engine) if h["action"] == "org_renamed")
    assert (renamed["old"], renamed["new"], renamed["old_en"], renamed["username"]) == (
        "场控组长",
        "场控主管",
        "Floor lead",
        "t_admin",
    )
    settings.set_position_active(engine, pid, True, "t_admin")
    assert "floor_lead" in settings.active_position_keys(engine)


@pytest.mark.parametrize(
    ("key", "zh", "en", "code"),
    [
        ("Floor", "场控组长", "Floor lead", "bad_position_key"),
        ("host", "主播二", "Host two", "name_taken"),  # the code is taken
        ("host2", "主播", "Host two", "name_taken"),
        ("host2", "主播二", "HOST", "name_taken"),  # English names compare without case
        ("host2", "", "Host two", "bad_name"),
        ("host2", "主" * 65, "Host two", "bad_name"),
    ],
)
def test_bad_position_refused_nothing_stored(engine, key, zh, en, code):
    with engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(Position)).scalar()
    with pytest.raises(settings.SettingsError) as caught:
        settings.add_position(engine, key, zh, en, "t_admin")
    assert caught.value.code == code
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Position)).scalar() == before


def test_roster_keeps_a_retired_position_but_gives_it_to_nobody_new(engine):
    from lib import importing

    data = "姓名,岗位,部门\n周场控,场控,运营部\n".encode()
    assert importing.import_bytes(engine, data, "roster.csv", username="t_admin").ok
    pid = next(r["id"] for r in settings.position_rows(engine) if r["key"] == "field_control")
    settings.set_position_active(engine, pid, False, "t_admin")
    again = importing.import_bytes(engine, data, "roster.csv", username="t_admin")
    assert again.ok, again.problems  # who holds it keeps it
    newcomer = "姓名,岗位,部门\n周场控,场控,运营部\n吴新人,场控,运营部\n".encode()
    refused = importing.import_bytes(engine, newcomer, "roster.csv", username="t_admin")
    assert [(e.row, e.column, e.value, e.code) for e in refused.errors] == [
        (3, "岗位", "场控", "retired_position")
    ]
    assert "岗位已停用" in refused.problems[0] and "场控、" not in refused.problems[0]
    with engine.connect() as conn:
        assert conn.execute(sa.select(Person.name).where(Person.name == "吴新人")).first() is None
