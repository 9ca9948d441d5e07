"""`python -m lib.cli review --platform P --account A --start "YYYY-MM-DD HH:MM" [--json] [--lang L]`:
one session's review (totals, minute summary, retention, products, sources, incidents with GMV at risk).
Bad arguments: one line on stderr in the chosen language, exit status 2."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from lib.core.bounds import MAX_DATE, MIN_DATE, date_in_range
from lib.core.db import get_engine
from lib.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from lib.core.platforms import PLATFORM_NAMES, PLATFORMS
from lib.core.schema import upgrade
from lib.review.queries import find_sessions
from lib.review.summary import review_json

START_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
)
HELP = (
    "one session's review: totals, minutes, retention (shares 0-1: first_5, first_15, whole), online "
    "against the opening (may exceed 1), products, sources, incidents (GMV at risk)"
)


def parse_start(text: str) -> dt.datetime | None:
    for fmt in START_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def _fail(lang: str, key: str, **params: Any) -> int:
    print(
        translate("review.cli.error", lang) + translate(f"review.cli.{key}", lang, **params), file=sys.stderr
    )
    return 2


def cmd_review(args: argparse.Namespace) -> int:
    lang = args.lang
    platform = PLATFORM_NAMES.get(args.platform.strip().lower(), args.platform.strip())
    if platform not in PLATFORMS:
        return _fail(lang, "bad_platform", value=args.platform, known=", ".join(PLATFORMS))
    start = parse_start(args.start)
    if start is None:
        return _fail(lang, "bad_start", value=args.start)
    if not date_in_range(start.date()):  # the bound of every other command (9999-12-31 overflowed)
        return _fail(lang, "start_out_of_range", value=args.start, low=MIN_DATE, high=MAX_DATE)
    account = args.account.strip()
    engine = get_engine()
    upgrade(engine)
    found = find_sessions(engine, platform, account, start)
    where = {"platform": platform, "account": account, "start": f"{start:%Y-%m-%d %H:%M}"}
    if not found:
        return _fail(lang, "not_found", **where)
    if len(found) > 1:
        return _fail(lang, "ambiguous", n=len(found), **where)
    review = review_json(engine, found[0])
    if args.json:
        print(json.dumps(review, ensure_ascii=False))
        return 0
    _print_text(review or {})
    return 0


def _print_text(review: dict[str, Any]) -> None:
    s, m = review["session"], review["minutes"]
    print(f"{s['started_at']}\t{s['platform']}\t{s['account']}\t{s['host'] or ''}")
    print("\t".join(f"{k}={v}" for k, v in review["totals"].items()))
    print("\t".join(f"minutes_{k}={v}" for k, v in m.items()))
    print("\t".join(f"retention_{k}={v}" for k, v in review["retention"].items()))
    print("\t".join(f"online_vs_opening_{k}={v}" for k, v in review["online_vs_opening"].items()))
    for p in review["products"]:
        print(f"product\t{p['product_id']}\t{p['name']}\tgmv={p['gmv']}\torders={p['orders']}")
    for src in review["sources"]:
        print(f"source\t{src['source']}\tviewers={src['viewers']}\tgmv={src['gmv']}")
    for i in review["incidents"]:
        print(f"incident\t{i['incident_id']}\t{i['category']}\tgmv_at_risk={i['gmv_at_risk']}")


def register_cli(subparsers: Any) -> None:
    p = subparsers.add_parser("review", help=HELP, description=HELP)
    p.add_argument(
        "--platform", required=True, help="douyin / kuaishou / taobao / jd (or 抖音, 快手, 淘宝, 京东)"
    )
    p.add_argument("--account", required=True, help="the account (抖音号...) as in the session list")
    p.add_argument("--start", required=True, help='start of the session, "YYYY-MM-DD HH:MM"')
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, help="language of messages (default zh)"
    )
    p.set_defaults(handler=cmd_review)
