"""`python -m lib.cli kpi ...`: live-stream KPIs per group as JSON (the same numbers as the KPI page)."""

from __future__ import annotations

import argparse
import json
import sys

from lib.core.bounds import date_arg
from lib.core.db import get_engine
from lib.core.platforms import PLATFORM_NAMES, PLATFORMS
from lib.core.schema import upgrade
from lib.kpis.queries import GROUPS, Filters
from lib.kpis.rows import group_rows, public


def cmd_kpi(args: argparse.Namespace) -> int:
    if args.date_to < args.date_from:
        print(f"error: --to {args.date_to} is before --from {args.date_from}", file=sys.stderr)
        return 2
    platform = PLATFORM_NAMES.get(args.platform.strip().lower(), args.platform) if args.platform else None
    if platform is not None and platform not in PLATFORMS:
        print(
            f"error: unknown --platform {args.platform!r}; one of {', '.join(PLATFORMS)}",
            file=sys.stderr,
        )
        return 2
    engine = get_engine()
    upgrade(engine)
    filters = Filters(args.date_from, args.date_to, platform, args.room, args.team, args.host)
    rows = [public(r) for r in group_rows(engine, filters, args.by)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, default=str))
    else:
        for row in rows:
            print(f"{row['group']}\tsessions={row['sessions']}\tgmv={row['gmv']}\tviewers={row['viewers']}")
    return 0


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("kpi", help="live-stream KPIs per group (both dates inclusive)")
    p.add_argument("--from", dest="date_from", type=date_arg, required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date_arg, required=True, help="last day, YYYY-MM-DD")
    p.add_argument("--platform", help="douyin / kuaishou / taobao / jd (or 抖音, 快手, 淘宝, 京东)")
    p.add_argument("--room", help="room (直播间) name")
    p.add_argument("--team", help="team name")
    p.add_argument("--host", help="host: roster name, or the name as exported")
    p.add_argument("--by", choices=GROUPS, default="day", help="group by (default: day)")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per group")
    p.set_defaults(handler=cmd_kpi)
