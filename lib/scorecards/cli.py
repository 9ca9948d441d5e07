"""`python -m lib.cli scorecard --month YYYY-MM [--position P] [--json]`: each person's scorecard."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lib.core.bounds import month_arg
from lib.core.db import get_engine
from lib.core.schema import POSITIONS, upgrade
from lib.scorecards.definitions import DEFAULTS
from lib.scorecards.scoring import score_month

HELP = (
    "per-position scorecards of a month: per person every KPI's actual, target, achievement (1.0 = target "
    "met) and points (weight x achievement capped), the total in points (rescaled over KPIs with data), "
    "grade and rank within the position"
)
POSITION_NAMES = {zh: key for key, zh, _en in POSITIONS} | {en.lower(): key for key, _zh, en in POSITIONS}


def _position(value: str) -> str:
    key = value if value in DEFAULTS else POSITION_NAMES.get(value.strip().lower())
    if key not in DEFAULTS:
        known = ", ".join(f"{k} ({zh})" for k, zh, _en in POSITIONS if k in DEFAULTS)
        raise argparse.ArgumentTypeError(f"no scorecard for position {value!r}; one of {known}")
    return key


def cmd_scorecard(args: argparse.Namespace) -> int:
    engine = get_engine()
    upgrade(engine)
    cards = score_month(engine, args.month, args.position)
    rows: list[dict[str, Any]] = [c.public() for c in cards]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    print("\t".join(("position", "rank", "person", "team", "total", "grade")))
    for row in rows:
        total = "" if row["total"] is None else f"{row['total']:.2f}"
        print(
            "\t".join(str(v or "") for v in (row["position"], row["rank"], row["person"], row["team"]))
            + f"\t{total}\t{row['grade'] or ''}"
        )
    if not rows:
        print("no scorecards: no people with a scored position", file=sys.stderr)
    return 0


def register_cli(subparsers: Any) -> None:
    p = subparsers.add_parser("scorecard", help=HELP, description=HELP)
    p.add_argument("--month", type=month_arg, required=True, help="the month to score (YYYY-MM)")
    p.add_argument(
        "--position",
        type=_position,
        default=None,
        help="only this position (key such as host, or its name such as 主播)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per person")
    p.set_defaults(handler=cmd_scorecard)
