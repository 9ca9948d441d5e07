"""`python -m lib.cli target set|list`: period targets from the command line, by the targets page's rule
(the same validation, write and audit: lib.targets.period_store)."""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy import Engine, select

from lib.core import forms
from lib.core.access import MANAGERS
from lib.core.auth import load_user
from lib.core.db import get_engine
from lib.core.i18n import translate
from lib.core.models import Team
from lib.core.platforms import PLATFORM_NAMES
from lib.core.schema import upgrade
from lib.targets.period import PERIOD_METRICS
from lib.targets.period_store import host_choices, load_period_targets, set_period_target
from lib.targets.set_target import TargetError

CLI_USER = "cli"  # recorded as the setter when --user is not given (as `import` does)


def _scope(engine: Engine, args: argparse.Namespace) -> tuple[str, str] | str:
    """(scope kind, stored value) from the one scope option given, or an error text."""
    if args.platform:
        return "platform", PLATFORM_NAMES.get(args.platform.strip().lower(), args.platform.strip())
    if args.room:
        return "room", args.room.strip()
    if args.team:
        with engine.connect() as conn:
            team_id = conn.execute(select(Team.id).where(Team.name == args.team.strip())).scalar()
        return ("team", str(team_id)) if team_id is not None else f"unknown --team {args.team!r}"
    if args.host:
        ids = [pid for pid, name in host_choices(engine) if name == args.host.strip()]
        if len(ids) != 1:
            return f"--host {args.host!r} is not a host on the roster (people in the host position)"
        return "person", ids[0]
    return "all", ""


def _user_error(engine: Engine, username: str) -> str | None:
    """The page's rule: targets are set by managers and admins (the default CLI user stands for the operator)."""
    if username == CLI_USER:
        return None
    with engine.connect() as conn:
        user = load_user(conn, username)
    if user is None or user.role not in MANAGERS:
        return f"--user {username!r} is not an active manager or admin"
    return None


def cmd_target_set(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade(engine)
    scope = _scope(engine, args)
    error = scope if isinstance(scope, str) else _user_error(engine, args.user)
    if error or isinstance(scope, str):  # a scope error is a non-empty text
        print(f"error: {error}", file=sys.stderr)
        return 2
    kind, value = scope
    try:
        target_id = set_period_target(
            engine, args.user, args.metric, args.month, kind, value, args.value, expected="any"
        )
    except TargetError as exc:
        print("error: " + translate(f"kpis.target_error.{exc.code}", "en", **exc.params), file=sys.stderr)
        return 2
    except forms.StaleEdit:
        print("error: another setter saved this target at the same moment; run again", file=sys.stderr)
        return 1
    print(json.dumps({"id": target_id, "metric": args.metric, "period": args.month, "scope_kind": kind}))
    return 0


def cmd_target_list(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade(engine)
    rows = [
        {
            "id": r.id,
            "metric": r.metric,
            "period": r.period,
            "scope_kind": r.scope_kind,
            "scope_value": r.scope_value,
            "value": r.value,
            "set_by": r.set_by,
            "set_at": r.set_at.isoformat(sep=" "),
            "version": r.version,
        }
        for r in load_period_targets(engine)
        if args.month is None or r.period == args.month
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r['period']}\t{r['metric']}\t{r['scope_kind']}:{r['scope_value']}\t{r['value']:,.2f}")
    return 0


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("target", help="period targets (a month's or quarter's total)")
    sub = p.add_subparsers(dest="target_command", required=True)
    ps = sub.add_parser(
        "set", help="set a period target (replaces the one of the same metric, period, scope)"
    )
    ps.add_argument("--metric", required=True, choices=PERIOD_METRICS)
    ps.add_argument("--month", required=True, help="YYYY-MM (a month) or YYYY-Qn (a quarter)")
    scope = ps.add_mutually_exclusive_group()
    scope.add_argument("--platform", help="douyin / kuaishou / taobao / jd (or 抖音, 快手, 淘宝, 京东)")
    scope.add_argument("--room", help="room (直播间) name")
    scope.add_argument("--team", help="team name")
    scope.add_argument("--host", help="host: roster name of a person in the host position")
    ps.add_argument("--value", required=True, type=float, help="the period's total")
    ps.add_argument("--user", default=CLI_USER, help=f"recorded as the setter (default: {CLI_USER})")
    ps.set_defaults(handler=cmd_target_set)
    pl = sub.add_parser("list", help="list period targets")
    pl.add_argument("--month", help="only this period (YYYY-MM or YYYY-Qn)")
    pl.add_argument("--json", action="store_true", help="print a JSON list")
    pl.set_defaults(handler=cmd_target_list)
