"""The command line: python -m lib.cli COMMAND ...

Each domain adds its subcommand in `build_parser` and a handler `(args) -> int` (exit status). Handlers
print JSON where the issue asks for it; errors go to stderr with what is wrong and where.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

from lib.core import auth, forms
from lib.core.bounds import date_arg, int_arg
from lib.core.db import ConfigError, get_engine, write
from lib.core.i18n import translate
from lib.core.schema import is_empty, upgrade
from lib.core.usernames import canonical_username

MAX_DEMO_SESSIONS = 100_000  # a few years of every room; more only fills the disk
MAX_DEMO_MONTHS = 36  # as lib.demo checks


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str, indent=None))


def cmd_init_db(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade(engine)
    if args.demo_if_empty and is_empty(engine):
        from lib.demo import load_demo

        stats = load_demo(engine)
        print(f"database was empty: demo data loaded ({stats['sessions']} sessions)", file=sys.stderr)
    forms.prune(engine)  # old form tokens, at every start
    print(f"database ready: {engine.url.render_as_string(hide_password=True)}", file=sys.stderr)
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12+ characters): ")
    if getpass.getpass("Repeat password: ") != first:
        raise auth.AuthError("password_mismatch")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade(engine)
    try:
        if args.user_command == "add":
            password = _read_password(args)
            name = canonical_username(args.name)
            with write(engine) as conn:
                auth.add_user(conn, name, password, args.role, display_name=args.display_name, actor="cli")
            print(f"user {name} added with role {args.role}", file=sys.stderr)
        elif args.user_command == "set":
            new_password = _read_password(args) if args.reset_password else None
            active = None if args.active is None else args.active == "yes"
            with write(engine) as conn:
                auth.update_user(conn, args.name, "cli", role=args.role, active=active, password=new_password)
            print(f"user {args.name} updated", file=sys.stderr)
    except auth.AuthError as exc:
        print("error: " + translate(f"auth.error.{exc.code}", "en", **exc.params), file=sys.stderr)
        return 2
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from lib.demo import DemoError, load_demo

    engine = get_engine()
    upgrade(engine)
    try:
        stats = load_demo(engine, months=args.months, sessions=args.sessions, seed=args.seed)
    except DemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_json(stats)
    return 0


class Parser(argparse.ArgumentParser):
    """Bad arguments answer with one line on stderr and exit status 2 (no usage block, no traceback)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def cmd_overview(args: argparse.Namespace) -> int:
    from lib import kpis
    from lib.core import clock

    engine = get_engine()
    upgrade(engine)
    now = clock.now()
    # The home page as it reads at the clock's time of day, today or on --date.
    moment = dt.datetime.combine(args.date, now.time()) if args.date else now
    figures = kpis.overview_json(engine, moment)
    if args.json:
        _print_json(figures)
    else:
        period = figures["period"]
        print(f"{period['start']} – {period['end']} ({period['label']})")
        print(f"previous: {period['previous_start']} – {period['previous_end']}")
        for tile in figures["tiles"]:
            fields = ("actual", "previous", "change", "target", "achievement")
            print("\t".join([tile["metric"], *(f"{k}={tile[k]}" for k in fields)]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m lib.cli", description="LiveOps Dashboard command line")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init-db", help="create or migrate the database (DATABASE_URL or the SQLite default)")
    p.add_argument("--demo-if-empty", action="store_true", help="fill an empty database with demo data")
    p.set_defaults(handler=cmd_init_db)

    p = sub.add_parser("user", help="manage users")
    user_sub = p.add_subparsers(dest="user_command", required=True)
    pa = user_sub.add_parser("add", help="add a user; the password is read from stdin or a prompt")
    pa.add_argument("name")
    pa.add_argument("--role", required=True, choices=auth.ROLES)
    pa.add_argument("--display-name")
    ps = user_sub.add_parser("set", help="change a user's role, enable/disable, or reset the password")
    ps.add_argument("name")
    ps.add_argument("--role", choices=auth.ROLES)
    ps.add_argument("--active", choices=("yes", "no"))
    ps.add_argument("--reset-password", action="store_true", help="read a new password from stdin/prompt")
    p.set_defaults(handler=cmd_user)

    p = sub.add_parser("demo", help="fill the database with deterministic demo data (demo mode)")
    p.add_argument(
        "--months",
        type=int_arg(1, MAX_DEMO_MONTHS),
        default=6,
        help="months of history ending this month (default 6)",
    )
    p.add_argument(
        "--sessions",
        type=int_arg(1, MAX_DEMO_SESSIONS),
        default=None,
        help="total sessions (default: ~4 per room-day)",
    )
    p.add_argument("--seed", type=int_arg(0, 2**32 - 1, "a seed"), default=42)  # numpy: non-negative
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser(
        "overview", help="the home page's figures at the clock's moment (team time), or on --date at its time"
    )
    p.add_argument(
        "--date",
        type=date_arg,
        help="the day the home page is opened, YYYY-MM-DD (at the clock's time of day)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=cmd_overview)

    # Domain commands register below (import, kpi, incidents, survey-results, scorecard, ...).
    for register in _domain_registrations():
        register(sub)
    return parser


def _domain_registrations():
    """Each domain's `register_cli(subparsers)` (imported here: the command line is a composition root)."""
    from lib import (
        cases,
        importing,
        incidents,
        kpis,
        notify,
        plan,
        review,
        rollups,
        scorecards,
        settings,
        surveys,
        targets,
    )

    for domain in (
        importing,
        kpis,
        incidents,
        surveys,
        scorecards,
        cases,
        review,
        targets,
        notify,
        plan,
        rollups,
        settings,
    ):
        yield domain.register_cli


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
