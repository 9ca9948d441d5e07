"""`python -m lib.cli settings list|set`: the admin's settings from the command line, by the settings
page's rules (the same validation, versions and audit: lib.settings.values)."""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy import Engine

from lib.core.db import get_engine
from lib.core.errors import CodedError
from lib.core.schema import upgrade
from lib.settings.model import SPECS
from lib.settings.values import listing, set_value

CLI_USER = "cli"


def _sla_rows(engine: Engine) -> list[dict[str, object]]:
    from lib import incidents  # incidents reads lib.settings: imported when the command runs

    frame = incidents.sla_table(engine)
    return [{str(k): (None if v != v else v) for k, v in row.items()} for row in frame.to_dict("records")]


def cmd_settings_list(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade(engine)
    items = listing(engine)
    if args.json:
        out = {"settings": items, "incident_slas": _sla_rows(engine)}
        print(json.dumps(out, ensure_ascii=False, default=str))
        return 0
    for item in items:
        since = f"  (from {item['versions'][-1]['month_from']})" if item.get("versions") else ""
        print(f"{item['key']:32} {item['value']}{' ' + item['unit'] if item['unit'] else ''}{since}")
    return 0


def cmd_settings_set(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade(engine)
    try:
        value = set_value(engine, args.key, args.value, args.user, getattr(args, "from"))
    except CodedError as exc:
        print("error: " + exc.message(args.lang), file=sys.stderr)
        return 2
    since = f" from {getattr(args, 'from')}" if getattr(args, "from") else ""
    print(f"{args.key} = {value}{since}", file=sys.stderr)
    return 0


def register_cli(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("settings", help="the admin's settings (tolerances, due rules, time zone, ...)")
    sub = p.add_subparsers(dest="settings_command", required=True)
    pl = sub.add_parser("list", help="every setting with the value in force now (and its versions)")
    pl.add_argument("--json", action="store_true", help="print JSON (settings and the SLA table in force)")
    pl.set_defaults(handler=cmd_settings_list)
    ps = sub.add_parser("set", help="validate and store one setting (audited)")
    ps.add_argument("key", help="one of: " + ", ".join(s.key for s in SPECS))
    ps.add_argument("value")
    ps.add_argument(
        "--from", metavar="YYYY-MM", help="versioned settings: in force from this month (default this month)"
    )
    ps.add_argument("--user", default=CLI_USER, help=f"recorded in the audit log (default: {CLI_USER})")
    ps.add_argument("--lang", default="en", choices=("zh", "en"), help="language of error messages")
    ps.set_defaults(handler=cmd_settings_set)
