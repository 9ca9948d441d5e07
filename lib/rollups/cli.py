"""`python -m lib.cli rollups rebuild [--check]`: refill the roll-ups from the raw rows, or only compare."""

from __future__ import annotations

import argparse
import json

from lib.core.db import get_engine
from lib.core.schema import upgrade
from lib.rollups.maintain import check, rebuild


def cmd_rollups(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade(engine)
    if args.check:
        diffs = check(engine)
        print(json.dumps({"differences": len(diffs), "keys": diffs}, ensure_ascii=False, default=str))
        return 1 if diffs else 0
    rebuild(engine)
    print(json.dumps({"rebuilt": True, "differences": len(check(engine))}))
    return 0


def register_cli(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("rollups", help="the maintained roll-ups of the raw sessions")
    sub = p.add_subparsers(dest="rollups_command", required=True)
    r = sub.add_parser(
        "rebuild",
        help="rebuild the session and incident roll-ups from the raw rows (or --check: compare only)",
    )
    r.add_argument(
        "--check",
        action="store_true",
        help="change nothing; print the differing keys as JSON, exit 1 on any difference",
    )
    r.set_defaults(handler=cmd_rollups)
