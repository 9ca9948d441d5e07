"""`python -m lib.cli kpi ...`: live-stream KPIs per group as JSON (the same numbers as the KPI page)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lib.core import clock
from lib.core.bounds import date_arg
from lib.core.db import get_engine
from lib.core.metrics import SESSION_METRICS
from lib.core.platforms import PLATFORM_NAMES, PLATFORMS
from lib.core.schema import upgrade
from lib.kpis.params import PRESET_KINDS, PRESETS, preset_range
from lib.kpis.periods import period_filters, span_of
from lib.kpis.queries import GROUPS, Filters
from lib.kpis.rows import group_rows, period_figures, public

CLI_PRESETS = tuple(p for p in PRESETS if p != "custom")


def _filters(args: argparse.Namespace, platform: str | None) -> Filters | str:
    """The KPI page's filters for the command's period (an error text when the period is wrong): a period
    that ends today runs to the clock's minute and is compared like for like, as on the page."""
    moment = clock.now()
    kind = PRESET_KINDS[args.preset] if args.preset else ""
    if args.preset:
        if args.date_from or args.date_to:
            return "--preset takes no --from / --to"
        args.date_from, args.date_to = preset_range(args.preset, moment.date())
    if args.date_from is None or args.date_to is None:
        return "give --from and --to, or --preset"
    if args.date_to < args.date_from:
        return f"--to {args.date_to} is before --from {args.date_from}"
    scope = {"platform": platform, "room": args.room, "team": args.team, "host": args.host}
    return period_filters(args.date_from, args.date_to, moment, kind, **scope)


def _whole(engine: Any, filters: Filters) -> dict[str, Any]:
    """`--by all`: the KPI page's tiles, one object: every metric of the whole scope, the span counted, the
    span compared (previous_start / previous_end), `previous` (its figures) and `change`."""
    row = period_figures(engine, filters, tuple(m.key for m in SESSION_METRICS))
    out = public(row)
    span = span_of(filters)
    out.update(start=span.start.isoformat(), end=span.end.isoformat())
    out["previous"] = {k: v for k, v in row["previous"].items()}
    out["change"] = dict(row["change"])
    return out


def cmd_kpi(args: argparse.Namespace) -> int:
    platform = PLATFORM_NAMES.get(args.platform.strip().lower(), args.platform) if args.platform else None
    if platform is not None and platform not in PLATFORMS:
        print(
            f"error: unknown --platform {args.platform!r}; one of {', '.join(PLATFORMS)}",
            file=sys.stderr,
        )
        return 2
    filters = _filters(args, platform)
    if isinstance(filters, str):
        print(f"error: {filters}", file=sys.stderr)
        return 2
    engine = get_engine()
    upgrade(engine)
    if args.by == "all":
        rows = [_whole(engine, filters)]
    else:
        rows = [public(r) for r in group_rows(engine, filters, args.by)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, default=str))
    else:
        for row in rows:
            print(f"{row['group']}\tsessions={row['sessions']}\tgmv={row['gmv']}\tviewers={row['viewers']}")
    return 0


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "kpi",
        help="live-stream KPIs per group (both dates inclusive; a period ending today runs to the clock's "
        "minute and is compared with the same elapsed part of the period before)",
    )
    p.add_argument("--from", dest="date_from", type=date_arg, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date_arg, help="last day, YYYY-MM-DD")
    p.add_argument("--preset", choices=CLI_PRESETS, help="a period of the KPI page instead of --from/--to")
    p.add_argument("--platform", help="douyin / kuaishou / taobao / jd (or 抖音, 快手, 淘宝, 京东)")
    p.add_argument("--room", help="room (直播间) name")
    p.add_argument("--team", help="team name")
    p.add_argument("--host", help="host: roster name, or the name as exported")
    p.add_argument(
        "--by",
        choices=(*GROUPS, "all"),
        default="day",
        help="group by (default: day); all: one object for the whole scope, as the KPI page's tiles",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per group")
    p.set_defaults(handler=cmd_kpi)
