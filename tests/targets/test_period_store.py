"""Issue 20: period targets are set, edited and deleted by the targets page's habits (validation with a
message naming the value, the version the editor saw, write-once tokens, audit); a host target is for hosts
only; `python -m lib.cli target set|list` writes and reads them by the same rule."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from lib import targets as tg
from lib.core import forms
from lib.core.auth import add_user
from lib.core.db import write
from lib.core.models import AuditLog, PeriodTarget, Team


def _rows(engine):
    return [
        (r.metric, r.period, r.scope_kind, r.scope_value, r.value, r.version)
        for r in tg.load_period_targets(engine)
    ]


def _audits(engine, action):
    with engine.connect() as conn:
        found = conn.execute(
            select(AuditLog.username, AuditLog.detail).where(AuditLog.action == action).order_by(AuditLog.id)
        ).all()  # in writing order: a server may return a table's rows in any order without ORDER BY
    return [(a.username, json.loads(a.detail)) for a in found]


def test_set_edit_delete_with_versions_and_audit(engine, truth, clock_at):
    clock_at("2026-12-07T08:30")
    host = str(truth["people"]["林晓雨"])
    first = tg.set_period_target(engine, "boss", "gmv", "2026-12", "person", host, 600_000, token="tok-1")
    assert _rows(engine) == [("gmv", "2026-12", "person", host, 600_000, 1)]
    with pytest.raises(forms.AlreadySubmitted):  # a double tap writes once
        tg.set_period_target(engine, "boss", "gmv", "2026-12", "person", host, 600_000, token="tok-1")
    with pytest.raises(forms.StaleEdit) as stale:  # a second "new" target of the same key
        tg.set_period_target(engine, "other", "gmv", "2026-12", "person", host, 700_000, expected=None)
    assert stale.value.by == "boss"
    again = tg.set_period_target(engine, "boss", "gmv", "2026-12", "person", host, 650_000, expected=1)
    assert again == first and _rows(engine) == [("gmv", "2026-12", "person", host, 650_000, 2)]
    with pytest.raises(forms.StaleEdit):  # an edit from version 1, after version 2 was saved
        tg.set_period_target(engine, "other", "gmv", "2026-12", "person", host, 1, expected=1)
    with pytest.raises(forms.StaleEdit):
        tg.delete_period_target(engine, "other", first, expected=1)
    assert _rows(engine)[0][4] == 650_000
    tg.delete_period_target(engine, "boss", first, expected=2)
    assert _rows(engine) == []
    sets = _audits(engine, "period_target.set")
    assert [(u, d["value"], d["old_value"]) for u, d in sets] == [
        ("boss", 600_000, None),
        ("boss", 650_000, 600_000),
    ]
    [(user, detail)] = _audits(engine, "period_target.delete")
    assert user == "boss" and detail["scope_value"] == host and detail["value"] == 650_000


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("conversion_rate", "2026-12", "all", "", 0.05), "period_metric"),
        (("gmv", "2026-13", "all", "", 1.0), "period"),
        (("gmv", "2026-Q5", "all", "", 1.0), "period"),
        (("gmv", "12/2026", "all", "", 1.0), "period"),
        (("gmv", "2026-12", "all", "", 0.0), "period_value"),
        (("gmv", "2026-12", "all", "", -5.0), "period_value"),
        (("gmv", "2026-12", "all", "", float("inf")), "period_value"),
        (("gmv", "2026-12", "all", "", None), "value"),
        (("gmv", "2026-12", "galaxy", "x", 1.0), "scope"),
        (("gmv", "2026-12", "platform", "", 1.0), "scope_value"),
        (("gmv", "2026-12", "platform", "weibo", 1.0), "unknown_platform"),
        (("gmv", "2026-12", "room", "没有这个直播间", 1.0), "unknown_room"),
        (("gmv", "2026-12", "team", "999999", 1.0), "unknown_team"),
        (("gmv", "2026-12", "room", "x" * 129, 1.0), "scope_long"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(engine, truth, args, code):
    with pytest.raises(tg.TargetError) as err:
        tg.set_period_target(engine, "boss", *args)
    assert err.value.code == code
    assert _rows(engine) == []


def test_a_host_target_is_for_hosts_only(engine, truth):
    hosts = dict(tg.host_choices(engine))
    assert set(hosts.values()) == {"林晓雨", "陈子墨", "王欣然", "赵一鸣", "孙佳怡", "周俊杰"}
    assert dict(tg.scope_choices(engine)["person"]) == hosts  # the per-session targets' list too
    for name in ("韩雪", "高远", "吴昊"):  # customer service, the analyst, operations
        with pytest.raises(tg.TargetError) as err:
            tg.set_period_target(engine, "boss", "gmv", "2026-12", "person", str(truth["people"][name]), 1.0)
        assert err.value.code == "not_a_host"
    assert _rows(engine) == []


def test_cli_sets_and_lists_by_the_pages_rule(engine, truth, cli_here, clock_at):
    clock_at("2026-12-07T08:30")
    with write(engine) as conn:
        add_user(conn, "mgr_cli", "correct-horse-battery", "manager")
        add_user(conn, "staff_cli", "correct-horse-battery", "staff")
        team_a = conn.execute(select(Team.id).where(Team.name == "A组")).scalar()
    ok = cli_here("target", "set", "--metric", "gmv", "--month", "2026-12", "--value", "3000000")
    assert ok.returncode == 0, ok.stderr
    assert (
        cli_here(
            "target",
            "set",
            "--metric",
            "viewers",
            "--month",
            "2026-Q4",
            "--team",
            "A组",
            "--value",
            "90000",
            "--user",
            "mgr_cli",
        ).returncode
        == 0
    )
    assert (
        cli_here(
            "target", "set", "--metric", "sessions", "--month", "2026-12", "--host", "林晓雨", "--value", "40"
        ).returncode
        == 0
    )
    assert (
        cli_here(
            "target",
            "set",
            "--metric",
            "new_followers",
            "--month",
            "2026-12",
            "--platform",
            "抖音",
            "--value",
            "5000",
        ).returncode
        == 0
    )
    assert (
        cli_here(
            "target",
            "set",
            "--metric",
            "gmv",
            "--month",
            "2026-12",
            "--room",
            "一鸣数码",
            "--value",
            "800000",
        ).returncode
        == 0
    )
    replaced = cli_here("target", "set", "--metric", "gmv", "--month", "2026-12", "--value", "3200000")
    assert replaced.returncode == 0
    listed = cli_here("target", "list", "--json")
    rows = {(r["metric"], r["period"], r["scope_kind"]): r for r in json.loads(listed.stdout)}
    assert (
        rows[("gmv", "2026-12", "all")]["value"] == 3_200_000
        and rows[("gmv", "2026-12", "all")]["version"] == 2
    )
    assert rows[("viewers", "2026-Q4", "team")]["scope_value"] == str(team_a)
    assert rows[("viewers", "2026-Q4", "team")]["set_by"] == "mgr_cli"
    assert rows[("sessions", "2026-12", "person")]["scope_value"] == str(truth["people"]["林晓雨"])
    assert rows[("new_followers", "2026-12", "platform")]["scope_value"] == "douyin"
    assert rows[("gmv", "2026-12", "room")]["value"] == 800_000
    assert [u for u, _ in _audits(engine, "period_target.set")].count("cli") == 5
    only_q4 = json.loads(cli_here("target", "list", "--month", "2026-Q4", "--json").stdout)
    assert [r["metric"] for r in only_q4] == ["viewers"]
    refusals = [
        (("--host", "韩雪"), "not a host"),  # customer service
        (("--team", "Z组"), "unknown --team"),
        (("--user", "staff_cli"), "not an active manager"),
        (("--user", "nobody"), "not an active manager"),
        (("--month", "2026-13"), "YYYY-MM"),
        (("--value", "0"), "above 0"),
    ]
    for extra, text in refusals:
        args = {
            "--metric": "gmv",
            "--month": "2026-12",
            "--value": "1000",
            **dict(zip(extra[::2], extra[1::2], strict=True)),
        }
        out = cli_here("target", "set", *[x for kv in args.items() for x in kv])
        assert out.returncode == 2 and text in out.stderr, (extra, out.stderr)
    bad_metric = cli_here(
        "target", "set", "--metric", "conversion_rate", "--month", "2026-12", "--value", "1"
    )
    assert bad_metric.returncode == 2  # argparse: not a period metric
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(PeriodTarget)).scalar() == 5
