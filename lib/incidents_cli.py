"""`python -m lib.cli incidents --from DATE --to DATE [--by ...] [--json]`: the incident-duration figures."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lib import incidents
from lib.bounds import date_arg
from lib.db import get_engine
from lib.schema import upgrade

HELP = (
    "incident durations by detection date (both dates inclusive): count, open, respond/resolve p50/p90 "
    "(linear interpolation, as numpy/pandas), resolve max in minutes (2 decimals), SLA attainment in %% "
    "of resolved incidents (met = responded and resolved within the SLA), breaches"
)


def cmd_incidents(args: argparse.Namespace) -> int:
    if args.date_to < args.date_from:
        print(f"error: --to {args.date_to} is before --from {args.date_from}", file=sys.stderr)
        return 2
    engine = get_engine()
    upgrade(engine)
    rows: list[dict[str, Any]] = incidents.report(
        engine, incidents.ReportFilter(args.date_from, args.date_to), by=args.by
    )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    print("\t".join(incidents.REPORT_COLUMNS))
    for row in rows:
        print("\t".join("" if row[c] is None else str(row[c]) for c in incidents.REPORT_COLUMNS))
    return 0


def register_cli(subparsers: Any) -> None:
    p = subparsers.add_parser("incidents", help=HELP, description=HELP)
    p.add_argument("--from", dest="date_from", type=date_arg, required=True, help="first detection date")
    p.add_argument(
        "--to", dest="date_to", type=date_arg, required=True, help="last detection date (inclusive)"
    )
    p.add_argument("--by", choices=incidents.GROUP_BYS, default=None, help="one object per group")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.set_defaults(handler=cmd_incidents)
